package io.gradquant.benchmarks;

import io.gradquant.backend.Backend;
import io.gradquant.reference.JavaBackend;
import org.openjdk.jmh.annotations.Param;

/**
 * The single-threaded Java reference, on smaller inputs than the cpu backend so that the matrix
 * finishes (smart at bucket 512 sorts every value of every bucket).
 */
public class JavaQuantizeBenchmark extends QuantizeBenchmark {
    @Param({"272474", "1048576"})
    public int elements;

    @Override
    int elements() {
        return elements;
    }

    @Override
    Backend newBackend() {
        return new JavaBackend();
    }
}
