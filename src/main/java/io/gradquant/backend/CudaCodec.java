package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageLayout;
import io.gradquant.codec.MessageReader;
import io.gradquant.codec.MessageWriter;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Encode, decode and decodeAdd (docs/wire-format.md) for {@link CudaBackend}, on values in device
 * memory (or host segments copied there and back), with only the message crossing to or from the
 * host. Every call runs in the backend's {@link DeviceWorkspace}, holding its lock.
 *
 * <p>Encode: the quantization kernel, launched with a Codec, writes the records and codes into a
 * zeroed device copy of the message's first A bytes; the host copies them back, copies the values
 * of the RAW buckets (none: all values) into the raw area, and writes the header, the segment
 * table and the checksum. The checksum is computed on the host, over the host message: the message
 * has to come to the host anyway, and java.util.zip.CRC32C there is one well-tested implementation
 * shared with the java backend and the reader, so no CRC kernel (with its own combine step over
 * blocks) is needed.
 *
 * <p>Decode: {@link MessageReader#read} checks everything but the codes on the host (the checksum
 * included) before anything is copied; then the message goes to the device, gq_check_codes checks
 * every code, and only if none is out of range does gq_decode write the destination.
 */
final class CudaCodec {
    private final CudaDevice device;
    private final int onChipLimit;
    private final DeviceWorkspace workspace;

    CudaCodec(CudaDevice device, int onChipLimit, DeviceWorkspace workspace) {
        this.device = device;
        this.onChipLimit = onChipLimit;
        this.workspace = workspace;
    }

