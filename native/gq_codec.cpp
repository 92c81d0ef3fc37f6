// Encode and decode of messages (docs/wire-format.md, the layout in cuda/gq_wire.cuh) on the
// pool's threads, with the Worker's kernels (gq_worker.h).
//
// Every part of a message but the raw values sits at an offset that the spec and the segment
// lengths fix: records at T + b*R, bucket b's codes at C + code_offset(b), raw values from A on.
// So both directions run in two parallel passes over contiguous ranges of buckets: the first codes
// (or checks) every bucket and counts the values of the RAW ones, a prefix over the ranges places
// each range's raw values, and the second writes them (encode) or writes every value (decode).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "gq_philox.cuh"
#include "gq_wire.cuh"
#include "gq_worker.h"

namespace gq {
namespace {

using namespace wire;

template <class T>
void put(uint8_t* p, T v) {
    memcpy(p, &v, sizeof v);
}

template <class T>
T get(const uint8_t* p) {
    T v;
    memcpy(&v, p, sizeof v);
    return v;
}

[[noreturn]] __attribute__((format(printf, 2, 3))) void refuse(const char* field, const char* format, ...) {
    char text[400];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    throw MessageError(field, text);
}

// Where a message's parts lie for a spec over a plan: everything but the number of raw values.
struct Shape {
    int quantizer = 0, bits = 0, record = 0;
    uint64_t table_buckets = 0;    // B: 0 for none, which has no bucket table
    uint64_t full_code_bytes = 0;  // code bytes of a full bucket
    std::vector<uint64_t> code_start;  // per-segment layout: code bytes before each segment
    uint64_t code_total = 0;
    Layout layout;

    Shape(int quantizer_id, int levels, int32_t bucket, int32_t layout_id, const int64_t* lengths, int32_t segments,
          uint64_t total, uint64_t buckets)
            : quantizer(quantizer_id), bits(message_code_bits(quantizer_id, levels)),
              record(record_bytes(quantizer_id, levels)) {
        if (quantizer != Q_NONE) {
            table_buckets = buckets;
            full_code_bytes = code_bytes(codes_of(quantizer, bucket), bits);
            if (layout_id == LAYOUT_PER_SEGMENT) {
                code_start.resize((size_t)segments + 1);
                code_fill(lengths, segments, bucket, quantizer, bits, code_start.data());
                code_total = code_start.back();
            } else {
                code_total = run_code_bytes(total, bucket, quantizer, bits);
            }
        }
        layout = layout_of((uint64_t)segments, table_buckets, record, code_total);
    }

    uint64_t code_offset_of(const PlanTables& p, int64_t b) const {
        return wire::code_offset(p, code_start.data(), b, full_code_bytes);
    }

    uint64_t length(uint64_t raw_values) const { return message_length(layout, raw_values); }
};

std::vector<int64_t> lengths_of(const Segment* segments, int count) {
    std::vector<int64_t> lengths(count);
    for (int s = 0; s < count; s++) lengths[s] = segments[s].length;
    return lengths;
}

Shape shape_of(const SpecBlock& spec, const CallPlan& plan, const std::vector<int64_t>& lengths) {
    return Shape(spec.type, spec.levels, spec.bucket_size, spec.layout, lengths.data(), (int32_t)lengths.size(),
                 (uint64_t)plan.total(), (uint64_t)plan.buckets());
}

bool same_bits(const float* x, int n) {
    uint32_t first, v;
    memcpy(&first, x, 4);
    for (int i = 1; i < n; i++) {
        memcpy(&v, x + i, 4);
        if (v != first) return false;
    }
    return true;
}

// A CRC32C built from pieces in message order: each piece's own CRC and length, or its bytes.
class Checksum {
public:
    void append(uint32_t piece_crc, uint64_t piece_bytes) { crc_ = crc32c_combine(crc_, piece_crc, piece_bytes); }
    void append_bytes(const uint8_t* p, uint64_t n) { crc_ = crc32c(crc_, p, n); }
    uint32_t value() const { return crc_; }

private:
    uint32_t crc_ = 0;  // of no bytes
};

// The CRC32C of the n bytes at p and their length.
struct Piece {
    uint32_t crc = 0;
    uint64_t bytes = 0;

