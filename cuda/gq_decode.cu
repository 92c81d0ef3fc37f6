// Decoding a message (docs/wire-format.md) on the device: gq_check_codes checks every code against
// its range, gq_decode writes (or adds) the values. Both read the device copy of a message whose
// header, records, padding and checksum the host's MessageReader has checked already; the host
// launches gq_decode only once gq_check_codes found nothing, so nothing is written for a bad
// message. Values come from the same index -> value functions as in-place quantization
// (gq_round.cuh), so a decoded message equals in-place quantize bit for bit.
#include "gq_emit.cuh"
#include "gq_transform.cuh"

using namespace gq;

namespace {

template <class T>
__device__ __forceinline__ T get_bytes(const uint8_t* at) {
    T v;
    memcpy(&v, at, sizeof v);  // records and raw values are not aligned
    return v;
}

// Index in the raw area of RAW bucket b's first value: the RAW buckets are listed in order.
__device__ int64_t raw_start(const Codec& w, int64_t b) {
    const int64_t* buckets = reinterpret_cast<const int64_t*>(w.raw_buckets);
    int64_t lo = 0, hi = w.raw_count - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi) >> 1;
        if (buckets[mid] < b) lo = mid + 1; else hi = mid;
    }
    return reinterpret_cast<const int64_t*>(w.raw_starts)[lo];
}

// Element i of bucket r gets q, or q times the weight added (float32 product, then float32 sum).
__device__ __forceinline__ void deliver(const Call& c, const Codec& w, const Bucket& r, int64_t i, float q) {
    float* e = element(c, r, (int)i);
    *e = w.add ? *e + w.weight * q : q;
}

__device__ __forceinline__ StandardParams grid_of(const Call& c, const uint8_t* record) {
    StandardParams p;
    standard_params(get_bytes<float>(record + wire::R_STANDARD_LO), get_bytes<float>(record + wire::R_STANDARD_HI),
                    c.spec.levels, &p);
    return p;
}

}  // namespace

// Per block, the first of its buckets holding a code out of range (Codec::first_bad), or -1.
extern "C" __global__ void GQ_BOUNDS gq_check_codes(const Call* call) {
    const Call& c = *call;
    const Codec& w = *codec_of(c);
    int mask = wire::code_mask(c.spec.type, w.bits);
    int64_t first = -1;
    for (int64_t b = blockIdx.x; b < c.buckets && first < 0; b += gridDim.x) {
        const uint8_t* record = record_of(w, b);
        if (record[0] != wire::KIND_QUANTIZED) continue;
        int points = c.spec.type == Q_SMART ? get_bytes<uint16_t>(record + wire::R_SMART_COUNT) : 0;
        int limit = wire::code_limit(c.spec.type, c.spec.levels, points);
        if (limit >= mask) continue;  // every code of b bits is valid
        Bucket r = bucket_at(c, b);
        int64_t count = (int64_t)wire::codes_of(c.spec.type, r.n);
        const uint8_t* codes = codes_of_bucket(c, w, b);
        bool bad = false;
        for (int64_t i = threadIdx.x; i < count; i += blockDim.x) bad |= (wire::code_at(codes, i, w.bits) & mask) > limit;
        if (__syncthreads_or(bad)) first = b;
    }
    if (threadIdx.x == 0) reinterpret_cast<int64_t*>(w.first_bad)[blockIdx.x] = first;
}

// Writes every bucket's values into the segments (or adds them, Codec::add). Hadamard's rotated
// bucket lives in shared memory when its padded size fits Call::on_chip, else in the block's
// global scratch, as in gq_hadamard.
extern "C" __global__ void GQ_BOUNDS gq_decode(const Call* call) {
    const Call& c = *call;
    const Codec& w = *codec_of(c);
    const uint8_t* raw = reinterpret_cast<const uint8_t*>(w.message) + w.raw;
    float* shared = dynamic_shared();
    int64_t chunk = chunk_size(c.on_chip > 0 ? c.on_chip : 1);
    float* global = reinterpret_cast<float*>(c.scratch + (uint64_t)blockIdx.x * (uint64_t)c.scratch_stride);
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        if (c.spec.type == Q_NONE) {  // every value is in the raw area, in element order
            for (int i = threadIdx.x; i < r.n; i += blockDim.x) deliver(c, w, r, i, get_bytes<float>(raw + 4 * (r.start + i)));
            continue;
        }
        const uint8_t* record = record_of(w, b);
        if (record[0] == wire::KIND_CONSTANT) {
            float q = get_bytes<float>(record + wire::R_CONSTANT_VALUE);
            for (int i = threadIdx.x; i < r.n; i += blockDim.x) deliver(c, w, r, i, q);
            continue;
        }
        if (record[0] == wire::KIND_RAW) {
            const uint8_t* values = raw + 4 * raw_start(w, b);
            for (int i = threadIdx.x; i < r.n; i += blockDim.x) deliver(c, w, r, i, get_bytes<float>(values + 4 * i));
            continue;
        }
        const uint8_t* codes = codes_of_bucket(c, w, b);
        switch (c.spec.type) {
            case Q_STANDARD: {
                StandardParams p = grid_of(c, record);
                for (int i = threadIdx.x; i < r.n; i += blockDim.x) deliver(c, w, r, i, standard_value(p, wire::code_at(codes, i, w.bits)));
                break;
            }
            case Q_EXPONENTIAL: {
                ExponentialParams p;
                exponential_points(get_bytes<double>(record + wire::R_EXPONENTIAL_NORM),
                                   get_bytes<int16_t>(record + wire::R_EXPONENTIAL_TOP), c.spec.levels, &p);
                for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
                    deliver(c, w, r, i, exponential_value(p, wire::code_at(codes, i, w.bits)));
                }
                break;
            }
            case Q_SMART: {
                const uint8_t* points = record + wire::R_SMART_POINTS;
                for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
                    deliver(c, w, r, i, get_bytes<float>(points + 4 * wire::code_at(codes, i, w.bits)));
                }
                break;
            }
            case Q_HADAMARD: {
                StandardParams p = grid_of(c, record);
                int64_t size = padded_size(r.n);
                float* y = size <= chunk ? shared : global;
                for (int64_t j = threadIdx.x; j < size; j += blockDim.x) y[j] = standard_value(p, wire::code_at(codes, j, w.bits));
                __syncthreads();
                walsh_hadamard(y, size, shared, chunk);
                for (int64_t i = threadIdx.x; i < r.n; i += blockDim.x) {
                    deliver(c, w, r, i, negative_sign_at(c, r.start + i) ? -y[i] : y[i]);
                }
                __syncthreads();  // y is rewritten by the next bucket
                break;
            }
        }
    }
}
