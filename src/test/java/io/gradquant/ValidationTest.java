package io.gradquant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.backend.Backends;
import io.gradquant.backend.CpuBackend;
import io.gradquant.backend.CudaBackend;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Bad input is refused with a message naming the value and what is allowed, before anything is written. */
class ValidationTest {
    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void specFieldsAreValidated() {
        String m = message(() -> QuantizerSpec.builder(QuantizerType.STANDARD).levels(1).build());
        assertTrue(m.contains("levels 1") && m.contains("[2, 256]"), m);
        m = message(() -> QuantizerSpec.builder(QuantizerType.STANDARD).levels(257).build());
        assertTrue(m.contains("257") && m.contains("[2, 256]"), m);
        m = message(() -> QuantizerSpec.builder(QuantizerType.EXPONENTIAL).levels(3).build());
        assertTrue(m.contains("levels 3") && m.contains("exponential") && m.contains("[4, 256]"), m);
        m = message(() -> QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(0).build());
        assertTrue(m.contains("bucket size 0") && m.contains(">= 1"), m);
        for (double f : new double[] {0.0, -0.5, 1.5, Double.NaN}) {
            m = message(() -> QuantizerSpec.builder(QuantizerType.SMART).smartFraction(f).build());
            assertTrue(m.contains(String.valueOf(f)) && m.contains("(0, 1]"), m);
        }
        m = message(() -> QuantizerType.parse("ternary"));
        assertTrue(m.contains("ternary") && m.contains("none, standard, smart, hadamard, exponential"), m);
    }

    @Test
    void smartSampleSizeFollowsTheFormula() {
        QuantizerSpec s = QuantizerSpec.builder(QuantizerType.SMART).smartFraction(0.01).build();
        assertEquals(3, s.smartSampleSize(3));
        assertEquals(512, s.smartSampleSize(512));
        assertEquals(512, s.smartSampleSize(51200));
        assertEquals(1000, s.smartSampleSize(100_000));
        assertEquals(1001, s.smartSampleSize(100_001));
    }

    @Test
    void cpuBackendRefusesBuffersItCannotWriteInPlaceAndWritesNothing() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(4).build();
        float[] values = TestData.gradientLike(100, 1);
        FloatBuffer direct = Segments.directCopy(values);
        FloatBuffer heap = FloatBuffer.wrap(values.clone());
        CpuBackend cpu = new CpuBackend(1);
        String m = message(() -> cpu.quantize(spec, 0, Segments.of(direct, heap)));
        assertTrue(m.contains("segment 1") && m.contains("heap buffer") && m.contains("direct"), m);
        assertArrayEquals(values, TestData.flatten(Segments.of(direct)), "the valid segment must be untouched");

        FloatBuffer bigEndian = ByteBuffer.allocateDirect(400).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
        m = message(() -> cpu.quantize(spec, 0, Segments.of(direct, bigEndian)));
        assertTrue(m.contains("segment 1") && m.contains("BIG_ENDIAN"), m);
        assertArrayEquals(values, TestData.flatten(Segments.of(direct)));

        m = message(() -> Segments.of(direct, direct.asReadOnlyBuffer()));
        assertTrue(m.contains("segment 1") && m.contains("read-only"), m);
        m = message(() -> cpu.quantizeAddresses(spec, 0, new long[] {0}, new long[] {10}));
        assertTrue(m.contains("segment 0") && m.contains("non-null"), m);
    }

    @Test
    void backendsAreChosenByNameWithReasons() {
        String m = message(() -> Backends.create("tpu", 1));
        assertTrue(m.contains("tpu") && m.contains("auto, java, cpu, cuda"), m);
        Backends.Choice auto = Backends.create("auto", 1);
        if (CudaBackend.unavailableReason() == null) { // a machine with a usable GPU
            assertEquals("cuda", auto.backend().name());
        } else {
            String cuda = assertThrows(IllegalStateException.class, () -> Backends.create("cuda", 1)).getMessage();
            assertEquals("backend cuda is unavailable: " + CudaBackend.unavailableReason(), cuda);
            assertEquals("cpu", auto.backend().name());
            assertTrue(auto.reason().contains("cuda unavailable: " + CudaBackend.unavailableReason()), auto.reason());
            assertTrue(auto.reason().lines().count() == 1, auto.reason());
        }
        assertEquals(3, Backends.probe().size());
    }
}
