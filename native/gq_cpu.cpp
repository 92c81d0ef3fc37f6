// The CPU backend's kernels (the Worker's methods: one bucket to codes, codes to values) and the
// quantize and copy drivers. Buckets are independent, so the pool's threads take contiguous ranges
// of buckets; a bucket that spans segments is gathered into scratch, quantized and scattered back.
// Each kernel mirrors its Java reference twin (src/main/java/io/gradquant/reference) step by step.
#include <string.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gq_levels.cuh"
#include "gq_philox.cuh"
#include "gq_round.cuh"
#include "gq_smart_sample.cuh"
#include "gq_smart_vector.h"
#include "gq_wire.cuh"
#include "gq_worker.h"

namespace gq {
namespace {

constexpr int64_t PREFETCH_FLOATS = 4096;  // 16 KiB: a third of L1d, a 4096-value bucket whole

}  // namespace

void check_spec(const SpecBlock& spec) {
    const char* error = spec_error(spec);
    if (error != nullptr) throw std::invalid_argument(std::string("invalid quantizer parameter block: ") + error);
}

CallPlan::CallPlan(int32_t bucket_size, int32_t layout, const Segment* segments, int count)
        : offsets_(count + 1), first_(layout == LAYOUT_PER_SEGMENT ? count + 1 : 0) {
    std::vector<int64_t> lengths(count);
    for (int s = 0; s < count; s++) lengths[s] = segments[s].length;
    plan_fill(lengths.data(), count, bucket_size, layout, offsets_.data(), first_.empty() ? nullptr : first_.data());
    tables_ = {offsets_.data(), first_.empty() ? nullptr : first_.data(), count, bucket_size};
    buckets_ = plan_buckets(tables_);
}

void gather(const Segment* segments, const CallPlan& plan, const Bucket& r, float* x) {
    for (int i = 0, s = r.seg_lo; i < r.n; s++) {
        int64_t from = i == 0 ? r.start - plan.offset(s) : 0;
        int64_t take = std::min<int64_t>(r.n - i, segments[s].length - from);
        std::copy(segments[s].data + from, segments[s].data + from + take, x + i);
        i += (int)take;
    }
}

void scatter(const Segment* segments, const CallPlan& plan, const Bucket& r, const float* x) {
    for (int i = 0, s = r.seg_lo; i < r.n; s++) {
        int64_t from = i == 0 ? r.start - plan.offset(s) : 0;
        int64_t take = std::min<int64_t>(r.n - i, segments[s].length - from);
        std::copy(x + i, x + i + take, segments[s].data + from);
        i += (int)take;
    }
}

void prefetch_next(const Segment* segments, const CallPlan& plan, const Bucket& r, const float* x) {
    int64_t after = r.start + r.n - plan.offset(r.seg_lo);  // within the segment, after this bucket
    int64_t end = std::min<int64_t>({segments[r.seg_lo].length - after, plan.tables().bucket_size, PREFETCH_FLOATS});
    for (int64_t i = 0; i < end; i += 16) __builtin_prefetch(x + r.n + i, 1, 3);
}

int parts_of(int64_t items, int64_t elements, const Pool& pool) {
    int64_t by_size = std::max<int64_t>(1, elements / MIN_ELEMENTS_PER_THREAD);
    return (int)std::max<int64_t>(1, std::min<int64_t>({(int64_t)pool.threads(), items, by_size}));
}

float* make_table(std::vector<float>& storage) {
    storage.assign(TABLE_ENTRIES + 16, 0.0f);
    uintptr_t at = ((uintptr_t)storage.data() + 63) & ~(uintptr_t)63;
    return (float*)at;
}

int standard_table(const StandardParams& p, float* table) {
    for (int k = 0; k <= p.intervals; k++) table[k] = standard_value(p, k);
    return (int)p.intervals + 1;
}

int exponential_table(const ExponentialParams& p, float* table) {
    int codes = 2 << p.sign_shift;
    for (int c = 0; c < codes; c++) table[c] = exponential_value(p, c);
    return codes;
}

Worker::Worker(const SpecBlock& spec, int max_bucket) : spec_(spec), gather_(max_bucket) {
    int64_t words = max_bucket;
    if (spec.type == Q_HADAMARD) {
        rotated_.resize(padded_size(max_bucket));
        signs_.resize(max_bucket / 32 + 2);
        words = padded_size(max_bucket);
    }
    if (spec.type == Q_SMART) {
        size_t m = (size_t)smart_sample_size(spec.smart_fraction, max_bucket) + 2;  // + min and max
        keys_.resize(max_bucket);
        sample_.resize(m);
        sort_scratch_.resize(avx512::SORT_MAX);
        levels_.resize(m, spec.levels);
        points_.resize(spec.levels);
    }
    words_.resize(words);
    codes_.resize(words);
    table_ = make_table(table_storage_);
}

Coded Worker::code(const float* x, int n, uint64_t start, uint64_t ordinal, uint64_t step) {
    BucketScan scan = scan_bucket(x, n, spec_.type == Q_EXPONENTIAL ? SUM_CANONICAL : SUM_ANY);
    if (!scan.finite) return {Verdict::UNCHANGED_COUNTED, 0.0, 0.0};
    Coded c = {Verdict::UNCHANGED, 0.0, 0.0};
    switch (spec_.type) {
        case Q_NONE: break;
        case Q_STANDARD: c = standard(x, n, scan, start, step, PURPOSE_ROUND); break;
        case Q_SMART: c = smart(x, n, scan, start, step); break;
        case Q_HADAMARD: c = hadamard(x, n, scan, start, ordinal, step); break;
        case Q_EXPONENTIAL: c = exponential(x, n, scan, start, step); break;
        default: throw std::invalid_argument("quantizer id out of range");  // check_spec refused it already
    }
    if (c.verdict != Verdict::UNCHANGED_COUNTED) c.norm_squared = scan.sum_squares;
    return c;
}

Coded Worker::standard(const float* x, int n, const BucketScan& scan, uint64_t first_index, uint64_t step,
                       uint32_t purpose) {
    if (!standard_params(scan.min, scan.max, spec_.levels, &standard_)) return {Verdict::UNCHANGED, 0.0, 0.0};
    fill_random_words(spec_.seed, step, purpose, first_index, n, words_.data());
    code_count_ = n;
    return {Verdict::QUANTIZED, standard_index_all(standard_, x, n, words_.data(), codes_.data()), 0.0};
}

Coded Worker::exponential(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
    int verdict = exponential_params(scan.sum_squares, scan.max_abs, spec_.norm, spec_.levels, &exponential_);
    if (verdict <= 0) return {verdict == 0 ? Verdict::UNCHANGED : Verdict::UNCHANGED_COUNTED, 0.0, 0.0};
    fill_random_words(spec_.seed, step, PURPOSE_ROUND, start, n, words_.data());
    code_count_ = n;
    double relative = exponential_index_all(exponential_, x, n, words_.data(), codes_.data());
    return {Verdict::QUANTIZED, relative * exponential_.norm * exponential_.norm, 0.0};
}

Coded Worker::hadamard(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t ordinal, uint64_t step) {
    if (scan.max_abs == 0.0) return {Verdict::UNCHANGED, 0.0, 0.0};  // all zeros rotate to a constant bucket
    int64_t size = padded_size(n);
    float* rotated = rotated_.data();
    // element start + i takes bit (start + i) mod 32 of sign word (start + i) / 32
    sign_offset_ = (int)(start & 31);
    fill_random_words(spec_.seed, step, PURPOSE_SIGNS, start >> 5, (sign_offset_ + n + 31) >> 5, signs_.data());
    flip_signs(signs_.data(), sign_offset_, x, rotated, n);
    std::fill(rotated + n, rotated + size, 0.0f);
    hadamard_transform(rotated, size);
    BucketScan scan_rotated = scan_bucket(rotated, (int)size, SUM_ANY);
    if (!scan_rotated.finite) return {Verdict::UNCHANGED_COUNTED, 0.0, 0.0};  // the rotation overflowed float32
    if (scan_rotated.min == scan_rotated.max) return {Verdict::UNCHANGED, 0.0, 0.0};
    return standard(rotated, (int)size, scan_rotated, ordinal * (uint64_t)size, step, PURPOSE_ROTATED);
}

Coded Worker::smart(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
    if (n == 0 || scan.min == scan.max) return {Verdict::UNCHANGED, 0.0, 0.0};  // one distinct value: the only point
    int count = sample(x, n, scan, start, step);
    const LevelScratch& s = levels_.scratch();
    point_count_ = vector_level() >= VECTOR_AVX512
                       ? choose_levels(sample_.data(), count, spec_.levels, s, points_.data(), avx512::LevelKernels())
                       : choose_levels(sample_.data(), count, spec_.levels, s, points_.data());
    fill_random_words(spec_.seed, step, PURPOSE_ROUND, start, n, words_.data());
    code_count_ = n;
    return {Verdict::QUANTIZED, points_index_all(points_.data(), point_count_, x, n, words_.data(), codes_.data()), 0.0};
}

// Sorted candidate sample: the m elements with the smallest (random key, position), plus the
// first min and first max element if missed; -0 replaced by +0. Returns its size.
int Worker::sample(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
    int m = smart_sample_size(spec_.smart_fraction, n);
    int count = 0;
    if (m == n) {
        for (int i = 0; i < n; i++) sample_[count++] = x[i];
    } else {
        int arg_min = (int)(std::find(x, x + n, scan.min) - x);  // the first min and max
        int arg_max = (int)(std::find(x, x + n, scan.max) - x);
        const uint32_t* words = words_.data();
        fill_random_words(spec_.seed, step, PURPOSE_SAMPLE, start, n, words_.data());
        uint64_t min_key = (uint64_t)words[arg_min] << 32 | (uint32_t)arg_min;
        uint64_t max_key = (uint64_t)words[arg_max] << 32 | (uint32_t)arg_max;
        // The m smallest keys are the m smallest among those whose word is below a threshold
        // a few standard deviations above the expected m/n quantile, whenever at least m words
        // are below it (almost always); otherwise select among all n.
        double expected = (double)m + 8.0 * std::sqrt((double)m) + 16.0;
        uint64_t threshold = (uint64_t)std::min(4294967296.0, expected / n * 4294967296.0);
        int candidates = 0;
        for (int i = 0; i < n; i++) {
            if (words[i] < threshold) keys_[candidates++] = (uint64_t)words[i] << 32 | (uint32_t)i;
        }
        if (candidates < m) {
            candidates = n;
            for (int i = 0; i < n; i++) keys_[i] = (uint64_t)words[i] << 32 | (uint32_t)i;
        }
        std::nth_element(keys_.begin(), keys_.begin() + (m - 1), keys_.begin() + candidates);
        uint64_t cutoff = keys_[m - 1];
        for (int i = 0; i < m; i++) sample_[count++] = x[keys_[i] & 0xffffffffu];
        if (min_key > cutoff) sample_[count++] = x[arg_min];
        if (max_key > cutoff && arg_max != arg_min) sample_[count++] = x[arg_max];
    }
    for (int i = 0; i < count; i++) sample_[i] += 0.0f;
    if (vector_level() >= VECTOR_AVX512 && count <= avx512::SORT_MAX) {
        avx512::sort_sample(sample_.data(), count, sort_scratch_.data());
    } else {
        std::sort(sample_.begin(), sample_.begin() + count);
    }
    return count;
}

int Worker::fill_table() {
    switch (spec_.type) {
        case Q_STANDARD:
        case Q_HADAMARD: return standard_table(standard_, table_);
        case Q_EXPONENTIAL: return exponential_table(exponential_, table_);
        case Q_SMART:
            std::copy(points_.begin(), points_.begin() + point_count_, table_);
            return point_count_;
        default: throw std::invalid_argument("quantizer without codes");  // none never codes a bucket
    }
}

void Worker::write_values(float* x, int n) {
    int entries = fill_table();
    if (spec_.type != Q_HADAMARD) return lookup_all(table_, entries, codes_.data(), n, x);
    float* rotated = rotated_.data();
    lookup_all(table_, entries, codes_.data(), code_count_, rotated);
    hadamard_transform(rotated, code_count_);
    flip_signs(signs_.data(), sign_offset_, rotated, x, n);
}

void Worker::write_record(uint8_t* record) const {
    record[0] = wire::KIND_QUANTIZED;
    switch (spec_.type) {
        case Q_STANDARD:
        case Q_HADAMARD:
            memcpy(record + wire::R_STANDARD_LO, &standard_.min, 4);
            memcpy(record + wire::R_STANDARD_HI, &standard_.max, 4);
            return;
        case Q_SMART: {
            uint16_t count = (uint16_t)point_count_;
            memcpy(record + wire::R_SMART_COUNT, &count, 2);
            memcpy(record + wire::R_SMART_POINTS, points_.data(), 4 * (size_t)point_count_);
            memset(record + wire::R_SMART_POINTS + 4 * point_count_, 0, 4 * (size_t)(spec_.levels - point_count_));
            return;
        }
        case Q_EXPONENTIAL: {
            int16_t top = (int16_t)exponential_.top;
            memcpy(record + wire::R_EXPONENTIAL_NORM, &exponential_.norm, 8);
            memcpy(record + wire::R_EXPONENTIAL_TOP, &top, 2);
            return;
        }
        default: throw std::invalid_argument("quantizer without records");  // none has no bucket table
    }
}

namespace {

// Quantizes buckets [first, last) with one worker.
void quantize_range(uint64_t step, const Segment* segments, const CallPlan& plan, Worker& worker, int64_t first,
                    int64_t last, Stats* stats) {
    for (int64_t b = first; b < last; b++) {
        Bucket r = plan.bucket(b);
        bool inside;
        float* x = bucket_values(segments, plan, r, b + 1 < last, worker, &inside);
        Coded c = worker.code(x, r.n, (uint64_t)r.start, (uint64_t)b, step);
        stats->norm_squared += c.norm_squared;
        if (c.verdict == Verdict::UNCHANGED_COUNTED) stats->non_finite++;
        if (c.verdict != Verdict::QUANTIZED) continue;  // left unchanged
        stats->variance += c.variance;
        worker.write_values(x, r.n);
        if (!inside) scatter(segments, plan, r, x);
    }
}

}  // namespace

std::vector<std::unique_ptr<Worker>> make_workers(const SpecBlock& spec, const CallPlan& plan, int count) {
    int max_bucket = (int)std::min<int64_t>(spec.bucket_size, std::max<int64_t>(plan.total(), 1));
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < count; t++) workers.push_back(std::make_unique<Worker>(spec, max_bucket));
    return workers;
}

