// How many candidates the smart quantizer samples from a bucket: the one place of this rule for
// the CPU backend and the CUDA kernel (Java's twin: QuantizerSpec.smartSampleSize).
#pragma once
#include <math.h>
#include "gq_common.cuh"

namespace gq {

constexpr int SMART_MIN_SAMPLE = 512;

// min(n, max(ceil(fraction * n), 512)).
GQ_HD int smart_sample_size(double fraction, int n) {
    int64_t wanted = (int64_t)ceil(fraction * n);
    if (wanted < SMART_MIN_SAMPLE) wanted = SMART_MIN_SAMPLE;
    return (int)(wanted < n ? wanted : n);
}

}  // namespace gq
