package io.gradquant.harness;

import ai.djl.training.util.ProgressBar;

/**
 * DJL's progress bar for an epoch's steps, shown only on an interactive terminal: the bar redraws
 * with carriage returns, which would fill a log file or CI output with noise.
 */
public final class ProgressBars {
    private final ProgressBar bar;

    private ProgressBars(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar when {@code enabled}, or one that shows nothing. */
    static ProgressBars start(boolean enabled, String message, long steps) {
        if (!enabled || steps <= 1) {
            return new ProgressBars(null);
        }
        ProgressBar bar = new ProgressBar(message, steps);
        bar.start(0);
        return new ProgressBars(bar);
    }

    /** Whether bars should be shown: stdout is a terminal. */
    public static boolean enabled() {
        return System.console() != null;
    }

    void step(long done, String trailer) {
        if (bar != null) {
            bar.update(done - 1, trailer);
        }
    }
}
