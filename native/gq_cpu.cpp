// Bucket driver and CPU kernels. Buckets are independent, so threads take contiguous ranges of
// buckets; a bucket that spans segments is gathered into scratch, quantized and scattered back.
// Each kernel mirrors its Java reference twin (src/main/java/io/gradquant/reference) step by step.
#include "gq_cpu.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "gq_levels.cuh"
#include "gq_philox.cuh"
#include "gq_round.cuh"
#include "gq_smart_sample.cuh"
#include "gq_smart_vector.h"
#include "gq_vector.h"

namespace gq {
namespace {

// Below this many elements per thread, starting a thread costs more than it saves.
constexpr int64_t MIN_ELEMENTS_PER_THREAD = 1 << 16;
constexpr int64_t PREFETCH_FLOATS = 4096;  // 16 KiB: a third of L1d, a 4096-value bucket whole

// Where buckets start: the twin of io.gradquant.backend.BucketPlan.
class Plan {
public:
    Plan(const Spec& spec, const Segment* segments, int count) : bucket_(spec.bucket_size), offsets_(count + 1, 0) {
        for (int s = 0; s < count; s++) offsets_[s + 1] = offsets_[s] + segments[s].length;
        if (spec.per_segment) {
            first_.assign(count + 1, 0);
            for (int s = 0; s < count; s++) first_[s + 1] = first_[s] + ceil_div(segments[s].length, bucket_);
        }
    }

    int64_t buckets() const { return first_.empty() ? ceil_div(offsets_.back(), bucket_) : first_.back(); }

    int64_t start(int64_t b) const {
        if (first_.empty()) return b * bucket_;
        int s = last_at_most(first_, b);
        return offsets_[s] + (b - first_[s]) * bucket_;
    }

    int length(int64_t b) const {
        int64_t end = first_.empty() ? offsets_.back() : offsets_[last_at_most(first_, b) + 1];
        return (int)std::min<int64_t>(bucket_, end - start(b));
    }

    // Segment holding flat index i (the non-empty one when empty segments share its offset).
    int segment_of(int64_t i) const { return last_at_most(offsets_, i, (int)offsets_.size() - 2); }

    int64_t offset(int s) const { return offsets_[s]; }

private:
    static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

    // Last s in [0, limit] with v[s] <= x.
    static int last_at_most(const std::vector<int64_t>& v, int64_t x, int limit = -1) {
        int lo = 0, hi = limit >= 0 ? limit : (int)v.size() - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >> 1;
            if (v[mid] <= x) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    int64_t bucket_;
    std::vector<int64_t> offsets_;
    std::vector<int64_t> first_;  // per-segment layout: first bucket of each segment
};

// One thread's scratch and kernels. All memory is allocated in the constructor, before any
// value is written, so an allocation failure leaves every segment untouched.
class Worker {
public:
    Worker(const Spec& spec, int max_bucket) : spec_(spec), gather_(max_bucket) {
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
    }

    float* gather_buffer() { return gather_.data(); }

    // Quantizes x[0..n) in place; returns the variance, or NaN if the bucket was left unchanged
    // because it holds NaN/Inf or cannot be represented. Adds the bucket's squared norm to *norm.
    double quantize(float* x, int n, uint64_t start, uint64_t ordinal, uint64_t step, double* norm) {
        BucketScan scan = scan_bucket(x, n, spec_.type == Q_EXPONENTIAL ? SUM_CANONICAL : SUM_ANY);
        if (!scan.finite) return NAN;
        double variance = 0.0;
        switch (spec_.type) {
            case Q_STANDARD: variance = standard(x, n, scan, start, step, PURPOSE_ROUND); break;
            case Q_SMART: variance = smart(x, n, scan, start, step); break;
            case Q_HADAMARD: variance = hadamard(x, n, scan, start, ordinal, step); break;
            case Q_EXPONENTIAL: variance = exponential(x, n, scan, start, step); break;
            default: break;
        }
        if (!std::isnan(variance)) *norm += scan.sum_squares;
        return variance;
    }

private:
    // The level search's scratch for samples of up to m values (see LevelScratch).
    class LevelBuffers {
    public:
        void resize(size_t m, int levels) {
            size_t l = (size_t)levels;
            distinct_.resize(m);
            doubles_.resize(7 * m + 3 + 8 * m + m);  // weight y best next, w0 w1 w2, cand, metric
            ints_.resize(l * m + 4 * m + 5 * l);     // choice, list fine order order_b, window slot points
            double* d = doubles_.data();
            int32_t* i = ints_.data();
            s_.distinct = distinct_.data();
            s_.weight = d;
            s_.y = d + m;
            s_.best = d + 2 * m;
            s_.next = d + 3 * m;
            s_.w0 = d + 4 * m;
            s_.w1 = d + 5 * m + 1;
            s_.w2 = d + 6 * m + 2;
            s_.cand = d + 7 * m + 3;
            s_.metric = d + 15 * m + 3;
            s_.choice = i;
            s_.list = i + l * m;
            s_.fine = i + l * m + m;
            s_.order = i + l * m + 2 * m;
            s_.order_b = i + l * m + 3 * m;
            s_.window = i + l * m + 4 * m;
            s_.slot = i + l * m + 4 * m + 2 * l;
            s_.points = i + l * m + 4 * m + 3 * l;
        }

