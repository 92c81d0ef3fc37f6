package io.gradquant.cli;

/**
 * What {@code gradquant decode} prints; the JSON keys are these names in snake_case.
 *
 * @param input        the message file
 * @param quantizer    the quantizer the message was encoded with
 * @param backend      the backend that decoded it
 * @param elements     number of values
 * @param encodedBytes the message's length
 * @param bitsPerValue 8 * encodedBytes / elements; null for an empty message
 * @param seconds      wall seconds of the decode call
 */
record DecodeReport(String input, String quantizer, String backend, long elements, long encodedBytes, Double bitsPerValue,
        double seconds) {
}
