// gq_wht_rows: the bare batched Walsh-Hadamard transform over the rows of a matrix, with the
// quantizers' butterflies (cuda/gq_transform.cuh), for the benchmark that compares it with a cuBLAS
// GEMM by the Hadamard matrix (io.gradquant.benchmarks.cuda.CudaBenchmark). Not part of the
// product: benchmarks/cuda/Makefile builds it into its own fatbin, and the benchmarks' CPU
// stand-in driver links it in (src/test/native/Makefile, EXTRA_KERNELS).
#include "gq_transform.cuh"

using namespace gq;

// `buckets` rows of spec.bucket_size floats (a power of two) at addresses[0], each transformed in
// place; rows of up to on_chip floats in shared memory. Reads only these fields of the Call
// (filled in by io.gradquant.benchmarks.cuda.RowsTransform) and writes no statistics.
extern "C" __global__ void GQ_BOUNDS gq_wht_rows(const Call* call) {
    const Call& c = *call;
    float* shared = dynamic_shared();
    int64_t chunk = chunk_size(c.on_chip);
    float* rows = reinterpret_cast<float*>(reinterpret_cast<const uint64_t*>(c.addresses)[0]);
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        float* row = rows + b * c.spec.bucket_size;
        float* y = c.spec.bucket_size <= chunk ? shared : row;
        if (y == shared) {
            for (int j = threadIdx.x; j < c.spec.bucket_size; j += blockDim.x) y[j] = row[j];
            __syncthreads();
        }
        walsh_hadamard(y, c.spec.bucket_size, shared, chunk);
        if (y == shared) {
            for (int j = threadIdx.x; j < c.spec.bucket_size; j += blockDim.x) row[j] = y[j];
            __syncthreads();
        }
    }
}
