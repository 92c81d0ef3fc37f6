package io.gradquant.harness;

import java.util.Locale;

/** The one line printed per finished epoch. */
final class EpochLine {
    private EpochLine() {
    }

    static String of(String quantizer, EpochMetrics e, int epochs) {
        if (e.exchange() != null) {
            return String.format(Locale.ROOT, "%s epoch %d/%d: loss %.4f, test accuracy %.2f%%, %.1f s (%s), lr %.3g",
                    quantizer, e.epoch(), epochs, e.trainLoss(), 100 * e.testAccuracy(), e.epochSeconds(),
                    e.exchange().describe(), e.learningRate());
        }
        return String.format(Locale.ROOT,
                "%s epoch %d/%d: loss %.4f, test accuracy %.2f%%, %.1f s (quantization %.2f s), lr %.3g",
                quantizer, e.epoch(), epochs, e.trainLoss(), 100 * e.testAccuracy(), e.epochSeconds(),
                e.quantizationSeconds(), e.learningRate());
    }
}
