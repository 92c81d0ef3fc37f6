// The argument block of one quantization call on the device: every kernel takes a single pointer
// to it. The host (io.gradquant.backend.CallBlock) writes it, followed by the segment tables, into
// device memory with one copy per call. Pointers are stored as 64-bit integers so that the layout
// is the same for nvcc, for g++ (the test stand-in) and for the Java writer; the offsets below are
// part of that contract and are checked at compile time.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "gq_common.cuh"

namespace gq {

// Per-block partial statistics, in this order, in Call::partials.
enum Partial : int { P_VARIANCE = 0, P_NORM = 1, P_NON_FINITE = 2, P_ERROR = 3, PARTIAL_WORDS = 4 };

// Error codes a kernel can report through P_ERROR (summed over blocks; 0 = none).
enum KernelError : int { E_SCRATCH = 1 };

// The message side of an encode or decode call (docs/wire-format.md), pointed to by Call::codec;
// in-place quantization has none. The host (io.gradquant.backend.CallBlock) writes it with the
// call. Offsets are bytes from the message's byte 0; the device copy of the message starts there.
struct Codec {
    uint64_t message;          // device address of the message's byte 0
    uint64_t code_start;       // uint64_t[segments + 1] (PER_SEGMENT layout): code bytes before each segment; or 0
    uint64_t raw_buckets;      // decode: int64_t[raw_count], the RAW buckets in ascending order
    uint64_t raw_starts;       // decode: int64_t[raw_count], the raw-area index of each one's first value
    uint64_t first_bad;        // gq_check_codes: int64_t per block, its first bucket with a code out of range, or -1
    uint64_t table;            // T: the bucket table
    uint64_t codes;            // C: the codes
    uint64_t raw;              // A: the raw values
    uint64_t full_code_bytes;  // code bytes of a full bucket
    int64_t raw_count;
    int32_t record;            // R: bytes of a bucket record
    int32_t bits;              // b: bits of a code
    int32_t write_back;        // encode: also write Q(x) into the segments, as in-place quantize does
    int32_t add;               // decode: d = d + weight * q instead of d = q
    float weight;
    int32_t reserved;
};

static_assert(sizeof(Codec) == 104, "Codec layout is shared with CallBlock.java");
static_assert(offsetof(Codec, table) == 40 && offsetof(Codec, raw_count) == 72, "Codec layout");
static_assert(offsetof(Codec, record) == 80 && offsetof(Codec, weight) == 96, "Codec layout");

struct Call {
    SpecBlock spec;           // the quantizer (gq_common.cuh), as the native backend receives it
    uint64_t step;
    int64_t buckets;          // buckets of the call
    int64_t total;            // elements over all segments
    uint64_t addresses;       // uint64_t[segments]: device address of each segment's first float
    uint64_t offsets;         // int64_t[segments + 1]: flat index of each segment's first element
    uint64_t first_bucket;    // int64_t[segments + 1] (PER_SEGMENT layout), or 0 (spanning)
    uint64_t partials;        // double[partial_count * PARTIAL_WORDS]
    uint64_t scratch;         // scratch_stride bytes of device scratch per block
    int64_t scratch_stride;
    uint64_t stats;           // double[PARTIAL_WORDS]: the call's totals (gq_reduce_stats)
    int32_t segments;
    int32_t on_chip;          // largest bucket (hadamard: padded size) kept in shared memory
    int32_t partial_count;    // blocks of the quantization launch
    int32_t max_sample;       // smart: largest sample of any bucket, min/max included
    uint64_t codec;           // a Codec (encode, decode), or 0 (in-place quantize)
};

static_assert(sizeof(Call) == 144, "Call layout is shared with CallBlock.java");
static_assert(offsetof(Call, spec) == 0 && offsetof(Call, step) == 40, "Call layout");
static_assert(offsetof(Call, addresses) == 64 && offsetof(Call, scratch) == 96, "Call layout");
static_assert(offsetof(Call, stats) == 112 && offsetof(Call, segments) == 120, "Call layout");
static_assert(offsetof(Call, on_chip) == 124 && offsetof(Call, max_sample) == 132, "Call layout");
static_assert(offsetof(Call, codec) == 136, "Call layout");

}  // namespace gq
