// hadamard: random signs, orthonormal Walsh-Hadamard rotation of the zero-padded bucket, standard
// quantization in the rotated domain, rotation back (the twin of HadamardKernel.java and
// Worker::hadamard in native/gq_cpu.cpp). The padded bucket lives in shared memory when it fits
// (Call::on_chip), else in this block's global scratch (Call::scratch). Signs are drawn again when
// writing back instead of being stored. With a Codec, the rotated bucket's codes go to the message
// (gq_emit.cuh), and the rotation back runs only for write-back.
#include "gq_emit.cuh"
#include "gq_transform.cuh"

using namespace gq;

extern "C" __global__ void GQ_BOUNDS gq_hadamard(const Call* call) {
    const Call& c = *call;
    float* shared = dynamic_shared();
    int64_t chunk = chunk_size(c.on_chip);
    float* global = reinterpret_cast<float*>(c.scratch + (uint64_t)blockIdx.x * (uint64_t)c.scratch_stride);
    double variance = 0.0, norm = 0.0, non_finite = 0.0;
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        int64_t size = padded_size(r.n);
        float* y = size <= chunk ? shared : global;
        double squares = 0.0;
        bool finite = true, nonzero = false;
        for (int64_t i = threadIdx.x; i < size; i += blockDim.x) {
            float v = 0.0f;
            if (i < r.n) {
                v = *element(c, r, (int)i);
                finite &= is_finite(v);
                nonzero |= v != 0.0f;
                double a = fabs((double)v);
                squares += a * a;
                if (negative_sign_at(c, r.start + i)) v = -v;
            }
            y[i] = v;
        }
        if (__syncthreads_or(!finite)) {  // left unchanged and counted
            if (threadIdx.x == 0) non_finite += 1.0;
            emit_unchanged(c, r);
            continue;
        }
        if (!__syncthreads_or(nonzero)) {  // all zeros rotate to a constant: unchanged
            norm += squares;
            emit_unchanged(c, r);
            continue;
        }
        walsh_hadamard(y, size, shared, chunk);
        float first = y[0];
        MinMax range = {INFINITY, -INFINITY};
        bool overflow = false, varies = false;
        for (int64_t j = threadIdx.x; j < size; j += blockDim.x) {
            overflow |= !is_finite(y[j]);
            varies |= y[j] != first;
            include(&range, y[j]);
        }
        if (__syncthreads_or(overflow)) {  // the rotation overflowed float32: unchanged, counted
            if (threadIdx.x == 0) non_finite += 1.0;
            emit_unchanged(c, r);
            continue;
        }
        norm += squares;
        if (!__syncthreads_or(varies)) {  // constant in the rotated domain: unchanged
            emit_unchanged(c, r);
            continue;
        }
        range = block_all_reduce(range, MinMaxOp());
        StandardParams p;
        if (!standard_params(range.lo, range.hi, c.spec.levels, &p)) continue;  // unreachable: the values vary
        emit_grid(c, r, p);
        uint64_t base = (uint64_t)r.ordinal * (uint64_t)size;
        code_bucket(
            c, r, size,
            [&](int64_t j) { return standard_index(p, y[j], uniform_at(c, PURPOSE_ROTATED, base + j), &variance); },
            [&](int64_t j, int k) { y[j] = standard_value(p, k); });
        if (writes_values(c)) {
            __syncthreads();
            walsh_hadamard(y, size, shared, chunk);
            for (int64_t i = threadIdx.x; i < r.n; i += blockDim.x) {
                *element(c, r, (int)i) = negative_sign_at(c, r.start + i) ? -y[i] : y[i];
            }
        }
        __syncthreads();  // y is rewritten by the next bucket
    }
    write_partials(c, variance, norm, non_finite, 0.0);
}
