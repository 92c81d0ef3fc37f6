// The smart quantizer's AVX-512 loops on the CPU backend: the sample sort and the rows of the
// level search's programmes (cuda/gq_levels.cuh). Both give exactly what their scalar twins give.
#pragma once
#include "gq_levels.cuh"

namespace gq {
namespace avx512 {

// Sorts x[0..n) ascending in place, for 1 <= n <= SORT_MAX finite values without -0, the same
// order as std::sort. scratch holds SORT_MAX floats.
constexpr int SORT_MAX = 512;
void sort_sample(float* x, int n, float* scratch);

// level_rows(dp, k, 0, 1): the whole layer k.
void level_rows(const LevelDp& dp, int k);

// level_split(p, a, b), by counting the indices below the crossing eight at a time.
int level_split(const LevelPrefix& p, int a, int b);

// The level search's inner loops for choose_levels.
struct LevelKernels {
    void rows(const LevelDp& dp, int k) const { avx512::level_rows(dp, k); }
    int split(const LevelPrefix& p, int a, int b) const { return avx512::level_split(p, a, b); }
};

}  // namespace avx512
}  // namespace gq
