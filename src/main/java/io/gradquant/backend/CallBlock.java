package io.gradquant.backend;

import io.gradquant.QuantizerSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one device allocation of a quantization call and what goes in it: the {@code gq::Call}
 * header (cuda/gq_call.cuh, 144 bytes, field offsets below, starting with the quantizer's
 * {@link SpecBlock}), the segment tables, the per-block partial statistics, the totals, the
 * per-block scratch, and, for host buffers, the data itself.
 * The header and tables go to the device in one copy.
 */
final class CallBlock {
    static final int HEADER_BYTES = 144;
    /** Doubles per block in the partials, and in the totals: variance, norm², non-finite, error. */
    static final int PARTIAL_WORDS = 4;

    final long addresses; // offsets within the allocation
    final long offsets;
    final long firstBucket; // -1 for spanning buckets
    final long partials;
    final long stats;
    final long scratch;
    final long data;
    final long bytes; // the whole allocation
    final long tableBytes; // header and tables: what encode() returns

    CallBlock(CallGeometry geometry, LaunchShape shape, long dataBytes) {
        int n = geometry.segments();
        addresses = HEADER_BYTES;
        offsets = addresses + 8L * n;
        long next = offsets + 8L * (n + 1);
        firstBucket = geometry.firstBucket() == null ? -1 : next;
        if (geometry.firstBucket() != null) {
            next += 8L * (n + 1);
        }
        tableBytes = next;
        partials = next;
        stats = partials + 8L * PARTIAL_WORDS * shape.grid();
        scratch = align(stats + 8L * PARTIAL_WORDS, 256);
        data = align(scratch + shape.scratchPerBlock() * shape.grid(), 256);
        bytes = data + dataBytes;
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
