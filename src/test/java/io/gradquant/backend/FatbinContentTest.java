package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.gradquant.CudaTesting;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The fatbin in the jar holds every kernel as SASS for sm_75, sm_80, sm_86, sm_89 and sm_90, and as
 * PTX for compute_75, uncompressed. Fails if the fatbin is missing, unless the build was made
 * without it on purpose (-Dgradquant.cuda=off).
 */
class FatbinContentTest {
    static final List<Integer> SASS = List.of(75, 80, 86, 89, 90);

    @Test
    void everyKernelForEveryArchitecture() throws Exception {
        byte[] image = Fatbin.image();
        if (image == null) {
            CudaTesting.missingKernels("no CUDA fatbin on the class path");
        }
        List<Fatbin.Entry> entries = Fatbin.entries(image);
        Set<String> kernels = Arrays.stream(CudaKernel.values()).map(CudaKernel::symbol)
                .collect(Collectors.toCollection(TreeSet::new));
        List<Integer> sass = entries.stream().filter(e -> !e.isPtx()).map(Fatbin.Entry::architecture).sorted().toList();
        List<Integer> ptx = entries.stream().filter(Fatbin.Entry::isPtx).map(Fatbin.Entry::architecture).toList();
        assertEquals(SASS, sass, "SASS architectures");
        assertEquals(List.of(75), ptx, "PTX architectures");
        for (Fatbin.Entry e : entries) {
            String what = (e.isPtx() ? "PTX compute_" : "SASS sm_") + e.architecture();
            assertEquals(0, e.flags() & Fatbin.FLAG_COMPRESSED, what + " is compressed");
            assertTrue(e.kernels().containsAll(kernels), what + " has " + e.kernels() + ", needs " + kernels);
        }
        assertEquals("SASS sm_75 sm_80 sm_86 sm_89 sm_90, PTX compute_75", Fatbin.describe(entries));
    }

    @Test
    void refusesWhatIsNotAFatbin() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> Fatbin.entries(new byte[] {0x7f, 'E', 'L', 'F', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})).getMessage();
        assertTrue(m.contains("magic"), m);
        byte[] truncated = new byte[16];
        ByteBuffer.wrap(truncated).order(ByteOrder.LITTLE_ENDIAN).putInt(Fatbin.MAGIC).putShort((short) 1)
                .putShort((short) 16).putLong(1000);
        m = assertThrows(IllegalArgumentException.class, () -> Fatbin.entries(truncated)).getMessage();
        assertTrue(m.contains("exceeds"), m);
    }
}
