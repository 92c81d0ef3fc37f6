package io.gradquant.distributed;

import java.util.concurrent.Callable;

/** Ends a test rank program as the command line ends a rank: one error line, then {@link MpiWorld#exit}. */
final class RankMain {
    private RankMain() {
    }

    /** Runs {@code body}, prints its failure as {@code gradquant: error: ...}, ends MPI and exits with its code. */
    static void run(Callable<Integer> body) {
        int code;
        try {
            code = body.call();
        } catch (Throwable e) {
            System.err.println("gradquant: error: " + e.getMessage());
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        MpiWorld.exit(code);
        System.exit(code);
    }
}
