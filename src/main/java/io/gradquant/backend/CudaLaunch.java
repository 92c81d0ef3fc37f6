package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Kernel launches on the legacy default stream of the device's primary context (made current by
 * the caller), each taking the device address of its {@code gq::Call}.
 */
final class CudaLaunch {
    private CudaLaunch() {
    }

    /**
     * Copies a call's header and tables to its region at device address {@code base}, with the
     * segments at {@code deviceAddresses}, or, if that is null, in the region's data area (host
     * segments, copied there by the caller); returns the segments' device addresses.
     */
    static long[] upload(CallBlock block, long base, QuantizerSpec spec, long step, CallGeometry g, LaunchShape shape,
            long[] deviceAddresses) {
        long[] addresses = deviceAddresses != null ? deviceAddresses : block.dataAddresses(base, g);
        byte[] table = block.encode(base, spec, step, g, shape, addresses);
        check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(base), Pointer.to(table), table.length),
                "cuMemcpyHtoD(call header and tables, " + table.length + " bytes)");
        return addresses;
    }

    /** Launches {@code kernel(const gq::Call*)} with the call block at {@code call}. */
    static void launch(CudaDevice device, CudaKernel kernel, int grid, int threads, int sharedBytes, long call) {
        Pointer parameters = Pointer.to(Pointer.to(new long[] {call}));
        check(JCudaDriver.cuLaunchKernel(device.function(kernel), grid, 1, 1, threads, 1, 1, sharedBytes, null, parameters,
                null), "cuLaunchKernel(" + kernel.symbol() + ", " + grid + " blocks of " + threads + " threads, "
                + sharedBytes + " bytes of shared memory)");
    }

    /**
     * The quantization launch of a call whose block is at device address {@code base} (in place,
     * or with a Codec: encode), the launch that adds up its statistics, and the statistics,
     * copied back: when this returns, both kernels have finished.
     *
     * @throws IllegalStateException if the kernel refused its scratch memory
     */
    static QuantStats quantize(CudaDevice device, LaunchShape shape, CallBlock block, long base, long buckets) {
        launch(device, shape.kernel(), shape.grid(), shape.threads(), shape.sharedBytes(), base);
        launch(device, CudaKernel.REDUCE_STATS, 1, reduceThreads(shape.grid()), 0, base);
        double[] stats = new double[CallBlock.PARTIAL_WORDS];
        // synchronous on the legacy default stream: waits for both kernels
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(stats), DevicePointer.at(base + block.stats),
                (long) Double.BYTES * stats.length), "cuMemcpyDtoH(statistics) after " + shape.kernel().symbol());
        if (stats[3] != 0) {
            throw new IllegalStateException(shape.kernel().symbol() + " refused its scratch memory (error " + stats[3]
                    + "): SmartLauncher and cuda/gq_smart.cu disagree on its layout");
        }
        return new QuantStats(stats[0], stats[1], buckets, (long) stats[2]);
    }

    private static int reduceThreads(int partials) {
        int t = 32;
        while (t < 256 && t < partials) {
            t <<= 1;
        }
        return t;
    }
}
