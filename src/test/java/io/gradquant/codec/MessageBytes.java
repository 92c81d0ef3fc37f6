package io.gradquant.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** A message's bytes, to read and change field by field in tests (offsets from docs/wire-format.md). */
public final class MessageBytes {
    private byte[] bytes;

    public MessageBytes(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    /** The bytes from {@code message}'s position to its limit. */
    public static MessageBytes of(ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.duplicate().get(b);
        return new MessageBytes(b);
    }

    public MessageBytes copy() {
        return new MessageBytes(bytes);
    }

    public int length() {
        return bytes.length;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** A little-endian heap buffer over a copy of the bytes. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A direct buffer holding a copy of the bytes, at position 0. */
    public ByteBuffer direct() {
        ByteBuffer d = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        d.put(bytes).flip();
        return d;
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int u8(int at) {
        return bytes[at] & 0xFF;
    }

    public int u16(int at) {
        return view().getShort(at) & 0xFFFF;
    }

    public int i32(int at) {
        return view().getInt(at);
    }

    public long i64(int at) {
        return view().getLong(at);
    }

    public float f32(int at) {
        return view().getFloat(at);
    }

    public double f64(int at) {
        return view().getDouble(at);
    }

    public MessageBytes u8(int at, int v) {
        bytes[at] = (byte) v;
        return this;
    }

    public MessageBytes u16(int at, int v) {
        view().putShort(at, (short) v);
        return this;
    }

    public MessageBytes i32(int at, int v) {
        view().putInt(at, v);
        return this;
    }

    public MessageBytes i64(int at, long v) {
        view().putLong(at, v);
        return this;
    }

    public MessageBytes f32(int at, float v) {
        view().putFloat(at, v);
        return this;
    }

    public MessageBytes f64(int at, double v) {
        view().putDouble(at, v);
        return this;
    }

    /** Cuts or extends (with zeros) the bytes to {@code length}. */
    public MessageBytes resize(int length) {
        bytes = Arrays.copyOf(bytes, length);
        return this;
    }

    /** Stores {@code length} in the header's message length field. */
    public MessageBytes lengthField(long length) {
        return i64(WireFormat.AT_LENGTH, length);
    }

    /** Rewrites the trailing CRC32C so that it matches the bytes before it. */
    public MessageBytes fixChecksum() {
        if (bytes.length >= WireFormat.CHECKSUM_BYTES) {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - WireFormat.CHECKSUM_BYTES);
            view().putInt(bytes.length - WireFormat.CHECKSUM_BYTES, (int) crc.getValue());
        }
        return this;
    }

    // Layout read from the header, for tests that find a record or a code.
    public int segmentCount() {
        return i32(WireFormat.AT_SEGMENTS);
    }

    public long buckets() {
        return i64(WireFormat.AT_BUCKETS);
    }

    public int tableOffset() {
        return WireFormat.HEADER_BYTES + 8 * segmentCount();
    }

    /** R of the header's quantizer and levels; 0 for an unknown quantizer. */
    public int recordBytes() {
        io.gradquant.QuantizerType type = io.gradquant.QuantizerType.fromId(u8(WireFormat.AT_QUANTIZER));
        return type == null ? 0 : WireFormat.recordBytes(type, u16(WireFormat.AT_LEVELS));
    }

    public int recordOffset(long bucket) {
        return (int) (tableOffset() + bucket * recordBytes());
    }

    public int codesOffset() {
        return (int) WireFormat.align(tableOffset() + buckets() * recordBytes());
    }

    /** The first bucket of kind {@code kind}, or -1. */
    public long firstBucketOfKind(int kind) {
        for (long b = 0; b < buckets(); b++) {
            if (u8(recordOffset(b)) == kind) {
                return b;
            }
        }
        return -1;
    }
}
