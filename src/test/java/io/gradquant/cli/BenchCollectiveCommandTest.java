package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.JvmProcess;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.codec.WireFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchCollectiveCommandTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--workers 0|--workers 0 is not allowed: it must be >= 1",
        "--elements 0|--elements 0 is not allowed",
        "--backend cuda|--backend cuda is not allowed here: use auto, java or cpu",
        "--quantizers standard,standard|must name each of",
        "--collectives allgather,allgather|must name each of",
        "--collectives ring|collective 'ring' is not known: use one of allgather, reduce-scatter, allreduce",
        "--levels 3 --quantizers exponential|levels 3 is not allowed for exponential",
        "--repeats 0|--repeats 0 is not allowed"})
    void badOptionsAreUsageErrorsBeforeAnyRankStarts(String args, String message) {
        CliRunner.Result r = CliRunner.run(("bench-collective " + args).split(" "));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("gradquant: error: ") && r.err().contains(message), r.err());
    }

    /** Without --workers and without mpirun the JVM is a world of one rank: MPI starts, runs and finalises. */
    @Test
    @Tag("mpi")
    void withoutWorkersAJvmIsAWorldOfOne() throws Exception {
        JvmProcess.Result r = JvmProcess.run(List.of(), Main.class.getName(), List.of("bench-collective", "--elements",
                "4096", "--quantizers", "standard", "--collectives", "reduce-scatter", "--backend", "java", "--repeats",
                "1", "--warmup", "0", "--json"), Map.of());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(!r.err().contains("mpirun"), r.err());
        JsonObject report = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(1, report.get("workers").getAsInt());
        for (var row : report.getAsJsonArray("results")) {
            assertEquals(0.0, row.getAsJsonObject().get("bytes_sent_per_worker").getAsDouble(), row.toString());
        }
    }

    /** --workers 2 from a plain JVM: the command starts two ranks with mpirun, rank 0 prints the report. */
    @Test
    @Tag("mpi")
    void workersStartRanksWithMpirunAndReportTheirTraffic() throws Exception {
        int elements = 8192;
        JvmProcess.Result r = JvmProcess.run(List.of(), Main.class.getName(), List.of("bench-collective", "--workers", "2",
                "--elements", Integer.toString(elements), "--quantizers", "standard,exponential", "--backend", "java",
                "--repeats", "2", "--warmup", "0", "--json"), Map.of());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("gradquant: starting 2 ranks with mpirun"), r.err());
        JsonObject report = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, report.get("workers").getAsInt());
        JsonArray rows = report.getAsJsonArray("results");
        assertEquals(5, rows.size(), rows.toString());
        JsonObject baseline = rows.get(0).getAsJsonObject();
        assertEquals("allreduce", baseline.get("collective").getAsString());
        // float32 allreduce of B bytes between 2 ranks: 2 (N-1) B / N = B
        assertEquals(elements * 4.0, baseline.get("bytes_sent_per_worker").getAsDouble());
        for (int i = 1; i < rows.size(); i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            QuantizerType q = QuantizerType.parse(row.get("quantizer").getAsString());
            long message = WireFormat.encodedBytes(QuantizerSpec.builder(q).build(), new long[] {elements}, 0);
            if (row.get("collective").getAsString().equals("allgather")) {
                // one message and its 8-byte size to the other rank
                assertEquals(message + 8.0, row.get("bytes_sent_per_worker").getAsDouble(), row.toString());
            }
            assertTrue(row.get("compression_ratio").getAsDouble() > 7, row.toString());
            assertTrue(row.get("seconds").getAsDouble() > 0 && row.get("speedup_vs_allreduce").getAsDouble() > 0,
                    row.toString());
        }
    }
}
