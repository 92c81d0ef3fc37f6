package io.gradquant.benchmarks.cuda;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.CpuBackend;
import io.gradquant.backend.CudaBackend;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The GPU benchmark, printed as Markdown tables:
 * <ol>
 * <li>the batched Walsh-Hadamard transform, gq_wht_rows against one cuBLAS SGEMM by the Hadamard
 *     matrix (when libcublas.so.12 is there), per row length, with their largest difference;</li>
 * <li>every quantizer on device memory ({@link CudaBackend#quantizeDevice}, one whole call:
 *     allocation, copies of the tables, launches, statistics) against the cpu backend on all
 *     hardware threads, per bucket size.</li>
 * </ol>
 * Usage: {@code benchmarks/run --cuda [elements [repeats]]} (default 2^24 elements, 10 timed
 * repeats after one warm-up; medians are reported).
 */
public final class CudaBenchmark {
    private CudaBenchmark() {
    }

    public static void main(String[] args) {
        long elements = args.length > 0 ? Long.parseLong(args[0]) : 1L << 24;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        run(elements, repeats, System.out);
    }

    /** Runs both tables for {@code elements} floats (a multiple of 4096) and prints them. */
    static void run(long elements, int repeats, PrintStream out) {
        if (elements < 4096 || elements % 4096 != 0 || elements > Integer.MAX_VALUE || repeats < 1) {
            throw new IllegalArgumentException("need elements a multiple of 4096 below 2^31 and repeats >= 1");
        }
        try (BenchDevice device = new BenchDevice()) {
            out.println("device: " + device.backend.device());
            out.println("elements: " + elements + ", repeats: " + repeats + " (medians)");
            float[] x = gaussian((int) elements);
            try (DeviceFloats data = device.allocate(elements); DeviceFloats copy = device.allocate(elements)) {
                hadamardTable(device, x, data, copy, repeats, out);
                quantizerTable(device.backend, x, data, repeats, out);
            }
        }
    }

    private static void hadamardTable(BenchDevice device, float[] x, DeviceFloats data, DeviceFloats copy, int repeats,
            PrintStream out) {
        RowsTransform rows = new RowsTransform(device, CudaBackend.DEFAULT_ON_CHIP);
        String blas = CublasHadamard.unavailableReason();
        out.println();
        out.println("| row length | gq_wht_rows ms | cuBLAS SGEMM ms | max abs difference |");
        out.println("|---|---|---|---|");
        for (int size : new int[] {256, 1024, 4096}) {
            long count = x.length / size;
            double[] kernel = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                data.upload(x);
                long t = System.nanoTime();
                rows.transform(data.address(), count, size);
                if (r >= 0) {
                    kernel[r] = (System.nanoTime() - t) / 1e6;
                }
            }
            String gemm = "unavailable: " + blas;
            String difference = "-";
            if (blas == null) {
                double[] ms = new double[repeats];
                try (CublasHadamard h = new CublasHadamard(device, size)) {
                    copy.upload(x);
                    for (int r = -1; r < repeats; r++) {
                        long t = System.nanoTime();
                        h.transform(copy.address(), data.address(), (int) count);
                        if (r >= 0) {
                            ms[r] = (System.nanoTime() - t) / 1e6;
                        }
                    }
                    float[] viaGemm = data.download();
                    data.upload(x);
                    rows.transform(data.address(), count, size);
                    float[] viaKernel = data.download();
                    double max = 0;
                    for (int i = 0; i < x.length; i++) {
                        max = Math.max(max, Math.abs((double) viaGemm[i] - viaKernel[i]));
                    }
                    gemm = format(median(ms));
                    difference = String.format(Locale.ROOT, "%.3g", max);
                }
            }
            out.println("| " + size + " | " + format(median(kernel)) + " | " + gemm + " | " + difference + " |");
        }
    }

    private static void quantizerTable(CudaBackend cuda, float[] x, DeviceFloats data, int repeats, PrintStream out) {
        CpuBackend cpu = new CpuBackend(0);
        FloatBuffer host = Segments.directCopy(x);
        out.println();
        out.println("| quantizer | bucket | cuda ms | cuda GB/s | cpu ms (" + cpu.threads() + " threads) | speed-up |");
        out.println("|---|---|---|---|---|---|");
        for (QuantizerType type : QuantizerType.values()) {
            for (int bucket : new int[] {512, 51200}) {
                QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(bucket).levels(16).seed(1).build();
                double[] gpu = new double[repeats];
                double[] cpuMs = new double[repeats];
                for (int r = -1; r < repeats; r++) {
                    data.upload(x);
                    long t = System.nanoTime();
                    cuda.quantizeDevice(spec, r + 1, new long[] {data.address()}, new long[] {x.length});
                    double g = (System.nanoTime() - t) / 1e6;
                    host.put(0, x);
                    t = System.nanoTime();
                    cpu.quantize(spec, r + 1, Segments.of(host));
                    double c = (System.nanoTime() - t) / 1e6;
                    if (r >= 0) {
                        gpu[r] = g;
                        cpuMs[r] = c;
                    }
                }
                double g = median(gpu);
                double c = median(cpuMs);
                // one read and one write of every float
                double gbPerS = 8.0 * x.length / (g / 1e3) / 1e9;
                out.println("| " + type.cliName() + " | " + bucket + " | " + format(g) + " | "
                        + String.format(Locale.ROOT, "%.1f", gbPerS) + " | " + format(c) + " | "
                        + String.format(Locale.ROOT, "%.1fx", c / g) + " |");
            }
        }
    }

    /** Standard normal floats from a fixed seed (Box-Muller). */
    static float[] gaussian(int n) {
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return x;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String format(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.3f" : "%.1f", ms);
    }
}
