package io.gradquant.benchmarks;

import io.gradquant.backend.Backend;
import io.gradquant.backend.CpuBackend;
import org.openjdk.jmh.annotations.Param;

/**
 * The native cpu backend on all hardware threads, from one ResNet-20 gradient (272,474 values) to
 * 64M values.
 */
public class CpuQuantizeBenchmark extends QuantizeBenchmark {
    @Param({"272474", "16777216", "67108864"})
    public int elements;

    @Override
    int elements() {
        return elements;
    }

    @Override
    Backend newBackend() {
        return new CpuBackend(0);
    }
}