        const LevelScratch& scratch() const { return s_; }

    private:
        std::vector<float> distinct_;
        std::vector<double> doubles_;
        std::vector<int32_t> ints_;
        LevelScratch s_ = {};
    };

    double standard(float* x, int n, const BucketScan& scan, uint64_t first_index, uint64_t step, uint32_t purpose) {
        StandardParams p;
        if (!standard_params(scan.min, scan.max, spec_.levels, &p)) return 0.0;
        fill_random_words(spec_.seed, step, purpose, first_index, n, words_.data());
        return standard_round_all(p, x, n, words_.data());
    }

    double exponential(float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
        ExponentialParams p;
        int verdict = exponential_params(scan.sum_squares, scan.max_abs, spec_.norm, spec_.levels, &p);
        if (verdict <= 0) return verdict == 0 ? 0.0 : NAN;
        fill_random_words(spec_.seed, step, PURPOSE_ROUND, start, n, words_.data());
        return exponential_round_all(p, x, n, words_.data()) * p.norm * p.norm;
    }

    double hadamard(float* x, int n, const BucketScan& scan, uint64_t start, uint64_t ordinal, uint64_t step) {
        if (scan.max_abs == 0.0) return 0.0;  // all zeros rotate to a constant bucket: unchanged
        int64_t size = padded_size(n);
        float* rotated = rotated_.data();
        // element start + i takes bit (start + i) mod 32 of sign word (start + i) / 32
        int offset = (int)(start & 31);
        fill_random_words(spec_.seed, step, PURPOSE_SIGNS, start >> 5, (offset + n + 31) >> 5, signs_.data());
        flip_signs(signs_.data(), offset, x, rotated, n);
        std::fill(rotated + n, rotated + size, 0.0f);
        hadamard_transform(rotated, size);
        BucketScan scan_rotated = scan_bucket(rotated, (int)size, SUM_ANY);
        if (!scan_rotated.finite) return NAN;  // the rotation overflowed float32
        if (scan_rotated.min == scan_rotated.max) return 0.0;
        double variance = standard(rotated, (int)size, scan_rotated, ordinal * (uint64_t)size, step, PURPOSE_ROTATED);
        hadamard_transform(rotated, size);
        flip_signs(signs_.data(), offset, rotated, x, n);
        return variance;
    }

    double smart(float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
        if (n == 0 || scan.min == scan.max) return 0.0;  // one distinct value: the only point
        int count = sample(x, n, scan, start, step);
        const LevelScratch& s = levels_.scratch();
        int points = vector_level() >= VECTOR_AVX512
                         ? choose_levels(sample_.data(), count, spec_.levels, s, points_.data(), avx512::LevelKernels())
                         : choose_levels(sample_.data(), count, spec_.levels, s, points_.data());
        fill_random_words(spec_.seed, step, PURPOSE_ROUND, start, n, words_.data());
        return points_round_all(points_.data(), points, x, n, words_.data());
    }

