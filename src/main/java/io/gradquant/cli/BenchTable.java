package io.gradquant.cli;

import io.gradquant.bench.BenchConfig;
import io.gradquant.bench.BenchReport;
import io.gradquant.bench.BenchRun;
import java.util.Locale;

/** The text form of a benchmark: a header saying what ran where, then one row per quantizer. */
final class BenchTable {
    private BenchTable() {
    }

    static String format(BenchRun run, BenchConfig config) {
        BenchReport r = run.report();
        StringBuilder s = new StringBuilder();
        line(s, "machine    %s", r.machine());
        line(s, "backend    %s, %d thread(s)", r.backend(), r.threads());
        line(s, "input      %d gradient-like float32 values (%.1f MiB), %d slots rotated (%.0f MiB working set)",
                r.elements(), r.elements() * 4.0 / (1 << 20), run.slots(), run.slots() * 8.0 * r.elements() / (1 << 20));
        line(s, "quantizer  bucket %d, levels %d; medians of %d timed rounds after %d warm-up", r.bucketSize(),
                config.levels(), config.repeats(), config.warmup());
        line(s, "copy       %.2f GB/s, %.3f ms (%s)", r.copyGbps(), run.copySeconds() * 1e3, run.copyBaseline());
        line(s, "DJL ops    %s", run.djlNote());
        line(s, "load avg   %s before, %s after (1, 5, 15 min)", run.loadBefore(), run.loadAfter());
        s.append('\n');
        line(s, "%-12s %10s %8s %10s %7s %12s %8s %9s %7s %9s %7s", "quantizer", "ms", "GB/s", "Melem/s", "copy x",
                "DJL ops ms", "vs DJL", "enc GB/s", "copy x", "dec GB/s", "copy x");
        for (int i = 0; i < r.results().size(); i++) {
            BenchReport.Result q = r.results().get(i);
            Double djl = run.djlSeconds().get(i);
            line(s, "%-12s %10.3f %8.2f %10.1f %7.2f %12s %8s %9s %7s %9s %7s", q.quantizer(), run.seconds().get(i) * 1e3,
                    q.gbps(), q.elementsPerSecond() / 1e6, q.copyRatio(), djl == null ? "-" : String.format(Locale.ROOT,
                            "%.3f", djl * 1e3), orDash("%.1f", q.vsDjlOps()), orDash("%.2f", q.encodeGbps()),
                    orDash("%.2f", q.encodeCopyRatio()), orDash("%.2f", q.decodeGbps()), orDash("%.2f", q.decodeCopyRatio()));
        }
        s.append('\n');
        line(s, "enc/dec    encode (no write-back) and decode of the wire format; GB/s counts 4 bytes (the float32 values)"
                + " per element, copy x is the copy's time over theirs");
        if (r.smallInput() != null) {
            s.append('\n');
            line(s, "small input: %d values (per-value time vs the %d-value input)", r.smallInput().elements(),
                    r.elements());
            for (BenchReport.SmallResult q : r.smallInput().results()) {
                line(s, "%-12s %10.3f ms %7.2fx", q.quantizer(), q.seconds() * 1e3, q.perValueVsLarge());
            }
        }
        return s.toString();
    }

    private static String orDash(String format, Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static void line(StringBuilder s, String format, Object... args) {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