Stats quantize_cpu(const SpecBlock& spec, uint64_t step, const Segment* segments, int count, Pool& pool) {
    check_spec(spec);
    CallPlan plan(spec.bucket_size, spec.layout, segments, count);
    int64_t buckets = plan.buckets();
    int parts = parts_of(buckets, plan.total(), pool);
    std::vector<std::unique_ptr<Worker>> workers = make_workers(spec, plan, parts);
    std::vector<Stats> partial(parts);
    pool.run(parts, [&](int t) {
        quantize_range(step, segments, plan, *workers[t], part_begin(buckets, parts, t), part_begin(buckets, parts, t + 1),
                       &partial[t]);
    });
    Stats stats;
    stats.buckets = buckets;
    for (const Stats& p : partial) {  // in range order, so a given thread count is deterministic
        stats.variance += p.variance;
        stats.norm_squared += p.norm_squared;
        stats.non_finite += p.non_finite;
    }
    return stats;
}

void copy_cpu(const float* src, float* dst, int64_t n, Pool& pool) {
    int parts = parts_of(n, n, pool);
    pool.run(parts, [&](int t) {
        int64_t first = part_begin(n, parts, t), last = part_begin(n, parts, t + 1);
        std::copy(src + first, src + last, dst + first);
    });
}

void zero_cpu(float* dst, int64_t n, Pool& pool) {
    int parts = parts_of(n, n, pool);
    pool.run(parts, [&](int t) {
        int64_t first = part_begin(n, parts, t), last = part_begin(n, parts, t + 1);
        std::fill(dst + first, dst + last, 0.0f);
    });
}

}  // namespace gq
