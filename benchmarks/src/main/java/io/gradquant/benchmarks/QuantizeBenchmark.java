package io.gradquant.benchmarks;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-place quantization of one gradient-like input per invocation, quantizer x bucket size x
 * input size; subclasses fix the backend and the sizes. Average time per call: divide
 * 8 bytes x elements by it for the GB/s of {@code gradquant bench}.
 *
 * <p>The slot rotation needs per-invocation setup and teardown, which JMH warns costs a few
 * microseconds of timer overhead; the fastest call here (none or standard at 272,474 elements on
 * the cpu backend) takes about a millisecond, so that is under 1%.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=8g"})
public abstract class QuantizeBenchmark {
    @Param({"none", "standard", "smart", "hadamard", "exponential"})
    public String quantizer;

    @Param({"512", "4096", "51200"})
    public int bucket;

    private QuantizerSpec spec;
    private Backend backend;
    private Ring ring;
    private long step;

    /** Input size of this run (a {@code @Param} of the subclass). */
    abstract int elements();

    /** The backend under test. */
    abstract Backend newBackend();

    @Setup(Level.Trial)
    public void setUp() {
        spec = QuantizerSpec.builder(QuantizerType.parse(quantizer)).bucketSize(bucket).levels(16).seed(1).build();
        backend = newBackend();
        ring = new Ring(elements(), 1);
    }

    @Setup(Level.Invocation)
    public void nextSlot() {
        ring.advance();
    }

    @TearDown(Level.Invocation)
    public void restoreSlot() {
        ring.restore();
    }

    @Benchmark
    public QuantStats quantize() {
        return backend.quantize(spec, step++, ring.segments());
    }
}