    static Piece of(const uint8_t* p, uint64_t n) { return {crc32c(0, p, n), n}; }
};

// ---- encode ---------------------------------------------------------------------------------------

struct EncodePart {
    Stats stats;
    std::vector<int64_t> raw_buckets;  // RAW buckets, in order
    uint64_t raw_values = 0;
    // the part's records and codes (none: its values), checksummed while still in cache
    Piece records, codes, raw;
};

// Codes buckets [first, last): records, codes, and for none the raw values themselves.
void code_buckets(const SpecBlock& spec, uint64_t step, const Segment* segments, const CallPlan& plan,
                  const Shape& shape, uint8_t* out, bool write_back, Worker& worker, int64_t first, int64_t last,
                  EncodePart* part) {
    for (int64_t b = first; b < last; b++) {
        Bucket r = plan.bucket(b);
        bool inside;
        float* x = bucket_values(segments, plan, r, b + 1 < last, worker, &inside);
        Coded c = worker.code(x, r.n, (uint64_t)r.start, (uint64_t)b, step);
        part->stats.norm_squared += c.norm_squared;
        if (c.verdict == Verdict::UNCHANGED_COUNTED) part->stats.non_finite++;
        if (spec.type == Q_NONE) {  // every value travels raw, in element order
            memcpy(out + shape.layout.raw + 4 * (uint64_t)r.start, x, 4 * (size_t)r.n);
            continue;
        }
        uint8_t* record = out + shape.layout.table + (uint64_t)b * (uint64_t)shape.record;
        uint8_t* codes = out + shape.layout.codes + shape.code_offset_of(plan.tables(), b);
        if (c.verdict == Verdict::QUANTIZED) {
            part->stats.variance += c.variance;
            worker.write_record(record);
            pack_codes(worker.codes(), worker.code_count(), shape.bits, codes);
            if (write_back) {
                worker.write_values(x, r.n);
                if (!inside) scatter(segments, plan, r, x);
            }
            continue;
        }
        memset(codes, 0, code_bytes(codes_of(spec.type, r.n), shape.bits));
        memset(record, 0, (size_t)shape.record);
        if (same_bits(x, r.n)) {
            record[0] = KIND_CONSTANT;
            memcpy(record + R_CONSTANT_VALUE, x, 4);
        } else {
            record[0] = KIND_RAW;
            part->raw_buckets.push_back(b);
            part->raw_values += (uint64_t)r.n;
        }
    }
}

// code_buckets, then the checksums of what the part wrote.
void encode_range(const SpecBlock& spec, uint64_t step, const Segment* segments, const CallPlan& plan,
                  const Shape& shape, uint8_t* out, bool write_back, Worker& worker, int64_t first, int64_t last,
                  EncodePart* part) {
    code_buckets(spec, step, segments, plan, shape, out, write_back, worker, first, last, part);
    if (first == last) return;
    if (spec.type == Q_NONE) {
        uint64_t begin = (uint64_t)plan.bucket(first).start, end = last == plan.buckets() ? (uint64_t)plan.total()
                                                                                            : (uint64_t)plan.bucket(last).start;
        part->raw = Piece::of(out + shape.layout.raw + 4 * begin, 4 * (end - begin));
        return;
    }
    uint64_t record = (uint64_t)shape.record;
    part->records = Piece::of(out + shape.layout.table + (uint64_t)first * record, (uint64_t)(last - first) * record);
    uint64_t begin = shape.code_offset_of(plan.tables(), first);
    uint64_t end = last == plan.buckets() ? shape.code_total : shape.code_offset_of(plan.tables(), last);
    part->codes = Piece::of(out + shape.layout.codes + begin, end - begin);
}

// Copies the values of a part's RAW buckets to the raw area from `at` (a value index) on.
void place_raw(const Segment* segments, const CallPlan& plan, const EncodePart& part, uint8_t* raw, uint64_t at,
               float* scratch) {
    for (int64_t b : part.raw_buckets) {
        Bucket r = plan.bucket(b);
        const float* x = bucket_in_place(segments, plan, r);
        if (x == nullptr) {
            gather(segments, plan, r, scratch);
            x = scratch;
        }
        memcpy(raw + 4 * at, x, 4 * (size_t)r.n);
        at += (uint64_t)r.n;
    }
}

void write_header(const SpecBlock& spec, uint64_t step, const Shape& shape, const CallPlan& plan,
                  const std::vector<int64_t>& lengths, uint64_t raw_values, uint64_t length, uint8_t* out) {
    memset(out, 0, (size_t)HEADER_BYTES);
    put<uint32_t>(out + F_MAGIC, MAGIC);
    put<uint16_t>(out + F_VERSION, (uint16_t)VERSION);
    out[F_QUANTIZER] = (uint8_t)spec.type;
    out[F_LAYOUT] = (uint8_t)spec.layout;
    put<uint16_t>(out + F_LEVELS, (uint16_t)spec.levels);
    out[F_CODE_BITS] = (uint8_t)shape.bits;
    out[F_NORM] = (uint8_t)(spec.type == Q_EXPONENTIAL ? spec.norm : 0);
    put<uint32_t>(out + F_BUCKET, (uint32_t)spec.bucket_size);
    put<uint64_t>(out + F_ELEMENTS, (uint64_t)plan.total());
    put<uint64_t>(out + F_SEED, spec.seed);
    put<uint64_t>(out + F_STEP, step);
    put<uint64_t>(out + F_BUCKETS, shape.table_buckets);
    put<uint64_t>(out + F_RAW, raw_values);
    put<uint64_t>(out + F_LENGTH, length);
    put<double>(out + F_FRACTION, spec.type == Q_SMART ? spec.smart_fraction : 0.0);
    put<uint32_t>(out + F_SEGMENTS, (uint32_t)lengths.size());
    for (size_t s = 0; s < lengths.size(); s++) put<uint64_t>(out + HEADER_BYTES + 8 * s, (uint64_t)lengths[s]);
}

// ---- decode ---------------------------------------------------------------------------------------

// What the header says, checked against the bytes given and the destination.
struct Header {
    int quantizer, layout, levels, bits, norm;
    int32_t bucket;
    uint64_t elements, seed, step, buckets, raw_values;
};

Header read_header(const uint8_t* m, uint64_t length, const Segment* segments, int count) {
    if (length < (uint64_t)(HEADER_BYTES + CHECKSUM_BYTES)) {
        refuse("message length", "message length %llu is not allowed: a message has at least %lld bytes (header and checksum)",
               (unsigned long long)length, (long long)(HEADER_BYTES + CHECKSUM_BYTES));
    }
    uint32_t magic = get<uint32_t>(m + F_MAGIC);
    if (magic != MAGIC) refuse("magic", "magic 0x%08x is not allowed: a message starts with GQMS (0x534d5147 little-endian)", magic);
    unsigned version = get<uint16_t>(m + F_VERSION);
    if (version != VERSION) refuse("format version", "format version %u is not allowed: this decoder reads version %d", version, VERSION);
    Header h;
    h.quantizer = m[F_QUANTIZER];
    if (h.quantizer >= QUANTIZER_IDS) refuse("quantizer id", "quantizer id %d is not allowed: it must be in [0, %d]", h.quantizer, QUANTIZER_IDS - 1);
    h.layout = m[F_LAYOUT];
    if (h.layout != LAYOUT_SPANNING && h.layout != LAYOUT_PER_SEGMENT) refuse("layout", "layout %d is not allowed: it must be 0 or 1", h.layout);
    h.levels = get<uint16_t>(m + F_LEVELS);
    int min_levels = h.quantizer == Q_EXPONENTIAL ? MIN_EXPONENTIAL_LEVELS : MIN_LEVELS;
    if (h.levels < min_levels || h.levels > MAX_LEVELS) {
        refuse("levels", "levels %d is not allowed: it must be in [%d, %d]", h.levels, min_levels, MAX_LEVELS);
    }
    h.bits = m[F_CODE_BITS];
    int bits = message_code_bits(h.quantizer, h.levels);
    if (h.bits != bits) refuse("code bits", "code bits %d is not allowed: quantizer %d with %d levels has %d", h.bits, h.quantizer, h.levels, bits);
    h.norm = m[F_NORM];
    if (h.norm > (h.quantizer == Q_EXPONENTIAL ? NORM_MAX : 0)) refuse("exponential norm", "exponential norm %d is not allowed here", h.norm);
    uint32_t bucket = get<uint32_t>(m + F_BUCKET);
    if (bucket < 1 || bucket > 0x7fffffffu) refuse("bucket size", "bucket size %u is not allowed: it must be in [1, 2^31-1]", bucket);
    h.bucket = (int32_t)bucket;
    h.elements = get<uint64_t>(m + F_ELEMENTS);
    if (h.elements > MAX_ELEMENTS) refuse("element count", "element count %llu is not allowed: at most 2^62", (unsigned long long)h.elements);
    h.seed = get<uint64_t>(m + F_SEED);
    h.step = get<uint64_t>(m + F_STEP);
    h.buckets = get<uint64_t>(m + F_BUCKETS);
    h.raw_values = get<uint64_t>(m + F_RAW);
    uint64_t claimed = get<uint64_t>(m + F_LENGTH);
    if (claimed != length) {
        refuse("message length", "message length field %llu does not match the %llu bytes given", (unsigned long long)claimed,
               (unsigned long long)length);
    }
    double fraction = get<double>(m + F_FRACTION);
    bool fraction_ok = h.quantizer == Q_SMART ? fraction > 0.0 && fraction <= 1.0 : fraction == 0.0;
    if (!fraction_ok) refuse("smart fraction", "smart fraction %g is not allowed for quantizer %d", fraction, h.quantizer);
    uint32_t segment_count = get<uint32_t>(m + F_SEGMENTS);
    if (segment_count > (length - HEADER_BYTES) / 8) {
        refuse("segment count", "segment count %u is not allowed: the segment table would not fit in the %llu bytes",
               segment_count, (unsigned long long)length);
    }
    if (get<uint32_t>(m + F_RESERVED) != 0) refuse("reserved", "reserved field %u is not allowed: it must be 0", get<uint32_t>(m + F_RESERVED));
    if (segment_count != (uint32_t)count) {
        refuse("segment count", "segment count %u does not match the destination's %d segments", segment_count, count);
    }
    uint64_t sum = 0;
    for (int s = 0; s < count; s++) {
        uint64_t n = get<uint64_t>(m + HEADER_BYTES + 8 * (uint64_t)s);
        if (n != (uint64_t)segments[s].length) {
            refuse("segment lengths", "segment %d has length %llu in the message but %lld in the destination", s,
                   (unsigned long long)n, (long long)segments[s].length);
        }
        sum += n;
    }
    if (sum != h.elements) {
        refuse("element count", "element count %llu does not match the segment lengths' sum %llu", (unsigned long long)h.elements,
               (unsigned long long)sum);
    }
    return h;
}

// The first error a part found, to be thrown once all parts are done.
struct Refusal {
    const char* field = nullptr;
    std::string message;
};

struct DecodePart {
    uint64_t raw_values = 0;
    Refusal refusal;
};

// One thread's scratch for decoding.
struct Decoder {
    std::vector<uint8_t> codes;
    std::vector<float> values, rotated, table_storage;
    std::vector<uint32_t> signs;
    float* table;

