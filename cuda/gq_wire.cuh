// The compressed message, version 1 (docs/wire-format.md): field offsets, record sizes and the
// sizes of its parts, for the native encoder and decoder (native/gq_codec.cpp) and the CUDA ones.
// The Java twin is io.gradquant.codec.WireFormat.
//
// Sizes are computed with saturating arithmetic: a hostile header can claim up to 2^64 of anything,
// and a saturated size never equals the length of a real message, so the caller's comparison with
// the bytes it holds rejects it instead of wrapping around.
#pragma once
#include "gq_plan.cuh"
#include "gq_round.cuh"

namespace gq {
namespace wire {

constexpr uint32_t MAGIC = 0x534D5147u;  // "GQMS" read as a little-endian u32
constexpr int VERSION = 1;
constexpr int64_t HEADER_BYTES = 80;
constexpr int64_t CHECKSUM_BYTES = 4;

// Header fields: byte offsets.
enum Field : int {
    F_MAGIC = 0,       // u8[4]
    F_VERSION = 4,     // u16
    F_QUANTIZER = 6,   // u8, QuantizerId
    F_LAYOUT = 7,      // u8, LayoutId
    F_LEVELS = 8,      // u16
    F_CODE_BITS = 10,  // u8
    F_NORM = 11,       // u8, NormId
    F_BUCKET = 12,     // u32
    F_ELEMENTS = 16,   // u64
    F_SEED = 24,       // u64
    F_STEP = 32,       // u64
    F_BUCKETS = 40,    // u64
    F_RAW = 48,        // u64
    F_LENGTH = 56,     // u64
    F_FRACTION = 64,   // f64
    F_SEGMENTS = 72,   // u32
    F_RESERVED = 76,   // u32
};

constexpr uint64_t MAX_ELEMENTS = 1ull << 62;

// Byte 0 of a bucket record.
enum Kind : uint8_t { KIND_QUANTIZED = 0, KIND_CONSTANT = 1, KIND_RAW = 2 };

// Record fields (byte offsets within a record).
constexpr int R_STANDARD_LO = 1, R_STANDARD_HI = 5;
constexpr int R_SMART_COUNT = 1, R_SMART_POINTS = 3;
constexpr int R_EXPONENTIAL_NORM = 1, R_EXPONENTIAL_TOP = 9;
constexpr int R_CONSTANT_VALUE = 1;
constexpr int MIN_TOP = -32, MAX_TOP = 0;

GQ_HD uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? ~0ull : a + b; }
GQ_HD uint64_t sat_mul(uint64_t a, uint64_t b) { return a != 0 && b > ~0ull / a ? ~0ull : a * b; }
GQ_HD uint64_t align8(uint64_t v) { return v > ~0ull - 7 ? ~0ull : (v + 7) & ~7ull; }

// Record bytes R of a quantizer (0 for none: it has no bucket table).
GQ_HD int record_bytes(int quantizer, int levels) {
    switch (quantizer) {
        case Q_NONE: return 0;
        case Q_STANDARD:
        case Q_HADAMARD: return 9;
        case Q_SMART: return 3 + 4 * levels;
        case Q_EXPONENTIAL: return 11;
    }
    return -1;  // not a quantizer id: the caller has checked it
}

// Bits b of one code (0 for none, which sends raw floats).
GQ_HD int message_code_bits(int quantizer, int levels) { return quantizer == Q_NONE ? 0 : code_bits(levels); }

// Codes c_k of a bucket of n values: hadamard codes its padded rotation.
GQ_HD uint64_t codes_of(int quantizer, int64_t n) { return quantizer == Q_HADAMARD ? (uint64_t)padded_size(n) : (uint64_t)n; }

// Bytes of c codes of b bits: every bucket's codes start on a byte.
GQ_HD uint64_t code_bytes(uint64_t codes, int bits) { return (sat_mul(codes, (uint64_t)bits) + 7) / 8; }

// Code bytes of `elements` consecutive values cut into buckets of `bucket` (the last may be partial).
GQ_HD uint64_t run_code_bytes(uint64_t elements, int32_t bucket, int quantizer, int bits) {
    uint64_t full = elements / (uint64_t)bucket, rest = elements % (uint64_t)bucket;
    uint64_t bytes = sat_mul(full, code_bytes(codes_of(quantizer, bucket), bits));
    return rest == 0 ? bytes : sat_add(bytes, code_bytes(codes_of(quantizer, (int64_t)rest), bits));
}

// Code i of a bucket whose codes start at `codes` (b bits each, least significant bit first). Reads
// only the bytes code i occupies.
GQ_HD int code_at(const uint8_t* codes, int64_t i, int bits) {
    uint64_t bit = (uint64_t)i * (uint64_t)bits;
    const uint8_t* p = codes + (bit >> 3);
    unsigned shift = (unsigned)(bit & 7);
    unsigned word = p[0];
    if (shift + (unsigned)bits > 8) word |= (unsigned)p[1] << 8;
    return (int)((word >> shift) & ((1u << bits) - 1u));
}

// Writes the codes 8g .. 8g+7 of a bucket of `count` codes, packed least significant bit first in
// `packed` (code 8g + j at bit j*b), as the bytes they fill: b bytes from byte g*b, but none past
// the bucket's code_bytes(count, b). Groups of 8 codes fill whole bytes, so groups never share one.
GQ_HD void put_group(uint64_t packed, int bits, int64_t group, uint64_t count, uint8_t* codes) {
    uint64_t first = (uint64_t)group * (uint64_t)bits, end = code_bytes(count, bits);
    for (int j = 0; j < bits && first + (uint64_t)j < end; j++) codes[first + j] = (uint8_t)(packed >> (8 * j));
}

// The bits of a code that a decoder checks against code_limit: exponential's sign bit is free.
GQ_HD int code_mask(int quantizer, int bits) { return (1 << (bits - (quantizer == Q_EXPONENTIAL ? 1 : 0))) - 1; }

// The largest valid (code & code_mask) of a QUANTIZED bucket: standard and hadamard levels - 1,
// smart its point count - 1, exponential the largest magnitude index levels/2 - 1.
GQ_HD int code_limit(int quantizer, int levels, int point_count) {
    switch (quantizer) {
        case Q_SMART: return point_count - 1;
        case Q_EXPONENTIAL: return levels / 2 - 1;
    }
    return levels - 1;
}

// Where the parts of a message start (docs/wire-format.md, "Overall layout").
struct Layout {
    uint64_t table;  // T: the bucket table
    uint64_t codes;  // C
    uint64_t raw;    // A
};

// The layout of a message of `segments` segments, `buckets` buckets of `record` bytes and
// `code_total` code bytes.
GQ_HD Layout layout_of(uint64_t segments, uint64_t buckets, int record, uint64_t code_total) {
    Layout l;
    l.table = sat_add((uint64_t)HEADER_BYTES, sat_mul(8, segments));
    l.codes = align8(sat_add(l.table, sat_mul(buckets, (uint64_t)record)));
    l.raw = align8(sat_add(l.codes, code_total));
    return l;
}

// The message length L: the raw values and the checksum after A.
GQ_HD uint64_t message_length(const Layout& l, uint64_t raw_values) {
    return sat_add(sat_add(l.raw, sat_mul(4, raw_values)), (uint64_t)CHECKSUM_BYTES);
}

// Byte offset of bucket b's codes within the code area. code_start: per-segment layout, the code
// bytes before each segment's first bucket (segments + 1 entries, filled by code_fill); spanning
// layout: unused (every bucket before b is full).
GQ_HD uint64_t code_offset(const PlanTables& p, const uint64_t* code_start, int64_t b, uint64_t full_bytes) {
    if (p.first == nullptr) return (uint64_t)b * full_bytes;
    int s = plan_segment_of_bucket(p, b);
    return code_start[s] + (uint64_t)(b - p.first[s]) * full_bytes;
}

// Fills code_start (segments + 1 entries) for the per-segment layout; the last entry is the total.
GQ_HD void code_fill(const int64_t* lengths, int32_t segments, int32_t bucket, int quantizer, int bits,
                     uint64_t* code_start) {
    code_start[0] = 0;
    for (int32_t s = 0; s < segments; s++) {
        code_start[s + 1] = sat_add(code_start[s], run_code_bytes((uint64_t)lengths[s], bucket, quantizer, bits));
    }
}

}  // namespace wire
}  // namespace gq