    /**
     * Encodes segments of {@code lengths}: at device addresses {@code deviceAddresses}, or, if that
     * is null, the host segments {@code host} (copied to the device, and back for write-back).
     */
    Encoded encode(QuantizerSpec spec, long step, long[] lengths, long[] deviceAddresses, Segments host, ByteBuffer out,
            boolean writeBack) {
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("the output buffer is read-only");
        }
        long most = WireFormat.maxEncodedBytes(spec, lengths);
        if (out.remaining() < most) {
            throw new IllegalArgumentException("the output buffer has " + out.remaining() + " bytes remaining, but a message"
                    + " of " + spec + " over these segments may take up to " + most);
        }
        WireFormat.Sizes sizes = WireFormat.sizes(spec, lengths);
        int origin = out.position();
        CallGeometry g = CallGeometry.of(spec, lengths);
        QuantStats stats = new QuantStats(0.0, 0.0, 0, 0);
        long rawValues = 0;
        if (g.buckets() == 0) {
            HostBytes.zero(out, origin + sizes.table(), sizes.raw() - sizes.table()); // the padding after the segment table
        } else {
            LaunchShape shape = KernelFamily.of(spec).shape(spec, g.buckets(), g.largestBucket(), device.multiprocessors,
                    onChipLimit);
            CallBlock block = new CallBlock(g, shape, host == null ? 0 : Float.BYTES * g.total(),
                    CodecBlock.encode(spec, sizes, g.segments(), writeBack));
            synchronized (workspace) {
                device.makeCurrent();
                long base = workspace.reserve(block.bytes);
                long[] addresses = CudaLaunch.upload(block, base, spec, step, g, shape, deviceAddresses);
                long table = base + block.message + sizes.table();
                check(JCudaDriver.cuMemsetD8(DevicePointer.at(table), (byte) 0, sizes.raw() - sizes.table()),
                        "cuMemsetD8(message records and codes, " + (sizes.raw() - sizes.table()) + " bytes)");
                if (host != null) {
                    HostCopy.toDevice(host, base + block.data, g.offsets());
                }
                stats = CudaLaunch.quantize(device, shape, block, base, g.buckets());
                HostBytes.toHost(table, out, origin + sizes.table(), sizes.raw() - sizes.table(), "records and codes");
                rawValues = placeRaw(spec, sizes, g, addresses, out, origin);
                if (host != null && writeBack) {
                    HostCopy.toHost(base + block.data, g.offsets(), host);
                }
            }
        }
        long length = MessageWriter.finishFrame(out, origin, spec, step, lengths, sizes, rawValues);
        out.position(Math.toIntExact(origin + length));
        return new Encoded(length, stats);
    }

    /**
     * Decodes {@code message} (position to limit) into segments of {@code lengths}: at device
     * addresses {@code deviceAddresses}, or, if that is null, the host segments {@code host}.
     */
    void decode(ByteBuffer message, long[] lengths, long[] deviceAddresses, Segments host, boolean add, float weight) {
        MessageLayout layout = MessageReader.read(message, lengths);
        QuantizerSpec spec = layout.spec();
        CallGeometry g = CallGeometry.of(spec, lengths);
        if (g.buckets() == 0) {
            return;
        }
        long[] rawBuckets = layout.rawBuckets();
        long[] rawStarts = new long[rawBuckets.length];
        for (int i = 0; i < rawBuckets.length; i++) {
            rawStarts[i] = (layout.rawOffset(rawBuckets[i]) - layout.rawOffset()) / Float.BYTES;
        }
        LaunchShape shape = decodeShape(spec, g);
        CallBlock block = new CallBlock(g, shape, host == null ? 0 : Float.BYTES * g.total(),
                CodecBlock.decode(spec, WireFormat.sizes(spec, lengths), g.segments(), rawBuckets, rawStarts,
                        layout.length(), add, weight));
        synchronized (workspace) {
            device.makeCurrent();
            long base = workspace.reserve(block.bytes);
            long[] addresses = CudaLaunch.upload(block, base, spec, layout.step(), g, shape, deviceAddresses);
            HostBytes.toDevice(message, message.position(), layout.length(), base + block.message, "message");
            if (spec.type() != QuantizerType.NONE) {
                checkCodes(layout, shape, block, base);
            }
            if (host != null && add) {
                HostCopy.toDevice(host, base + block.data, g.offsets());
            }
            CudaLaunch.launch(device, CudaKernel.DECODE, shape.grid(), shape.threads(), shape.sharedBytes(), base);
            if (host != null) {
                HostCopy.toHost(base + block.data, g.offsets(), host); // synchronous: waits for gq_decode
            } else {
                check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize after gq_decode");
            }
        }
    }

    /**
     * gq_decode's launch: hadamard's shape (its rotated bucket in shared memory or in global
     * scratch, as gq_hadamard keeps it); for the others, threads for the largest bucket and no
     * shared memory.
     */
    private LaunchShape decodeShape(QuantizerSpec spec, CallGeometry g) {
        if (spec.type() == QuantizerType.HADAMARD) {
            LaunchShape h = new HadamardLauncher().shape(spec, g.buckets(), g.largestBucket(), device.multiprocessors,
                    onChipLimit);
            return new LaunchShape(CudaKernel.DECODE, h.threads(), h.grid(), h.onChip(), h.sharedBytes(),
                    h.scratchPerBlock(), 0);
        }
        int threads = LaunchShape.threadsFor(g.largestBucket());
        return new LaunchShape(CudaKernel.DECODE, threads, LaunchShape.gridFor(g.buckets(), threads, device.multiprocessors,
                0), 0, 0, 0, 0);
    }

    /**
     * Runs gq_check_codes; if a bucket holds a code out of range, throws the reader's own
     * MessageException for it (MessageLayout.checkCodes) before anything is written.
     */
    private void checkCodes(MessageLayout layout, LaunchShape shape, CallBlock block, long base) {
        CudaLaunch.launch(device, CudaKernel.CHECK_CODES, shape.grid(), shape.threads(), 0, base);
        long[] firstBad = new long[shape.grid()];
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(firstBad), DevicePointer.at(base + block.firstBad),
                (long) Long.BYTES * firstBad.length), "cuMemcpyDtoH(first bad buckets) after gq_check_codes");
        long bad = Long.MAX_VALUE;
        for (long b : firstBad) {
            if (b >= 0) {
                bad = Math.min(bad, b);
            }
        }
        if (bad == Long.MAX_VALUE) {
            return;
        }
        int[] codes = new int[layout.codeCount(bad)];
        layout.codes(bad, codes);
        layout.checkCodes(bad, codes);
        throw new IllegalStateException("gq_check_codes refused bucket " + bad + ", whose codes the reader accepts");
    }

    /**
     * Copies the values of the RAW buckets (none: every value), in bucket order, from the device
     * segments to the raw area of the message at {@code origin}; returns how many (V). The
     * records, already in {@code out}, say which buckets are RAW.
     */
    private static long placeRaw(QuantizerSpec spec, WireFormat.Sizes sizes, CallGeometry g, long[] addresses,
            ByteBuffer out, int origin) {
        long raw = origin + sizes.raw();
        if (spec.type() == QuantizerType.NONE) {
            copyValues(g, addresses, 0, g.total(), out, raw);
            return g.total();
        }
        BucketPlan plan = sizes.plan();
        long values = 0;
        for (long b = 0; b < sizes.buckets(); b++) {
            if (out.get(Math.toIntExact(origin + sizes.table() + b * sizes.recordBytes())) == WireFormat.KIND_RAW) {
                int n = plan.length(b);
                copyValues(g, addresses, plan.start(b), n, out, raw + (long) Float.BYTES * values);
                values += n;
            }
        }
        return values;
    }

    /** Copies flat elements [start, start + n) of the device segments to {@code out[at ...]}. */
    private static void copyValues(CallGeometry g, long[] addresses, long start, long n, ByteBuffer out, long at) {
        long[] offsets = g.offsets();
        for (int s = 0; s < addresses.length; s++) {
            long from = Math.max(start, offsets[s]);
            long to = Math.min(start + n, offsets[s + 1]);
            if (from >= to) {
                continue;
            }
            HostBytes.toHost(addresses[s] + Float.BYTES * (from - offsets[s]), out, at + Float.BYTES * (from - start),
                    Float.BYTES * (to - from), "raw values of segment " + s);
        }
    }
}