    Decoder(const Header& h, int max_bucket) : codes(codes_of(h.quantizer, max_bucket)), values(max_bucket) {
        if (h.quantizer == Q_HADAMARD) {
            rotated.resize(padded_size(max_bucket));
            signs.resize(max_bucket / 32 + 2);
        }
        table = make_table(table_storage);
    }
};

// Fills the table of a QUANTIZED record and returns its entry count and the largest valid code
// (in *limit; for exponential the largest magnitude index), or refuses the record.
int record_table(const Header& h, const uint8_t* record, int64_t b, float* table, int* limit) {
    switch (h.quantizer) {
        case Q_STANDARD:
        case Q_HADAMARD: {
            float lo = get<float>(record + R_STANDARD_LO), hi = get<float>(record + R_STANDARD_HI);
            StandardParams p;
            if (!is_finite(lo) || !is_finite(hi) || !standard_params(lo, hi, h.levels, &p)) {
                refuse(is_finite(lo) ? "hi" : "lo", "bucket %lld: grid [%g, %g] is not allowed: lo < hi, both finite", (long long)b, lo, hi);
            }
            *limit = h.levels - 1;
            return standard_table(p, table);
        }
        case Q_SMART: {
            int count = get<uint16_t>(record + R_SMART_COUNT);
            if (count < 2 || count > h.levels) {
                refuse("point count", "bucket %lld: point count %d is not allowed: it must be in [2, %d]", (long long)b, count, h.levels);
            }
            for (int j = 0; j < count; j++) {
                table[j] = get<float>(record + R_SMART_POINTS + 4 * j);
                if (!is_finite(table[j]) || (j > 0 && !(table[j] > table[j - 1]))) {
                    refuse("points", "bucket %lld: point %d (%g) is not allowed: points are finite and ascending", (long long)b, j,
                           table[j]);
                }
            }
            *limit = count - 1;
            return count;
        }
        case Q_EXPONENTIAL: {
            double norm = get<double>(record + R_EXPONENTIAL_NORM);
            int top = get<int16_t>(record + R_EXPONENTIAL_TOP);
            if (!(norm > 0.0 && norm <= 1.7976931348623157e308) || top < MIN_TOP || top > MAX_TOP ||
                !is_finite((float)(norm * pow2(top)))) {
                refuse(norm > 0.0 && norm <= 1.7976931348623157e308 ? "top" : "norm",
                       "bucket %lld: norm %g and top %d are not allowed: norm finite and > 0, top in [%d, %d], "
                       "norm * 2^top finite in float32", (long long)b, norm, top, MIN_TOP, MAX_TOP);
            }
            ExponentialParams p;
            exponential_points(norm, top, h.levels, &p);
            *limit = p.powers;
            return exponential_table(p, table);
        }
    }
    refuse("quantizer id", "quantizer id %d has no records", h.quantizer);
}

// Checks buckets [first, last): record kinds and contents, and every code against its range.
void check_range(const Header& h, const Shape& shape, const CallPlan& plan, const uint8_t* m, Decoder& d,
                 int64_t first, int64_t last, DecodePart* part) {
    const uint8_t sign_free = (uint8_t)((1 << (shape.bits - (h.quantizer == Q_EXPONENTIAL ? 1 : 0))) - 1);
    for (int64_t b = first; b < last; b++) {
        Bucket r = plan.bucket(b);
        const uint8_t* record = m + shape.layout.table + (uint64_t)b * (uint64_t)shape.record;
        if (record[0] == KIND_RAW) part->raw_values += (uint64_t)r.n;
        if (record[0] == KIND_RAW || record[0] == KIND_CONSTANT) continue;
        if (record[0] != KIND_QUANTIZED) refuse("kind", "bucket %lld: kind %d is not allowed: 0, 1 or 2", (long long)b, record[0]);
        int limit;
        record_table(h, record, b, d.table, &limit);
        if (limit >= sign_free) continue;  // every code of the bucket's bits is valid
        uint64_t count = codes_of(h.quantizer, r.n);
        unpack_codes(m + shape.layout.codes + shape.code_offset_of(plan.tables(), b), (int64_t)count, shape.bits, d.codes.data());
        uint8_t largest = 0;
        for (uint64_t i = 0; i < count; i++) largest = std::max<uint8_t>(largest, d.codes[i] & sign_free);
        if (largest > limit) {
            refuse("code", "bucket %lld: code %d is not allowed: at most %d", (long long)b, largest, limit);
        }
    }
}

// Writes the values of q[0..n), or adds weight times them, into bucket r.
void deliver(const Segment* segments, const CallPlan& plan, const Bucket& r, const float* q, bool add, float weight) {
    for (int i = 0, s = r.seg_lo; i < r.n; s++) {
        int64_t from = i == 0 ? r.start - plan.offset(s) : 0;
        int take = (int)std::min<int64_t>(r.n - i, segments[s].length - from);
        if (take == 0) continue;  // an empty segment (whose data may be null)
        float* d = segments[s].data + from;
        if (add) {
            for (int j = 0; j < take; j++) d[j] = d[j] + weight * q[i + j];
        } else {
            memcpy(d, q + i, 4 * (size_t)take);
        }
        i += take;
    }
}

// Decodes buckets [first, last) into the segments; raw values from value index `raw_at` on.
void decode_range(const Header& h, const Shape& shape, const CallPlan& plan, const uint8_t* m, const Segment* segments,
                  bool add, float weight, Decoder& d, int64_t first, int64_t last, uint64_t raw_at) {
    for (int64_t b = first; b < last; b++) {
        Bucket r = plan.bucket(b);
        const uint8_t* record = m + shape.layout.table + (uint64_t)b * (uint64_t)shape.record;
        float* q = d.values.data();
        if (record[0] == KIND_CONSTANT) {
            std::fill(q, q + r.n, get<float>(record + R_CONSTANT_VALUE));
        } else if (record[0] == KIND_RAW) {
            memcpy(q, m + shape.layout.raw + 4 * raw_at, 4 * (size_t)r.n);
            raw_at += (uint64_t)r.n;
        } else {
            int limit;
            int entries = record_table(h, record, b, d.table, &limit);
            uint64_t count = codes_of(h.quantizer, r.n);
            unpack_codes(m + shape.layout.codes + shape.code_offset_of(plan.tables(), b), (int64_t)count, shape.bits, d.codes.data());
            if (h.quantizer == Q_HADAMARD) {
                float* y = d.rotated.data();
                lookup_all(d.table, entries, d.codes.data(), (int64_t)count, y);
                hadamard_transform(y, (int64_t)count);
                int offset = (int)((uint64_t)r.start & 31);
                fill_random_words(h.seed, h.step, PURPOSE_SIGNS, (uint64_t)r.start >> 5, (offset + r.n + 31) >> 5, d.signs.data());
                flip_signs(d.signs.data(), offset, y, q, r.n);
            } else {
                float* x = bucket_in_place(segments, plan, r);
                if (x != nullptr) {  // straight into the destination
                    if (add) {
                        lookup_add_all(d.table, entries, d.codes.data(), r.n, weight, x);
                    } else {
                        lookup_all(d.table, entries, d.codes.data(), r.n, x);
                    }
                    continue;
                }
                lookup_all(d.table, entries, d.codes.data(), r.n, q);
            }
        }
        deliver(segments, plan, r, q, add, weight);
    }
}

// none: the raw area holds every value in element order.
void decode_raw(const uint8_t* raw, const Segment* segments, int count, bool add, float weight, Pool& pool,
                int64_t total) {
    std::vector<int64_t> offsets(count + 1, 0);
    for (int s = 0; s < count; s++) offsets[s + 1] = offsets[s] + segments[s].length;
    int parts = parts_of(total, total, pool);
    pool.run(parts, [&](int t) {
        int64_t first = part_begin(total, parts, t), last = part_begin(total, parts, t + 1);
        for (int s = last_at_most(offsets.data(), first, 0, std::max(count - 1, 0)); first < last; s++) {
            int64_t from = first - offsets[s], take = std::min(last, offsets[s + 1]) - first;
            if (take == 0) continue;  // an empty segment (whose data may be null)
            float* d = segments[s].data + from;
            const uint8_t* v = raw + 4 * first;
            if (add) {
                for (int64_t j = 0; j < take; j++) d[j] = d[j] + weight * get<float>(v + 4 * j);
            } else {
                memcpy(d, v, 4 * (size_t)take);
            }
            first += take;
        }
    });
}

}  // namespace

uint64_t max_encoded_bytes(const SpecBlock& spec, const Segment* segments, int count) {
    check_spec(spec);
    CallPlan plan(spec.bucket_size, spec.layout, segments, count);
    return shape_of(spec, plan, lengths_of(segments, count)).length((uint64_t)plan.total());
}

uint64_t encode_cpu(const SpecBlock& spec, uint64_t step, const Segment* segments, int count, uint8_t* out,
                    uint64_t capacity, bool write_back, Pool& pool, Stats* stats) {
    check_spec(spec);
    CallPlan plan(spec.bucket_size, spec.layout, segments, count);
    std::vector<int64_t> lengths = lengths_of(segments, count);
    Shape shape = shape_of(spec, plan, lengths);
    uint64_t most = shape.length((uint64_t)plan.total());
    if (capacity < most) {
        throw std::invalid_argument("the output holds " + std::to_string(capacity) + " bytes, but a message of this spec and "
                                    "these segments may take up to " + std::to_string(most));
    }
    int64_t buckets = plan.buckets();
    int parts = parts_of(buckets, plan.total(), pool);
    std::vector<std::unique_ptr<Worker>> workers = make_workers(spec, plan, parts);
    std::vector<EncodePart> part(parts);
    pool.run(parts, [&](int t) {
        encode_range(spec, step, segments, plan, shape, out, write_back, *workers[t], part_begin(buckets, parts, t),
                     part_begin(buckets, parts, t + 1), &part[t]);
    });
    std::vector<uint64_t> raw_at(parts + 1, 0);
    for (int t = 0; t < parts; t++) raw_at[t + 1] = raw_at[t] + part[t].raw_values;
    uint64_t raw_values = spec.type == Q_NONE ? (uint64_t)plan.total() : raw_at[parts];
    if (raw_at[parts] > 0) {
        pool.run(parts, [&](int t) {
            place_raw(segments, plan, part[t], out + shape.layout.raw, raw_at[t], workers[t]->gather_buffer());
            part[t].raw = Piece::of(out + shape.layout.raw + 4 * raw_at[t], 4 * part[t].raw_values);
        });
    }
    uint64_t length = shape.length(raw_values);
    write_header(spec, step, shape, plan, lengths, raw_values, length, out);
    uint64_t table_end = shape.layout.table + shape.table_buckets * (uint64_t)shape.record;
    memset(out + table_end, 0, shape.layout.codes - table_end);
    uint64_t codes_end = shape.layout.codes + shape.code_total;
    memset(out + codes_end, 0, shape.layout.raw - codes_end);
    Checksum crc;  // the parts in message order
    crc.append_bytes(out, shape.layout.table);
    for (const EncodePart& p : part) crc.append(p.records.crc, p.records.bytes);
    crc.append_bytes(out + table_end, shape.layout.codes - table_end);
    for (const EncodePart& p : part) crc.append(p.codes.crc, p.codes.bytes);
    crc.append_bytes(out + codes_end, shape.layout.raw - codes_end);
    for (const EncodePart& p : part) crc.append(p.raw.crc, p.raw.bytes);
    put<uint32_t>(out + length - CHECKSUM_BYTES, crc.value());
    *stats = Stats();
    stats->buckets = buckets;
    for (const EncodePart& p : part) {  // in range order, as quantize_cpu sums them
        stats->variance += p.stats.variance;
        stats->norm_squared += p.stats.norm_squared;
        stats->non_finite += p.stats.non_finite;
    }
    return length;
}

void decode_cpu(const uint8_t* message, uint64_t length, const Segment* segments, int count, bool add, float weight,
                Pool& pool) {
    Header h = read_header(message, length, segments, count);
    CallPlan plan(h.bucket, h.layout, segments, count);
    std::vector<int64_t> lengths = lengths_of(segments, count);
    Shape shape(h.quantizer, h.levels, h.bucket, h.layout, lengths.data(), count, (uint64_t)plan.total(),
                (uint64_t)plan.buckets());
    if (h.buckets != shape.table_buckets) {
        refuse("bucket count", "bucket count %llu does not match the %llu buckets of the layout over the segments",
               (unsigned long long)h.buckets, (unsigned long long)shape.table_buckets);
    }
    if (h.raw_values > h.elements || (h.quantizer == Q_NONE && h.raw_values != h.elements)) {
        refuse("raw value count", "raw value count %llu is not allowed: at most the %llu elements (all of them for none)",
               (unsigned long long)h.raw_values, (unsigned long long)h.elements);
    }
    uint64_t expected = shape.length(h.raw_values);
    if (expected != length) {
        refuse("message length", "message length %llu does not match the %llu bytes its header's sizes add up to",
               (unsigned long long)length, (unsigned long long)expected);
    }
    if (h.quantizer == Q_NONE) return decode_raw(message + shape.layout.raw, segments, count, add, weight, pool, plan.total());
    int64_t buckets = plan.buckets();
    int parts = parts_of(buckets, plan.total(), pool);
    int max_bucket = (int)std::min<int64_t>(h.bucket, std::max<int64_t>(plan.total(), 1));
    std::vector<std::unique_ptr<Decoder>> decoders;
    for (int t = 0; t < parts; t++) decoders.push_back(std::make_unique<Decoder>(h, max_bucket));
    std::vector<DecodePart> part(parts);
    pool.run(parts, [&](int t) {
        try {
            check_range(h, shape, plan, message, *decoders[t], part_begin(buckets, parts, t), part_begin(buckets, parts, t + 1),
                        &part[t]);
        } catch (const MessageError& e) {
            part[t].refusal = {e.field(), e.what()};
        }
    });
    std::vector<uint64_t> raw_at(parts + 1, 0);
    for (int t = 0; t < parts; t++) {
        if (part[t].refusal.field != nullptr) throw MessageError(part[t].refusal.field, part[t].refusal.message);
        raw_at[t + 1] = raw_at[t] + part[t].raw_values;
    }
    if (raw_at[parts] != h.raw_values) {
        refuse("raw value count", "raw value count %llu does not match the %llu values of the RAW buckets",
               (unsigned long long)h.raw_values, (unsigned long long)raw_at[parts]);
    }
    pool.run(parts, [&](int t) {
        decode_range(h, shape, plan, message, segments, add, weight, *decoders[t], part_begin(buckets, parts, t),
                     part_begin(buckets, parts, t + 1), raw_at[t]);
    });
}

}  // namespace gq
