package io.gradquant.benchmarks;

import io.gradquant.backend.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory baselines of the quantize benchmarks, on the same rotated slots: {@code cpu} is the
 * native copy on all hardware threads (the cpu backend's baseline), {@code java} a one-thread bulk
 * copy (the single-threaded reference's baseline). A copy reads 4 and writes 4 bytes per element,
 * as an in-place quantization does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=8g"})
public class CopyBenchmark {
    @Param({"cpu", "java"})
    public String copier;

    @Param({"272474", "16777216", "67108864"})
    public int elements;

    private CpuBackend cpu;
    private Ring ring;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend(0);
        ring = new Ring(elements, 1);
    }

    @Setup(Level.Invocation)
    public void nextSlot() {
        ring.advance();
    }

    @Benchmark
    public void copy() {
        if (copier.equals("cpu")) {
            cpu.copy(ring.pristine(), ring.work());
        } else {
            Ring.copy(ring.pristine(), ring.work());
        }
    }
}
