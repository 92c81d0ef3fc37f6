// libcublas.so.12 for tests on machines without a GPU: the cuBLAS calls that
// io.gradquant.benchmarks.cuda.CublasHadamard makes (create, single-precision GEMM, destroy), computed on
// the CPU over the stand-in driver's device memory, which is host memory. Every other cuBLAS
// symbol that JCublas2's native library imports is a generated stub that says so and returns
// CUBLAS_STATUS_NOT_SUPPORTED. It lets the tests run the positive cuBLAS path end to end:
// JCublas2's loading, the handle, the GEMM's shape and leading dimensions, and the result.
#include <stdint.h>
#include <stdio.h>

#include <mutex>
#include <set>

namespace {

// The subset of cublas_api.h the stand-in needs, with the same values and ABI.
using cublasStatus_t = int;
enum : cublasStatus_t {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum : int { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };

struct Handle {
    int unused;
};
using cublasHandle_t = Handle*;

std::mutex lock;
std::set<cublasHandle_t> live;  // handles created and not destroyed

bool is_live(cublasHandle_t h) {
    std::lock_guard<std::mutex> guard(lock);
    return live.count(h) != 0;
}

// Element (row, column) of op(M) for a column-major M with leading dimension ld.
float at(const float* m, int ld, int op, int row, int column) {
    return op == CUBLAS_OP_N ? m[row + (int64_t)column * ld] : m[column + (int64_t)row * ld];
}

}  // namespace

extern "C" {

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> guard(lock);
    *handle = new Handle();
    live.insert(*handle);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    std::lock_guard<std::mutex> guard(lock);
    if (live.erase(handle) == 0) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

// C = alpha op(A) op(B) + beta C, column-major, alpha and beta in host memory (cuBLAS's default
// pointer mode); sums in double, so the result is the exact product rounded once per element.
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, int transa, int transb, int m, int n, int k, const float* alpha,
                              const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc) {
    if (!is_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    bool ops_known = (transa == CUBLAS_OP_N || transa == CUBLAS_OP_T) && (transb == CUBLAS_OP_N || transb == CUBLAS_OP_T);
    if (!ops_known || m < 0 || n < 0 || k < 0 || alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    int a_rows = transa == CUBLAS_OP_N ? m : k;
    int b_rows = transb == CUBLAS_OP_N ? k : n;
    if (lda < (a_rows > 1 ? a_rows : 1) || ldb < (b_rows > 1 ? b_rows : 1) || ldc < (m > 1 ? m : 1)) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    if (a == nullptr || b == nullptr || c == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    for (int column = 0; column < n; column++) {
        for (int row = 0; row < m; row++) {
            double sum = 0.0;
            for (int l = 0; l < k; l++) sum += (double)at(a, lda, transa, row, l) * at(b, ldb, transb, l, column);
            float& out = c[row + (int64_t)column * ldc];
            // beta == 0: C is not read, as cuBLAS specifies (it may hold NaN)
            out = (float)(*alpha * sum + (*beta == 0.0f ? 0.0 : (double)*beta * out));
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t gq_standin_cublas_unimplemented(const char* name) {
    fprintf(stderr, "stand-in: cuBLAS function %s is not implemented by the CPU stand-in\n", name);
    return CUBLAS_STATUS_NOT_SUPPORTED;
}

}  // extern "C"
