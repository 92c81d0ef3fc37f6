// libFuzzer target for the native encoder and decoder together: the first bytes choose a spec and
// segment lengths, the rest are the float32 values (any bits: NaN, Inf, -0, subnormals, extremes).
// decode(encode(x)) must equal in-place quantize(x) bit for bit, encode with write-back must write
// what quantize writes, and the message must fit in max_encoded_bytes.
//
// Build and run: see Makefile in this directory (make run-roundtrip SECONDS=600).
#include <stdint.h>
#include <string.h>

#include <vector>

#include "gq_cpu.h"
#include "gq_vector.h"

namespace {

gq::Pool& pool() {
    static gq::Pool p(2);
    return p;
}

struct Input {
    gq::SpecBlock spec;
    std::vector<int64_t> lengths;
    std::vector<float> values;
};

bool parse(const uint8_t* data, size_t size, Input* in) {
    if (size < 8) return false;
    static const int32_t buckets[] = {1, 2, 3, 5, 16, 64, 100, 512};
    in->spec.seed = data[0];
    in->spec.smart_fraction = (1 + data[1] % 100) / 100.0;
    in->spec.type = data[2] % 5;
    in->spec.bucket_size = buckets[data[3] % 8];
    int min_levels = in->spec.type == gq::Q_EXPONENTIAL ? 4 : 2;
    in->spec.levels = min_levels + data[4] % (257 - min_levels);
    in->spec.norm = data[5] % 2;
    in->spec.layout = data[6] % 2;
    gq::set_vector_level(data[5] / 2 % 3);  // every level's loops
    in->spec.reserved = 0;
    size_t count = (size - 8) / 4;
    in->values.resize(count);
    if (count > 0) memcpy(in->values.data(), data + 8, 4 * count);
    // up to four segments, cut where data[7] says
    int segments = 1 + data[7] % 4;
    size_t at = 0;
    for (int s = 0; s < segments; s++) {
        size_t n = s == segments - 1 ? count - at : (count - at) * ((data[7] >> (2 + s)) & 1) / 2;
        in->lengths.push_back((int64_t)n);
        at += n;
    }
    return true;
}

bool same(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

std::vector<gq::Segment> segments_over(std::vector<float>& values, const std::vector<int64_t>& lengths) {
    std::vector<gq::Segment> s;
    int64_t at = 0;
    for (int64_t n : lengths) {
        s.push_back({values.data() + at, n});
        at += n;
    }
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in;
    if (!parse(data, size, &in)) return 0;
    std::vector<float> quantized = in.values;
    std::vector<gq::Segment> q = segments_over(quantized, in.lengths);
    gq::quantize_cpu(in.spec, 5, q.data(), (int)q.size(), pool());

    std::vector<float> source = in.values;
    std::vector<gq::Segment> src = segments_over(source, in.lengths);
    std::vector<uint8_t> message(gq::max_encoded_bytes(in.spec, src.data(), (int)src.size()));
    gq::Stats stats;
    uint64_t length = gq::encode_cpu(in.spec, 5, src.data(), (int)src.size(), message.data(), message.size(), true,
                                     pool(), &stats);
    if (length > message.size()) __builtin_trap();
    if (!same(source, quantized)) __builtin_trap();  // write-back

    std::vector<float> decoded(in.values.size(), 1.0f);
    std::vector<gq::Segment> dst = segments_over(decoded, in.lengths);
    message.resize(length);  // exact size: ASan sees any read past the end
    gq::decode_cpu(message.data(), length, dst.data(), (int)dst.size(), false, 1.0f, pool());
    if (!same(decoded, quantized)) __builtin_trap();
    return 0;
}
