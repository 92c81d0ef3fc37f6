package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.JvmProcess;
import io.gradquant.MpiJob;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What happens when a rank dies, sends a damaged message, or runs another configuration: the job ends, with a message. */
@Tag("mpi")
class FaultsTest {
    /** How long the job may take to end after a rank is killed. */
    private static final long KILL_BOUND_SECONDS = 30;

    @Test
    void aKilledRankEndsTheJobInBoundedTime() throws Exception {
        int ranks = 3;
        Process job = MpiJob.builder(MpiJob.command(MpiJob.Transport.SHARED_MEMORY, ranks, FaultRanks.class.getName(),
                List.of("loop")), Map.of()).redirectErrorStream(true).start();
        Map<Integer, Long> pids = new ConcurrentHashMap<>();
        CountDownLatch ready = new CountDownLatch(ranks);
        StringBuilder output = new StringBuilder();
        Pattern line = Pattern.compile("rank (\\d+) pid (\\d+) ready");
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(job.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null;) {
                    synchronized (output) {
                        output.append(l).append('\n');
                    }
                    Matcher m = line.matcher(l);
                    if (m.matches()) {
                        pids.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the job ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            assertTrue(ready.await(120, TimeUnit.SECONDS), () -> "the ranks did not start:\n" + output);
            Optional<ProcessHandle> victim = ProcessHandle.of(pids.get(1));
            assertTrue(victim.isPresent());
            long killed = System.nanoTime();
            assertTrue(victim.get().destroyForcibly(), "SIGKILL to rank 1");
            boolean ended = job.waitFor(KILL_BOUND_SECONDS, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertTrue(ended, () -> "the job still runs " + KILL_BOUND_SECONDS + " s after rank 1 was killed:\n" + output);
            reader.join(10_000);
            assertNotEquals(0, job.exitValue(), () -> "exit code 0 after a rank was killed:\n" + output);
            // mpirun may exit a moment before the JVMs it signalled are gone
            for (Map.Entry<Integer, Long> rank : pids.entrySet()) {
                Optional<ProcessHandle> jvm = ProcessHandle.of(rank.getValue());
                if (jvm.isPresent()) {
                    long left = KILL_BOUND_SECONDS * 1_000_000_000L - (System.nanoTime() - killed);
                    jvm.get().onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
                }
                assertFalse(ProcessHandle.of(rank.getValue()).map(ProcessHandle::isAlive).orElse(false),
                        "rank " + rank.getKey() + "'s JVM still runs");
            }
            String text;
            synchronized (output) {
                text = output.toString();
            }
            assertTrue(text.contains("rank 1") && text.contains("signal 9"),
                    () -> "mpirun did not say which rank died (" + seconds + " s):\n" + text);
        } finally {
            job.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"allgather", "reduce-scatter"})
    void aDamagedMessageStopsTheRunNamingRankAndStep(String collective) throws Exception {
        JvmProcess.Result r = MpiJob.run(MpiJob.command(MpiJob.Transport.SHARED_MEMORY, 2, FaultRanks.class.getName(),
                List.of("corrupt", collective, "1", "3")), 120, Map.of());
        String text = r.out() + r.err();
        assertNotEquals(0, r.code(), () -> "a damaged message was accepted:\n" + text);
        Pattern refused = Pattern.compile("gradquant: error: rank (\\d), step 3: refused .* from rank 1: .*checksum.*");
        assertTrue(text.lines().anyMatch(l -> refused.matcher(l).matches()), () -> "no refusal naming rank and step:\n" + text);
    }

    @Test
    void aMismatchedConfigurationIsRefusedNamingFieldAndRanks() throws Exception {
        JvmProcess.Result r = MpiJob.run(MpiJob.command(MpiJob.Transport.SHARED_MEMORY, List.of(rank("1000"),
                rank("2000"))), 120, Map.of());
        String text = r.out() + r.err();
        assertEquals(1, r.code(), () -> "exit code " + r.code() + ":\n" + text);
        assertTrue(text.contains("gradquant: error: the ranks' configurations differ: field 'elements': rank 0 has '1000';"
                + " rank 1 has '2000'"), () -> "no message naming the field and the ranks:\n" + text);
    }

    /** One rank of bench-collective through the real command line. */
    private static MpiJob.App rank(String elements) {
        return new MpiJob.App(1, List.of(), "io.gradquant.cli.Main", List.of("bench-collective", "--elements", elements,
                "--backend", "java", "--repeats", "1", "--warmup", "0"));
    }
}
