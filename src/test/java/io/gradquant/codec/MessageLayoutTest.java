package io.gradquant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.TestData;
import io.gradquant.reference.JavaBackend;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Random access into a checked message: what native and CUDA decoders use to find a bucket's parts. */
class MessageLayoutTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"STANDARD, SPANNING", "STANDARD, PER_SEGMENT", "HADAMARD, PER_SEGMENT", "SMART, SPANNING",
        "EXPONENTIAL, PER_SEGMENT"})
    void offsetsOfEveryBucketAreTheRunningSums(QuantizerType type, BucketLayout layout) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(100).levels(8).layout(layout).build();
        int[] lengths = {250, 0, 99, 1, 301};
        float[] x = RoundTripContract.input(spec, lengths, 4);
        ByteBuffer message = RoundTripContract.encode(new JavaBackend(), spec, 6, TestData.directSegments(x, lengths), false);
        MessageLayout m = MessageReader.read(message, RoundTripContract.longs(lengths));
        assertEquals(type, m.type());
        assertEquals(6, m.step());
        assertEquals(Arrays.stream(lengths).sum(), m.elements());
        assertArrayEquals(RoundTripContract.longs(lengths), m.segmentLengths());
        long code = m.codesOffset();
        long raw = 0;
        int rawBuckets = 0;
        int[] codes = new int[128];
        for (long b = 0; b < m.buckets(); b++) {
            int n = m.plan().length(b);
            assertEquals(m.tableOffset() + b * m.recordBytes(), m.recordOffset(b));
            assertEquals(code, m.codeOffset(b), "bucket " + b);
            assertEquals(WireFormat.codeCount(type, n), m.codeCount(b));
            if (m.kind(b) == WireFormat.KIND_RAW) {
                assertEquals(m.rawOffset() + 4 * raw, m.rawOffset(b), "bucket " + b);
                raw += n;
                rawBuckets++;
            } else {
                long at = b;
                assertThrows(IllegalArgumentException.class, () -> m.rawOffset(at));
            }
            if (m.kind(b) == WireFormat.KIND_QUANTIZED) {
                m.codes(b, codes);
                m.checkCodes(b, codes);
            }
            code += WireFormat.codeBytes(type, spec.levels(), n);
        }
        assertEquals(raw, m.rawValues());
        assertEquals(m.rawOffset() + 4 * raw + 4, m.length());
        // the input makes buckets 1 (NaN), 3 (±0) and 5 (Inf) RAW for every quantizer; 6 (±3e38)
        // overflows hadamard's rotation and exponential's top point; 7 rotates to a constant
        int expected = switch (type) {
            case HADAMARD -> 5;
            case EXPONENTIAL -> 4;
            default -> 3;
        };
        assertEquals(expected, rawBuckets, "RAW buckets");
    }
}
