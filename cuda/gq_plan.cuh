// The bucket plan: where each bucket of a call starts, how long it is and which segments it
// covers, over plain tables of segment offsets. One implementation for the CUDA kernels
// (gq_device.cuh) and the native CPU backend (native/); the Java twin is
// io.gradquant.backend.BucketPlan.
//
// With the spanning layout bucket k covers flat elements [k*bucket, min(total, (k+1)*bucket)); with
// the per-segment layout buckets restart at each segment, the last one of a segment may be partial,
// and empty segments have none. Bucket ordinals count over the whole call.
#pragma once
#include "gq_common.cuh"

namespace gq {

struct PlanTables {
    const int64_t* offsets;  // segments + 1 entries: flat index of each segment's first element, then the total
    const int64_t* first;    // per-segment layout: segments + 1 entries, the first bucket of each segment and
                             // then the bucket count; spanning layout: nullptr
    int32_t segments;
    int32_t bucket_size;
};

GQ_HD int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Last s in [lo, hi] with v[s] <= x (lo if none): with empty segments sharing an offset, this is
// the non-empty one.
GQ_HD int last_at_most(const int64_t* v, int64_t x, int lo, int hi) {
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (v[mid] <= x) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Fills offsets (segments + 1 entries) from the segment lengths, and, for the per-segment layout,
// first (segments + 1 entries); first may be nullptr for the spanning layout.
GQ_HD void plan_fill(const int64_t* lengths, int32_t segments, int32_t bucket_size, int32_t layout, int64_t* offsets,
                     int64_t* first) {
    offsets[0] = 0;
    for (int32_t s = 0; s < segments; s++) offsets[s + 1] = offsets[s] + lengths[s];
    if (layout == LAYOUT_PER_SEGMENT) {
        first[0] = 0;
        for (int32_t s = 0; s < segments; s++) first[s + 1] = first[s] + ceil_div(lengths[s], bucket_size);
    }
}

GQ_HD int64_t plan_buckets(const PlanTables& p) {
    return p.first != nullptr ? p.first[p.segments] : ceil_div(p.offsets[p.segments], p.bucket_size);
}

// Segment of bucket b (per-segment layout) or of its first element (either layout).
GQ_HD int plan_segment_of_bucket(const PlanTables& p, int64_t b) {
    return last_at_most(p.first, b, 0, p.segments - 1);
}

// One bucket: flat index of its first element, its ordinal in the call, its length, and the
// segments holding its first and last element.
struct Bucket {
    int64_t start;
    int64_t ordinal;
    int n;
    int seg_lo;
    int seg_hi;
};

// Bucket b, for 0 <= b < plan_buckets(p).
GQ_HD Bucket plan_bucket(const PlanTables& p, int64_t b) {
    Bucket r;
    r.ordinal = b;
    int64_t end;
    if (p.first == nullptr) {
        r.start = b * p.bucket_size;
        end = p.offsets[p.segments];
    } else {
        int s = plan_segment_of_bucket(p, b);
        r.start = p.offsets[s] + (b - p.first[s]) * p.bucket_size;
        end = p.offsets[s + 1];
    }
    int64_t left = end - r.start;
    r.n = (int)(left < p.bucket_size ? left : p.bucket_size);
    r.seg_lo = last_at_most(p.offsets, r.start, 0, p.segments - 1);
    r.seg_hi = last_at_most(p.offsets, r.start + r.n - 1, r.seg_lo, p.segments - 1);
    return r;
}

}  // namespace gq
