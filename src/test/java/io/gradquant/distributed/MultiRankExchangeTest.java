package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.JvmProcess;
import io.gradquant.MpiJob;
import io.gradquant.QuantizerType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every quantizer with every collective across 2 and 3 real ranks (mpirun, oversubscribed), over
 * shared memory and over TCP: the ranks end with identical results, the average is unbiased, with
 * allgather its error matches the rounding variance the ranks report, bytes sent equal the messages handed to MPI,
 * CGX's constant test is exact (for the quantizers that keep equal values), and the error-feedback residual is exactly (g+e) - Q(g+e).
 * The ranks ({@link ExchangeRanks}) measure; this test judges.
 */
@Tag("mpi")
class MultiRankExchangeTest {
    /** Steps per case: the unbiasedness t statistics have STEPS - 1 degrees of freedom. */
    private static final int STEPS = 30;
    /**
     * |t| bound for the three functionals of each case: a Student t with 29 degrees of freedom
     * exceeds 5 with probability about 2.5e-5, so the ~100 checks of a run pass by chance with
     * probability > 0.997, and the seeds are fixed: a failure is a bias, not bad luck.
     */
    private static final double T_BOUND = 5.0;

    @TempDir
    Path dir;

    /** The ranks encode and decode on the native backend over shared memory, on the java reference over TCP. */
    @ParameterizedTest(name = "{0} ranks over {1}, {2} backend")
    @CsvSource({"2, SHARED_MEMORY, cpu", "3, TCP, java"})
    void everyQuantizerAndCollective(int ranks, MpiJob.Transport transport, String backend) throws Exception {
        JvmProcess.Result result = MpiJob.run(MpiJob.command(transport, ranks, ExchangeRanks.class.getName(),
                List.of(dir.toString(), backend, Integer.toString(STEPS))), 120, Map.of());
        assertEquals(0, result.code(), () -> "the ranks failed:\n" + result.out() + result.err());
        List<Map<String, String>> files = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            files.add(read(dir.resolve("rank-" + r + ".txt")));
        }
        Map<String, String> rank0 = files.get(0);
        assertEquals(Integer.toString(ranks), rank0.get("size"));
        int cases = 0;
        for (QuantizerType q : QuantizerType.values()) {
            for (Collective c : Collective.values()) {
                if (c == Collective.ALLREDUCE && q != QuantizerType.NONE) {
                    continue;
                }
                String name = q.cliName() + "/" + c.cliName();
                cases++;
                for (int r = 1; r < ranks; r++) {
                    assertEquals(rank0.get(name + ".sha256"), files.get(r).get(name + ".sha256"),
                            name + ": rank " + r + " ended with other values than rank 0");
                }
                for (Map<String, String> f : files) {
                    assertEquals(0, number(f, name + ".byte_mismatches"), name + ": bytes sent differ from the messages");
                    assertEquals(0, number(f, name + ".not_whole_messages"), name + ": a buffer handed to MPI is not a message");
                }
                for (String t : List.of(".t_sum", ".t_exact", ".t_signs")) {
                    double v = number(rank0, name + t);
                    // none's error is summation rounding, the same every step: a t statistic means nothing there
                    assertTrue(q == QuantizerType.NONE || Math.abs(v) < T_BOUND, name + t + " = " + v + ": the average is biased");
                }
                if (q == QuantizerType.NONE || q == QuantizerType.STANDARD || q == QuantizerType.SMART) {
                    // CGX's exact test; these leave a bucket of equal values unchanged (docs/wire-format.md),
                    // hadamard and exponential quantize it, unbiased (checked above) but not exact
                    assertTrue(number(rank0, name + ".constant_relative_error") <= 1e-6, name
                            + ": constants r+1 do not average to (N+1)/2: " + rank0.get(name + ".constant_relative_error"));
                }
                double mse = number(rank0, name + ".mse");
                double expected = number(rank0, name + ".expected_mse");
                if (q == QuantizerType.NONE) {
                    // float32 all the way: only summation rounding, far below the values' scale (1e-3 .. 1e-1)
                    assertTrue(mse < 1e-12, name + ": mean squared error " + mse + " for uncompressed values");
                } else if (c == Collective.ALLGATHER) {
                    // E||avg - exact||^2 = sum of the ranks' rounding variances / N^2 (full buckets, independent streams)
                    assertTrue(Math.abs(mse / expected - 1) < 0.15,
                            name + ": mean squared error " + mse + ", rounding variance says " + expected);
                }
                // reduce-scatter compresses the average a second time, whose variance no rank reports:
                // its results are held to identity and unbiasedness above
            }
        }
        assertEquals(11, cases);
        for (String ef : List.of("ef/allgather", "ef/reduce-scatter")) {
            for (Map<String, String> f : files) {
                assertEquals(0, number(f, ef + ".residual_mismatches"), ef + ": residual differs from (g+e) - Q(g+e)");
                assertTrue(number(f, ef + ".residual_norm") > 0, ef + ": the residual stayed zero");
            }
        }
        // allgather sends each rank's message (and its size) to the N-1 others
        assertTrue(number(rank0, "standard/allgather.bytes_sent_per_step")
                < number(rank0, "none/allreduce.bytes_sent_per_step"), "compressed allgather sends less than float32");
    }

    private static Map<String, String> read(Path file) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int space = line.indexOf(' ');
            out.put(line.substring(0, space), line.substring(space + 1));
        }
        return out;
    }

    private static double number(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null) {
            throw new AssertionError("no " + key + " in the rank's results");
        }
        return Double.parseDouble(v);
    }
}
