package io.gradquant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.backend.Backend;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad message of {@link BadMessages} is refused by a backend's decode and decodeAdd with a
 * {@link MessageException} naming the field at fault, and the destination keeps every bit. A
 * backend's test extends this class and says how to make the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DecoderErrorsContract {
    private Backend backend;

    /** The backend under test; closed after the class's tests. */
    protected abstract Backend newBackend();

    @BeforeAll
    void open() {
        backend = newBackend();
    }

    @AfterAll
    void close() {
        backend.close();
    }

    static Stream<BadMessages.Base> bases() {
        return BadMessages.BASES.stream();
    }

    static Stream<BadMessages.Case> cases() {
        return BadMessages.cases().stream();
    }

    /** The base messages are valid (else the cases would test nothing). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void theBaseMessagesDecode(BadMessages.Base base) {
        Segments d = base.destination();
        backend.decode(base.message().direct(), d);
        assertFalse(java.util.Arrays.equals(bits(TestData.flatten(base.destination())), bits(TestData.flatten(d))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodeRefusesNamingTheFieldAndWritesNothing(BadMessages.Case c) {
        for (ByteBuffer message : new ByteBuffer[] {c.bytes().direct(), c.bytes().buffer()}) {
            Segments d = c.base().destination();
            int[] before = bits(TestData.flatten(d));
            MessageException e = assertThrows(MessageException.class, () -> backend.decode(message, d), c.toString());
            assertEquals(c.field(), e.field(), c + ": " + e.getMessage());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            assertArrayEquals(before, bits(TestData.flatten(d)), c + ": the destination was written");
            assertEquals(0, message.position(), "decode moved the message's position");

            MessageException added = assertThrows(MessageException.class, () -> backend.decodeAdd(message, d, 0.5f));
            assertEquals(c.field(), added.field(), c + ": " + added.getMessage());
            assertArrayEquals(before, bits(TestData.flatten(d)), c + ": decodeAdd wrote to the destination");
        }
    }

    /** A valid message for other segments: the lengths or the count differ from the destination. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void aDestinationOfOtherSegmentsIsRefused(BadMessages.Base base) {
        int[] lengths = base.lengths();
        int[] longer = lengths.clone();
        longer[0]++;
        int[] fewer = java.util.Arrays.copyOf(lengths, lengths.length - 1);
        int[] more = java.util.Arrays.copyOf(lengths, lengths.length + 1);
        int[] moved = lengths.clone(); // the same total
        moved[moved.length - 1]--;
        moved[0]++;
        assertRefused(base, longer, "segment lengths");
        if (lengths.length > 1) {
            assertRefused(base, moved, "segment lengths");
        }
        assertRefused(base, fewer, "segment count");
        assertRefused(base, more, "segment count");
    }

    private void assertRefused(BadMessages.Base base, int[] lengths, String field) {
        float[] values = new float[java.util.Arrays.stream(lengths).sum()];
        java.util.Arrays.fill(values, 3.25f);
        Segments d = TestData.directSegments(values, lengths);
        MessageException e = assertThrows(MessageException.class, () -> backend.decode(base.message().direct(), d));
        assertEquals(field, e.field(), e.getMessage());
        MessageException added = assertThrows(MessageException.class,
                () -> backend.decodeAdd(base.message().direct(), d, 1.0f));
        assertEquals(field, added.field(), added.getMessage());
        for (float v : TestData.flatten(d)) {
            assertEquals(3.25f, v);
        }
    }

    static int[] bits(float[] v) {
        return RoundTripContract.bits(v);
    }
}
