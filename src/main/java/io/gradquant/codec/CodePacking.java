package io.gradquant.codec;

import java.nio.ByteBuffer;

/**
 * Codes of b bits packed least significant bit first: code i of a bucket occupies bits
 * [i·b, i·b + b) of the bucket's code bytes, bit j being bit (j mod 8) of byte ⌊j / 8⌋.
 */
final class CodePacking {
    private CodePacking() {
    }

    /** Writes {@code codes[0..count)} at {@code at}, each below 2^bits; unused bits of the last byte are zero. */
    static void pack(ByteBuffer out, int at, int[] codes, int count, int bits) {
        long pending = 0;
        int pendingBits = 0;
        int pos = at;
        for (int i = 0; i < count; i++) {
            pending |= (long) codes[i] << pendingBits;
            pendingBits += bits;
            while (pendingBits >= 8) {
                out.put(pos++, (byte) pending);
                pending >>>= 8;
                pendingBits -= 8;
            }
        }
        if (pendingBits > 0) {
            out.put(pos, (byte) pending);
        }
    }

    /** Reads {@code count} codes of {@code bits} bits starting at {@code at} into {@code codes}. */
    static void unpack(ByteBuffer in, int at, int[] codes, int count, int bits) {
        int mask = (1 << bits) - 1;
        long pending = 0;
        int pendingBits = 0;
        int pos = at;
        for (int i = 0; i < count; i++) {
            if (pendingBits < bits) {
                pending |= (long) (in.get(pos++) & 0xFF) << pendingBits;
                pendingBits += 8;
            }
            codes[i] = (int) (pending & mask);
            pending >>>= bits;
            pendingBits -= bits;
        }
    }
}
