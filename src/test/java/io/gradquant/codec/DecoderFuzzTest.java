package io.gradquant.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gradquant.backend.CpuBackend;
import io.gradquant.reference.JavaBackend;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the decoders ({@link DecoderFuzzing}, one {@code @FuzzTest} per backend). The files in
 * src/test/resources/io/gradquant/codec/DecoderFuzzTestInputs/ are the seed corpus, shared by every
 * method of this class: {@code mvn verify} replays them all (Jazzer's regression mode); they are
 * written by {@link FuzzSeeds}. Real fuzzing, one backend at a time (docs/wire-format.md):
 * {@code JAZZER_FUZZ=1 mvn -o test -Dtest='DecoderFuzzTest#javaDecoder'}; findings land in
 * DecoderFuzzTestInputs/javaDecoder/ and replay from then on. A backend that decodes adds a
 * method like {@link #javaDecoder}.
 */
class DecoderFuzzTest {
    private static final JavaBackend JAVA = new JavaBackend();
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void closeBackends() {
        CPU.close();
    }

    @FuzzTest(maxDuration = "10m")
    void javaDecoder(byte[] input) {
        DecoderFuzzing.fuzz(JAVA, input);
    }

    /** The native decoder through JNI: the Java reader's checks, then the native decoder's own. */
    @FuzzTest(maxDuration = "10m")
    void cpuDecoder(byte[] input) {
        DecoderFuzzing.fuzz(CPU, input);
    }
}
