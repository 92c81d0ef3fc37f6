// What the drivers (gq_cpu.cpp: quantize and copy; gq_codec.cpp: encode and decode) share: the
// bucket plan of a call with bucket access over the segments, the split of a call over the pool,
// and the per-thread Worker that turns one bucket into codes and codes into values. Each kernel
// of the Worker mirrors its Java reference twin (src/main/java/io/gradquant/reference) step by
// step.
#pragma once
#include <stdint.h>

#include <memory>
#include <vector>

#include "gq_cpu.h"
#include "gq_levels.cuh"
#include "gq_plan.cuh"
#include "gq_vector.h"

namespace gq {

// The bucket plan of a call (gq_plan.cuh), owning its tables.
class CallPlan {
public:
    CallPlan(int32_t bucket_size, int32_t layout, const Segment* segments, int count);

    int64_t buckets() const { return buckets_; }
    int64_t total() const { return offsets_.back(); }
    const PlanTables& tables() const { return tables_; }
    Bucket bucket(int64_t b) const { return plan_bucket(tables_, b); }
    int64_t offset(int s) const { return offsets_[s]; }

private:
    std::vector<int64_t> offsets_, first_;
    PlanTables tables_;
    int64_t buckets_;
};

// Bucket b's values: a pointer into its segment, or null if it spans segments (then gather it).
inline float* bucket_in_place(const Segment* segments, const CallPlan& plan, const Bucket& r) {
    if (r.seg_lo != r.seg_hi) return nullptr;
    return segments[r.seg_lo].data + (r.start - plan.offset(r.seg_lo));
}

// Copies the n values of a bucket that spans segments into x, or back out of x.
void gather(const Segment* segments, const CallPlan& plan, const Bucket& r, float* x);
void scatter(const Segment* segments, const CallPlan& plan, const Bucket& r, const float* x);

// Asks for the next bucket's cache lines (those after bucket r, at x, inside its segment; at most
// PREFETCH_FLOATS of them) while r is worked on: one
// thread's demand misses alone fetch well below its share of memory bandwidth, and the per-bucket
// work in cache is long enough to hide the fetch behind it.
void prefetch_next(const Segment* segments, const CallPlan& plan, const Bucket& r, const float* x);

// Below this many elements per thread, waking a thread costs more than it saves.
constexpr int64_t MIN_ELEMENTS_PER_THREAD = 1 << 15;

// How many contiguous parts a call over `items` items (`elements` values) is cut into: at most
// one per pool thread and one per MIN_ELEMENTS_PER_THREAD values. Part t covers items
// [items * t / parts, items * (t + 1) / parts).
int parts_of(int64_t items, int64_t elements, const Pool& pool);
inline int64_t part_begin(int64_t items, int parts, int t) { return items * t / parts; }

// The smart level search's scratch for samples of up to m values (see LevelScratch).
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

// What coding a bucket found.
enum class Verdict {
    QUANTIZED,          // codes and points computed
    UNCHANGED,          // quantize leaves it as it is (constant, all zero, ...)
    UNCHANGED_COUNTED,  // left as it is and counted as non-finite (NaN/Inf, points overflow float32)
};

struct Coded {
    Verdict verdict;
    double variance;      // QUANTIZED: the bucket's variance
    double norm_squared;  // the bucket's sum of squares (0 when UNCHANGED_COUNTED)
};

// One thread's scratch and kernels. All memory is allocated in the constructor, before any value
// is written, so an allocation failure leaves every segment untouched.
class Worker {
public:
    Worker(const SpecBlock& spec, int max_bucket);

    float* gather_buffer() { return gather_.data(); }

    // Codes the bucket x[0..n) (flat index start, ordinal in the call) without changing x.
    Coded code(const float* x, int n, uint64_t start, uint64_t ordinal, uint64_t step);

    // After code() found QUANTIZED: the codes (code_count() of them; hadamard codes its padded
    // rotation), the bucket's record (record_bytes of the message, kind QUANTIZED), and its values
    // written into x[0..n): what in-place quantization writes.
    const uint8_t* codes() const { return codes_.data(); }
    int64_t code_count() const { return code_count_; }
    void write_record(uint8_t* record) const;
    void write_values(float* x, int n);

private:
    Coded standard(const float* x, int n, const BucketScan& scan, uint64_t first_index, uint64_t step, uint32_t purpose);
    Coded exponential(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step);
    Coded hadamard(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t ordinal, uint64_t step);
    Coded smart(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step);
    int sample(const float* x, int n, const BucketScan& scan, uint64_t start, uint64_t step);
    // Fills table_ with the value of every code of the coded bucket; returns how many there are.
    int fill_table();

    const SpecBlock& spec_;
    std::vector<float> gather_;
    std::vector<uint32_t> words_;
    std::vector<uint8_t> codes_;
    int64_t code_count_ = 0;
    // the points of the coded bucket
    StandardParams standard_;
    ExponentialParams exponential_;
    int point_count_ = 0;
    // hadamard: the rotated bucket and its signs
    std::vector<float> rotated_;
    std::vector<uint32_t> signs_;
    int sign_offset_ = 0;
    std::vector<float> table_storage_;
    float* table_;  // TABLE_ENTRIES floats, 64-byte aligned, inside table_storage_
    // smart: sampling and the level search
    std::vector<uint64_t> keys_;
    std::vector<float> sample_, sort_scratch_, points_;
    LevelBuffers levels_;
};

// Bucket r's values, contiguous, for a loop that works through its buckets in order (`more`: another
// of its buckets follows): a pointer into its segment when it lies in one (asking for the next
// bucket's lines meanwhile), else the bucket gathered into the worker's buffer, with *in_place
// false (values written there go back with scatter).
inline float* bucket_values(const Segment* segments, const CallPlan& plan, const Bucket& r, bool more, Worker& worker,
                            bool* in_place) {
    float* x = bucket_in_place(segments, plan, r);
    *in_place = x != nullptr;
    if (x != nullptr) {
        if (more) prefetch_next(segments, plan, r, x);
        return x;
    }
    x = worker.gather_buffer();
    gather(segments, plan, r, x);
    return x;
}

// One Worker per part of a call, each with scratch for the call's largest bucket.
std::vector<std::unique_ptr<Worker>> make_workers(const SpecBlock& spec, const CallPlan& plan, int count);

// The table of every code's value, for the points a record defines (the decoder's side of
// Worker::fill_table): standard (also hadamard's rotated values) and exponential. Entries past
// the codes are left as they are.
int standard_table(const StandardParams& p, float* table);
int exponential_table(const ExponentialParams& p, float* table);

// A table: TABLE_ENTRIES zeroed floats, 64-byte aligned, inside storage.
float* make_table(std::vector<float>& storage);

}  // namespace gq
