package io.gradquant.harness;

/**
 * One quantizer's line of a comparison, as in compare.json and compare.csv.
 *
 * @param quantizer                   the quantizer
 * @param testAccuracy                test accuracy after the last epoch
 * @param epochSeconds                mean wall time of an epoch's training steps
 * @param quantizationSecondsPerEpoch mean time per epoch spent quantizing
 * @param avgVariance                 mean quantization variance over the variance probe's steps
 * @param avgNormalizedVariance       mean normalised variance over the probe's steps
 */
public record CompareRow(String quantizer, double testAccuracy, double epochSeconds,
        double quantizationSecondsPerEpoch, double avgVariance, double avgNormalizedVariance) {
    static final String CSV_HEADER =
            "quantizer,test_accuracy,epoch_seconds,quantization_seconds_per_epoch,avg_variance,avg_normalized_variance";

    /** The row from a training run and the probe's measurements of the same quantizer. */
    static CompareRow of(RunResult run, VarianceProbe.Result probe) {
        return new CompareRow(run.quantizer(), run.finalTestAccuracy(), run.meanEpochSeconds(),
                run.meanQuantizationSeconds(), probe.meanVariance(run.quantizer()),
                probe.meanNormalizedVariance(run.quantizer()));
    }

    String csv() {
        return quantizer + "," + testAccuracy + "," + epochSeconds + "," + quantizationSecondsPerEpoch + ","
                + avgVariance + "," + avgNormalizedVariance;
    }
}
