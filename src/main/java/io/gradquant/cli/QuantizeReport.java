package io.gradquant.cli;

/**
 * What {@code gradquant quantize} prints, field for field; the JSON keys are these names in
 * snake_case (relativeMse becomes relative_mse).
 *
 * @param input              the input file, or the synthetic spec such as normal:20000
 * @param quantizer          the quantizer's command-line name
 * @param backend            the backend actually used (java, cpu or cuda)
 * @param elements           number of input values
 * @param bucketSize         bucket size
 * @param levels             number of levels
 * @param seed               random seed (of the quantizer and of a synthetic input)
 * @param repeats            independent quantizations of the input, steps 0 to repeats-1
 * @param variance           mean over repeats of the quantizer's variance statistic
 * @param normalizedVariance mean over repeats of variance / ||x||^2
 * @param relativeMse        mean over repeats of ||Q(x) - x||^2 / ||x||^2
 * @param relativeBias       ||mean over repeats of Q(x) - x|| / ||x||
 * @param maxLevelsPerBucket most distinct values in one bucket of one output
 * @param nonFiniteBuckets   buckets left unchanged because they held NaN or Inf
 * @param seconds            mean wall seconds of one quantize call
 * @param encodedBytes       bytes of the compressed message of step 0 (docs/wire-format.md); null if none was made
 * @param bitsPerValue       8 * encodedBytes / elements; null for an empty input or without a message
 * @param compressionRatio   float32 bytes (4 * elements) / encodedBytes; null without a message
 */
record QuantizeReport(String input, String quantizer, String backend, long elements, int bucketSize, int levels,
        long seed, int repeats, double variance, double normalizedVariance, double relativeMse, double relativeBias,
        int maxLevelsPerBucket, long nonFiniteBuckets, double seconds, Long encodedBytes, Double bitsPerValue,
        Double compressionRatio) {
}
