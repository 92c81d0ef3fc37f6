package io.gradquant.bench;

import java.util.List;

/**
 * A finished benchmark: the report plus what the text table shows beside it.
 *
 * @param report         the figures (the JSON output)
 * @param copyBaseline   what the copy baseline measures
 * @param copySeconds    median seconds of one copy
 * @param seconds        median seconds of one quantization, per quantizer in report order
 * @param djlSeconds     median seconds of the DJL composition, per quantizer; null entries where none ran
 * @param djlNote        the DJL side: threads, or why it did not run
 * @param slots          input slots rotated
 * @param loadBefore     load averages before the run
 * @param loadAfter      load averages after the run
 */
public record BenchRun(BenchReport report, String copyBaseline, double copySeconds,
        List<Double> seconds, List<Double> djlSeconds, String djlNote, int slots, String loadBefore,
        String loadAfter) {
}
