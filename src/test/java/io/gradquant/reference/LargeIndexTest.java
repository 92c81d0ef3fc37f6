package io.gradquant.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.backend.CpuBackend;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * More than 2^31 elements in one call (8.6 GB of direct buffers): the buckets past index 2^31 are
 * compared with the reference kernel run on the same bucket with its real global index and
 * ordinal, which catches any 32-bit truncation of indices, counters or ordinals.
 */
class LargeIndexTest {
    static final int SEGMENT = 500_000_000;
    static final int TAIL = 148_532_347;        // 4 * SEGMENT + TAIL = 2^31 + 2^20 + 123
    static final int CHECKED = 3 * 4096 + 123;  // the random-valued end of the last segment

    @Test
    void bucketsPastTwoToTheThirtyFirstMatchTheReference() {
        FloatBuffer[] parts = new FloatBuffer[5];
        for (int i = 0; i < 5; i++) {
            int n = i < 4 ? SEGMENT : TAIL;
            parts[i] = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        Segments segments = Segments.of(parts);
        long total = segments.totalLength();
        assertEquals((1L << 31) + (1 << 20) + 123, total);
        FloatBuffer last = parts[4];
        float[] values = TestData.gradientLike(CHECKED, 31);
        CpuBackend cpu = new CpuBackend(2);
        for (QuantizerType type : new QuantizerType[] {QuantizerType.STANDARD, QuantizerType.HADAMARD,
                QuantizerType.EXPONENTIAL, QuantizerType.SMART}) {
            QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(4096).seed(-7).build();
            last.put(TAIL - CHECKED, values); // everything before stays zero, which every quantizer keeps
            long step = (1L << 33) + 5;
            QuantStats stats = cpu.quantize(spec, step, segments);
            assertEquals((total + 4095) / 4096, stats.buckets());
            BucketKernel kernel = JavaBackend.kernelFor(spec);
            long firstChecked = total - CHECKED;
            for (long start = firstChecked - firstChecked % 4096; start < total; start += 4096) {
                int n = (int) Math.min(4096, total - start);
                float[] bucket = new float[n];
                for (int i = 0; i < n; i++) {
                    long at = start + i - firstChecked;
                    bucket[i] = at < 0 ? 0.0f : values[(int) at];
                }
                kernel.quantize(bucket, n, start, start / 4096, step);
                for (int i = 0; i < n; i++) {
                    int local = (int) (start + i - 4L * SEGMENT);
                    assertEquals(Float.floatToRawIntBits(bucket[i]), Float.floatToRawIntBits(last.get(local)),
                            type + " element " + (start + i));
                }
            }
        }
    }
}