    // Sorted candidate sample: the m elements with the smallest (random key, position), plus the
    // first min and first max element if missed; -0 replaced by +0. Returns its size.
    int sample(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step) {
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

    const Spec& spec_;
    std::vector<float> gather_;
    std::vector<uint32_t> words_;
    std::vector<float> rotated_;
    std::vector<uint32_t> signs_;
    std::vector<uint64_t> keys_;
    std::vector<float> sample_, sort_scratch_, points_;
    LevelBuffers levels_;
};

// Asks for the next bucket's cache lines (up to PREFETCH_FLOATS of them) while this one is
// quantized: one thread's demand misses alone fetch well below its share of memory bandwidth,
// and the per-bucket work in cache is long enough to hide the fetch behind it.
void prefetch_next(const float* next, int64_t n) {
    int64_t end = std::min<int64_t>(n, PREFETCH_FLOATS);
    for (int64_t i = 0; i < end; i += 16) __builtin_prefetch(next + i, 1, 3);
}

// Quantizes buckets [first, last) with one worker.
void run_range(uint64_t step, const Segment* segments, const Plan& plan, Worker& worker,
               int64_t first, int64_t last, Stats* stats) {
    for (int64_t b = first; b < last; b++) {
        int64_t start = plan.start(b);
        int n = plan.length(b);
        int s = plan.segment_of(start);
        int64_t local = start - plan.offset(s);
        bool inside = local + n <= segments[s].length;
        float* x = inside ? segments[s].data + local : worker.gather_buffer();
        if (inside && b + 1 < last) prefetch_next(x + n, std::min<int64_t>(plan.length(b + 1), segments[s].length - local - n));
        if (!inside) {  // spans segments: gather
            for (int i = 0, t = s; i < n; t++) {
                int64_t from = i == 0 ? local : 0;
                int64_t take = std::min<int64_t>(n - i, segments[t].length - from);
                std::copy(segments[t].data + from, segments[t].data + from + take, x + i);
                i += (int)take;
            }
        }
        double variance = worker.quantize(x, n, (uint64_t)start, (uint64_t)b, step, &stats->norm_squared);
        if (std::isnan(variance)) {
            stats->non_finite++;
            continue;  // left unchanged; scratch is not written back
        }
        stats->variance += variance;
        if (!inside) {  // scatter back
            for (int i = 0, t = s; i < n; t++) {
                int64_t from = i == 0 ? local : 0;
                int64_t take = std::min<int64_t>(n - i, segments[t].length - from);
                std::copy(x + i, x + i + take, segments[t].data + from);
                i += (int)take;
            }
        }
    }
}

}  // namespace

const char* quantize_cpu(const Spec& spec, uint64_t step, const Segment* segments, int count, int threads, Stats* stats) {
    Plan plan(spec, segments, count);
    int64_t buckets = plan.buckets();
    int64_t total = plan.offset(count);
    *stats = Stats();
    stats->buckets = buckets;
    int64_t by_size = std::max<int64_t>(1, total / MIN_ELEMENTS_PER_THREAD);
    int workers = (int)std::max<int64_t>(1, std::min<int64_t>({(int64_t)threads, buckets, by_size}));
    int max_bucket = (int)std::min<int64_t>(spec.bucket_size, std::max<int64_t>(total, 1));
    std::vector<std::unique_ptr<Worker>> pool;
    try {
        for (int t = 0; t < workers; t++) pool.push_back(std::make_unique<Worker>(spec, max_bucket));
    } catch (const std::bad_alloc&) {
        return "out of memory allocating quantization scratch";
    }
    std::vector<Stats> partial(workers);
    std::vector<std::thread> running;
    for (int t = 0; t < workers; t++) {
        int64_t first = buckets * t / workers;
        int64_t last = buckets * (t + 1) / workers;
        bool started = false;
        if (t < workers - 1) {
            try {
                running.emplace_back(run_range, step, segments, std::cref(plan),
                                     std::ref(*pool[t]), first, last, &partial[t]);
                started = true;
            } catch (const std::system_error&) {
                // no thread to be had: this range runs here instead
            }
        }
        if (!started) run_range(step, segments, plan, *pool[t], first, last, &partial[t]);
    }
    for (std::thread& th : running) th.join();
    for (const Stats& p : partial) {  // in range order, so a given thread count is deterministic
        stats->variance += p.variance;
        stats->norm_squared += p.norm_squared;
        stats->non_finite += p.non_finite;
    }
    return nullptr;
}

void copy_cpu(const float* src, float* dst, int64_t n, int threads) {
    int workers = (int)std::max<int64_t>(1, std::min<int64_t>(threads, n / MIN_ELEMENTS_PER_THREAD));
    auto part = [&](int t) {
        int64_t first = n * t / workers, last = n * (t + 1) / workers;
        std::copy(src + first, src + last, dst + first);
    };
    std::vector<std::thread> running;
    for (int t = 0; t < workers - 1; t++) {
        try {
            running.emplace_back(part, t);
        } catch (const std::system_error&) {
            part(t);  // no thread to be had: copy this part here
        }
    }
    part(workers - 1);
    for (std::thread& th : running) th.join();
}

}  // namespace gq
