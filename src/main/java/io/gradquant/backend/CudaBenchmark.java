package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * The GPU benchmark, printed as Markdown tables for the README:
 * <ol>
 * <li>the batched Walsh-Hadamard transform, gq_wht_rows against one cuBLAS SGEMM by the Hadamard
 *     matrix (when libcublas.so.12 is there), per row length, with their largest difference;</li>
 * <li>every quantizer on device memory ({@link CudaBackend#quantizeDevice}, one whole call:
 *     allocation, copies of the tables, launches, statistics) against the cpu backend on all
 *     hardware threads, per bucket size.</li>
 * </ol>
 * Usage: {@code java -cp target/gradquant.jar io.gradquant.backend.CudaBenchmark [elements [repeats]]}
 * (default 2^24 elements, 10 timed repeats after one warm-up; medians are reported).
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
        CudaBackend cuda = new CudaBackend();
        out.println("device: " + cuda.device());
        out.println("elements: " + elements + ", repeats: " + repeats + " (medians)");
        float[] x = gaussian((int) elements);
        CudaProbe.verdict().device().makeCurrent();
        try (DeviceMemory data = DeviceMemory.allocate(4 * elements);
                DeviceMemory copy = DeviceMemory.allocate(4 * elements)) {
            hadamardTable(cuda, x, data, copy, repeats, out);
            quantizerTable(cuda, x, data, repeats, out);
        }
    }

    private static void hadamardTable(CudaBackend cuda, float[] x, DeviceMemory data, DeviceMemory copy, int repeats,
            PrintStream out) {
        String blas = CublasHadamard.unavailableReason();
        out.println();
        out.println("| row length | gq_wht_rows ms | cuBLAS SGEMM ms | max abs difference |");
        out.println("|---|---|---|---|");
        for (int size : new int[] {256, 1024, 4096}) {
            long rows = x.length / size;
            double[] kernel = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                upload(x, data.address());
                long t = System.nanoTime();
                cuda.transformRows(data.address(), rows, size);
                if (r >= 0) {
                    kernel[r] = (System.nanoTime() - t) / 1e6;
                }
            }
            String gemm = "unavailable: " + blas;
            String difference = "-";
            if (blas == null) {
                double[] ms = new double[repeats];
                try (CublasHadamard h = new CublasHadamard(size)) {
                    upload(x, copy.address());
                    for (int r = -1; r < repeats; r++) {
                        long t = System.nanoTime();
                        h.transform(copy.address(), data.address(), (int) rows);
                        if (r >= 0) {
                            ms[r] = (System.nanoTime() - t) / 1e6;
                        }
                    }
                    float[] viaGemm = download(data.address(), x.length);
                    upload(x, data.address());
                    cuda.transformRows(data.address(), rows, size);
                    float[] viaKernel = download(data.address(), x.length);
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

    private static void quantizerTable(CudaBackend cuda, float[] x, DeviceMemory data, int repeats, PrintStream out) {
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
                    upload(x, data.address());
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

    private static float[] gaussian(int n) {
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return x;
    }

    private static void upload(float[] x, long address) {
        check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(address), Pointer.to(x), 4L * x.length), "cuMemcpyHtoD(input)");
    }

    private static float[] download(long address, int n) {
        float[] y = new float[n];
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(y), DevicePointer.at(address), 4L * n), "cuMemcpyDtoH(output)");
        return y;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String format(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.3f" : "%.1f", ms);
    }
}
