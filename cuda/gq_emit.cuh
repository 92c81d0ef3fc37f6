// The encode side of the quantization kernels. A kernel launched with a Codec (Call::codec) writes,
// for each bucket, its record and its packed codes into the device copy of the message (the
// layout of docs/wire-format.md, whose parts gq_wire.cuh places), and writes Q(x) back into the
// segments only when asked (Codec::write_back); launched without one it quantizes in place as
// before. The host writes the header, the raw values of RAW buckets and the checksum.
//
// The message area is zeroed before the launch, so padding, the unused bytes of a record and the
// codes of CONSTANT and RAW buckets need no writes.
#pragma once
#include "gq_device.cuh"
#include "gq_wire.cuh"

namespace gq {

__device__ __forceinline__ const Codec* codec_of(const Call& c) { return reinterpret_cast<const Codec*>(c.codec); }

__device__ __forceinline__ uint8_t* record_of(const Codec& w, int64_t b) {
    return reinterpret_cast<uint8_t*>(w.message) + w.table + (uint64_t)b * (uint64_t)w.record;
}

// Bucket b's first code byte.
__device__ __forceinline__ uint8_t* codes_of_bucket(const Call& c, const Codec& w, int64_t b) {
    PlanTables p = {reinterpret_cast<const int64_t*>(c.offsets), reinterpret_cast<const int64_t*>(c.first_bucket),
                    c.segments, c.spec.bucket_size};
    return reinterpret_cast<uint8_t*>(w.message) + w.codes +
           wire::code_offset(p, reinterpret_cast<const uint64_t*>(w.code_start), b, w.full_code_bytes);
}

template <class T>
__device__ __forceinline__ void put_bytes(uint8_t* at, T v) {
    memcpy(at, &v, sizeof v);  // records are not aligned
}

// Encode: the quantizer leaves bucket r as it is. Its record says CONSTANT, with the value, when
// all its values have the same bits, else RAW (the host copies RAW values to the raw area). Every
// thread of the block calls it; in-place quantization does nothing.
__device__ inline void emit_unchanged(const Call& c, const Bucket& r) {
    const Codec* w = codec_of(c);
    if (w == nullptr) return;
    uint32_t first, v;
    memcpy(&first, element(c, r, 0), 4);
    bool differs = false;
    for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
        memcpy(&v, element(c, r, i), 4);
        differs |= v != first;
    }
    bool raw = __syncthreads_or(differs);
    if (threadIdx.x == 0) {
        uint8_t* record = record_of(*w, r.ordinal);
        record[0] = raw ? wire::KIND_RAW : wire::KIND_CONSTANT;
        if (!raw) put_bytes(record + wire::R_CONSTANT_VALUE, first);
    }
}

// Encode: thread 0's record of QUANTIZED bucket r, its kind written; null on the other threads
// and in place. The emit_* functions below fill in the points.
__device__ inline uint8_t* quantized_record(const Call& c, const Bucket& r) {
    const Codec* w = codec_of(c);
    if (w == nullptr || threadIdx.x != 0) return nullptr;
    uint8_t* record = record_of(*w, r.ordinal);
    record[0] = wire::KIND_QUANTIZED;
    return record;
}

// Encode: the record of a QUANTIZED standard or hadamard bucket.
__device__ inline void emit_grid(const Call& c, const Bucket& r, const StandardParams& p) {
    if (uint8_t* record = quantized_record(c, r)) {
        put_bytes(record + wire::R_STANDARD_LO, p.min);
        put_bytes(record + wire::R_STANDARD_HI, p.max);
    }
}

// Encode: the record of a QUANTIZED exponential bucket.
__device__ inline void emit_powers(const Call& c, const Bucket& r, const ExponentialParams& p) {
    if (uint8_t* record = quantized_record(c, r)) {
        put_bytes(record + wire::R_EXPONENTIAL_NORM, p.norm);
        put_bytes(record + wire::R_EXPONENTIAL_TOP, (int16_t)p.top);
    }
}

// Encode: the record of a QUANTIZED smart bucket: its `count` points (the rest stay zero).
__device__ inline void emit_points(const Call& c, const Bucket& r, const float* points, int count) {
    if (uint8_t* record = quantized_record(c, r)) {
        put_bytes(record + wire::R_SMART_COUNT, (uint16_t)count);
        for (int k = 0; k < count; k++) put_bytes(record + wire::R_SMART_POINTS + 4 * k, points[k]);
    }
}

// Whether the kernel writes values into the bucket (or, for hadamard, its rotation): always in
// place, on encode only with write-back.
__device__ __forceinline__ bool writes_values(const Call& c) {
    const Codec* w = codec_of(c);
    return w == nullptr || w->write_back != 0;
}

// Codes positions 0 .. count-1 of bucket r: code_of(i) gives position i's code (and adds to the
// variance), store(i, code) writes its value. In place, each thread takes every blockDim-th
// position and stores each code at once. On encode, each thread takes groups of 8 consecutive
// positions, whose b-bit codes fill b whole bytes of the bucket's codes, and stores them only with
// write-back; a barrier at the end lets the next bucket reuse what code_of read.
template <class CodeOf, class Store>
__device__ void code_bucket(const Call& c, const Bucket& r, int64_t count, CodeOf code_of, Store store) {
    const Codec* w = codec_of(c);
    if (w == nullptr) {
        for (int64_t i = threadIdx.x; i < count; i += blockDim.x) store(i, code_of(i));
        return;
    }
    uint8_t* codes = codes_of_bucket(c, *w, r.ordinal);
    int bits = w->bits;
    bool back = w->write_back != 0;
    for (int64_t g = threadIdx.x; 8 * g < count; g += blockDim.x) {
        uint64_t packed = 0;
        int64_t end = 8 * g + 8 < count ? 8 * g + 8 : count;
        for (int64_t i = 8 * g; i < end; i++) {
            int k = code_of(i);
            packed |= (uint64_t)k << ((i - 8 * g) * bits);
            if (back) store(i, k);
        }
        wire::put_group(packed, bits, g, (uint64_t)count, codes);
    }
    __syncthreads();
}

}  // namespace gq
