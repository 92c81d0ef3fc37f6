package io.gradquant.harness;

/**
 * One quantizer's line of a comparison, as in compare.json and compare.csv. A number there is no
 * value for (the run stopped before its first epoch, or never ran) is NaN here, null in JSON.
 *
 * @param quantizer                   the quantizer
 * @param status                      "completed"; "stopped: " and why (a non-finite loss), the
 *                                    figures then cover the epochs it finished; or "not run: " and why
 * @param quantizerSpec               the spec the run quantized with ({@link io.gradquant.QuantizerSpec#toString()})
 * @param testAccuracy                test accuracy after the last finished epoch
 * @param epochSeconds                mean wall time of an epoch's training steps
 * @param quantizationSecondsPerEpoch mean time per epoch spent quantizing
 * @param avgVariance                 mean quantization variance over the variance probe's steps
 * @param avgNormalizedVariance       mean normalised variance over the probe's steps
 */
public record CompareRow(String quantizer, String status, String quantizerSpec, double testAccuracy,
        double epochSeconds, double quantizationSecondsPerEpoch, double avgVariance, double avgNormalizedVariance) {
    /** The status of a run that trained every epoch. */
    static final String COMPLETED = "completed";
    static final String CSV_HEADER = "quantizer,test_accuracy,epoch_seconds,quantization_seconds_per_epoch,avg_variance,"
            + "avg_normalized_variance,status";

    /** The row from a training run (finished or not, as {@code status} says) and the probe's measurements. */
    static CompareRow of(RunResult run, String status, String spec, VarianceProbe.Result probe) {
        return new CompareRow(run.quantizer(), status, spec, run.finalTestAccuracy(), run.meanEpochSeconds(),
                run.meanQuantizationSeconds(), probe.meanVariance(run.quantizer()),
                probe.meanNormalizedVariance(run.quantizer()));
    }

    boolean completed() {
        return status.equals(COMPLETED);
    }

    /** The CSV line; the status is quoted, as it may hold commas. */
    String csv() {
        return quantizer + "," + testAccuracy + "," + epochSeconds + "," + quantizationSecondsPerEpoch + ","
                + avgVariance + "," + avgNormalizedVariance + ",\"" + status.replace("\"", "\"\"") + "\"";
    }
}
