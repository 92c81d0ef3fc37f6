package io.gradquant.backend;

import io.gradquant.QuantizerSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one device region of a call and what goes in it: the {@code gq::Call} header
 * (cuda/gq_call.cuh, 144 bytes, field offsets below, starting with the quantizer's
 * {@link SpecBlock}), the segment tables, for encode and decode the {@link CodecBlock} and its
 * tables, the per-block partial statistics, the totals, the per-block scratch, for host buffers
 * the data itself, and for encode and decode the device copy of the message.
 * The header and tables go to the device in one copy.
 */
final class CallBlock {
    static final int HEADER_BYTES = 144;
    /** Doubles per block in the partials, and in the totals: variance, norm², non-finite, error. */
    static final int PARTIAL_WORDS = 4;

    final long addresses; // offsets within the allocation
    final long offsets;
    final long firstBucket; // -1 for spanning buckets
    final long codecBlock; // -1 for in-place quantize
    final long partials;
    final long stats;
    final long scratch;
    final long data;
    final long firstBad; // gq_check_codes' word per block (decode), else -1
    final long message; // the device copy of the message (encode and decode), else -1
    final long bytes; // the whole region
    final long tableBytes; // header and tables: what encode() returns
    private final CodecBlock codec;

    /** @param codec the message side of an encode or decode, or null for in-place quantize */
    CallBlock(CallGeometry geometry, LaunchShape shape, long dataBytes, CodecBlock codec) {
        this.codec = codec;
        int n = geometry.segments();
        addresses = HEADER_BYTES;
        offsets = addresses + 8L * n;
        long next = offsets + 8L * (n + 1);
        firstBucket = geometry.firstBucket() == null ? -1 : next;
        if (geometry.firstBucket() != null) {
            next += 8L * (n + 1);
        }
        codecBlock = codec == null ? -1 : next;
        if (codec != null) {
            next += codec.tableBytes();
        }
        tableBytes = next;
        partials = next;
        stats = partials + 8L * PARTIAL_WORDS * shape.grid();
        firstBad = codec == null ? -1 : stats + 8L * PARTIAL_WORDS;
        long afterStats = stats + 8L * PARTIAL_WORDS + (codec == null ? 0 : 8L * shape.grid());
        scratch = align(afterStats, 256);
        data = align(scratch + shape.scratchPerBlock() * shape.grid(), 256);
        message = codec == null ? -1 : align(data + dataBytes, 256);
        bytes = codec == null ? data + dataBytes : message + codec.messageBytes();
    }

    /** The device addresses of host segments copied into the data area of a region at {@code base}. */
    long[] dataAddresses(long base, CallGeometry g) {
        long[] out = new long[g.segments()];
        for (int s = 0; s < out.length; s++) {
            out[s] = base + data + Float.BYTES * g.offsets()[s];
        }
        return out;
    }

    /**
     * The header and tables, for an allocation at device address {@code base}, with the segments'
     * device addresses.
     */
    byte[] encode(long base, QuantizerSpec spec, long step, CallGeometry g, LaunchShape shape, long[] segmentAddresses) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(tableBytes)).order(ByteOrder.LITTLE_ENDIAN);
        SpecBlock.write(spec, b, 0);
        b.putLong(40, step);
        b.putLong(48, g.buckets());
        b.putLong(56, g.total());
        b.putLong(64, base + addresses);
        b.putLong(72, base + offsets);
        b.putLong(80, firstBucket < 0 ? 0 : base + firstBucket);
        b.putLong(88, base + partials);
        b.putLong(96, base + scratch);
        b.putLong(104, shape.scratchPerBlock());
        b.putLong(112, base + stats);
        b.putInt(120, g.segments());
        b.putInt(124, shape.onChip());
        b.putInt(128, shape.grid());
        b.putInt(132, shape.maxSample());
        b.putLong(136, codec == null ? 0 : base + codecBlock);
        if (codec != null) {
            codec.write(b, Math.toIntExact(codecBlock), base + codecBlock, base + message, base + firstBad);
        }
        for (int s = 0; s < g.segments(); s++) {
            b.putLong(Math.toIntExact(addresses + 8L * s), segmentAddresses[s]);
        }
        for (int s = 0; s <= g.segments(); s++) {
            b.putLong(Math.toIntExact(offsets + 8L * s), g.offsets()[s]);
            if (firstBucket >= 0) {
                b.putLong(Math.toIntExact(firstBucket + 8L * s), g.firstBucket()[s]);
            }
        }
        return b.array();
    }

    private static long align(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
