package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gradquant.Segments;
import io.gradquant.TestData;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class CpuCopyTest {
    @Test
    void copiesEveryElementOnSeveralThreads() {
        float[] x = TestData.gradientLike(300_007, 2);
        FloatBuffer src = Segments.directCopy(x);
        FloatBuffer dst = Segments.directCopy(new float[x.length]);
        new CpuBackend(3).copy(src, dst);
        assertArrayEquals(x, TestData.flatten(Segments.of(dst)));
    }

    @Test
    void refusesHeapBuffersAndLengthMismatch() {
        FloatBuffer direct = Segments.directCopy(new float[10]);
        CpuBackend cpu = new CpuBackend(1);
        assertThrows(IllegalArgumentException.class, () -> cpu.copy(direct, FloatBuffer.allocate(10)));
        assertThrows(IllegalArgumentException.class, () -> cpu.copy(direct, Segments.directCopy(new float[11])));
    }
}
