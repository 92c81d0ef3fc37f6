package io.gradquant.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gradquant.QuantizerType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Messages whose fields agree with each other and with a destination of the claimed (astronomical)
 * lengths, but claim more than their bytes can hold: the reader refuses them by arithmetic on the
 * fields, quickly, without allocating or walking what they claim. The destination here is only a
 * list of lengths; no backend could hold it.
 */
class ClaimedSizesTest {
    /** A header-only message of one segment of {@code elements}, with the counts the plan gives, checksummed. */
    static MessageBytes claim(QuantizerType type, int levels, int bucket, long elements, long buckets, long raw) {
        MessageBytes m = new MessageBytes(new byte[96]);
        m.i32(WireFormat.AT_MAGIC, WireFormat.MAGIC).u16(WireFormat.AT_VERSION, 1).u8(WireFormat.AT_QUANTIZER, type.id())
                .u16(WireFormat.AT_LEVELS, levels).u8(WireFormat.AT_CODE_BITS, WireFormat.codeBits(type, levels))
                .i32(WireFormat.AT_BUCKET_SIZE, bucket).i64(WireFormat.AT_ELEMENTS, elements)
                .i64(WireFormat.AT_BUCKETS, buckets).i64(WireFormat.AT_RAW_VALUES, raw).lengthField(96)
                .i32(WireFormat.AT_SEGMENTS, 1).i64(WireFormat.HEADER_BYTES, elements);
        return m.fixChecksum();
    }

    @ParameterizedTest(name = "{0} levels={1} bucket={2} N={3} B={4} V={5}")
    @CsvSource({
        // 2^62 buckets of one value: B·R overflows
        "STANDARD, 16, 1, 4611686018427387904, 4611686018427387904, 0",
        // 2^62 values in hadamard buckets of 2^30: 2^62 bytes of codes
        "HADAMARD, 256, 1073741824, 4611686018427387904, 4294967296, 0",
        // all 2^62 values raw: 4·V overflows
        "NONE, 16, 512, 4611686018427387904, 0, 4611686018427387904",
        // fits in a long, not in 96 bytes
        "SMART, 256, 7, 1099511627776, 157073089683, 0",
        "EXPONENTIAL, 4, 2147483647, 1099511627776, 513, 1099511627776",
    })
    void claimsBeyondTheMessageAreRefusedByArithmetic(QuantizerType type, int levels, int bucket, long elements,
            long buckets, long raw) {
        MessageBytes m = claim(type, levels, bucket, elements, buckets, raw);
        if (type == QuantizerType.SMART) {
            m.f64(WireFormat.AT_SMART_FRACTION, 0.5).fixChecksum();
        }
        MessageException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(MessageException.class, () -> MessageReader.read(m.buffer(), new long[] {elements})));
        assertEquals("message length", e.field(), e.getMessage());
    }

    /** The bucket count is checked against the plan before anything uses it. */
    @Test
    void aBucketCountOtherThanThePlansIsRefusedBeforeUse() {
        MessageBytes m = claim(QuantizerType.STANDARD, 16, 512, 1L << 40, Long.MAX_VALUE, 0);
        MessageException e = assertThrows(MessageException.class, () -> MessageReader.read(m.buffer(), new long[] {1L << 40}));
        assertEquals("bucket count", e.field(), e.getMessage());
    }

    /** 2^31 - 1 segments claimed in a 96-byte message: refused before the table is read. */
    @Test
    void aSegmentTableBeyondTheMessageIsRefusedBeforeItIsRead() {
        MessageBytes m = claim(QuantizerType.STANDARD, 16, 512, 0, 0, 0).i32(WireFormat.AT_SEGMENTS, Integer.MAX_VALUE)
                .fixChecksum();
        MessageException e = assertThrows(MessageException.class, () -> MessageReader.read(m.buffer(), new long[] {0}));
        assertEquals("segment count", e.field(), e.getMessage());
    }

    /** A hadamard bucket of more than 2^30 values would pad to 2^31: no backend can quantize or decode it. */
    @Test
    void hadamardBucketsOfMoreThanTwoToTheThirtyValuesAreRefused() {
        long n = (1L << 30) + 1;
        MessageBytes m = claim(QuantizerType.HADAMARD, 16, Integer.MAX_VALUE, n, 1, 0);
        MessageException e = assertThrows(MessageException.class, () -> MessageReader.read(m.buffer(), new long[] {n}));
        assertEquals("bucket size", e.field(), e.getMessage());
        // 2^30 values are allowed as far as the bucket size goes (this message is then far too short)
        MessageBytes fits = claim(QuantizerType.HADAMARD, 16, Integer.MAX_VALUE, n - 1, 1, 0);
        e = assertThrows(MessageException.class, () -> MessageReader.read(fits.buffer(), new long[] {n - 1}));
        assertEquals("message length", e.field(), e.getMessage());
    }
}
