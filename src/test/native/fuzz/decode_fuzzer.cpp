// libFuzzer target for the native decoder (native/gq_codec.cpp), without the JVM and without the
// Java reader in front of it: any bytes are a message. The decoder must refuse (gq::MessageError)
// or decode, never read or write outside what it was given (AddressSanitizer watches), never run
// into undefined behaviour (UndefinedBehaviorSanitizer), and write nothing when it refuses; a
// message it accepts must decode to the same floats at every vector level.
//
// Build and run: see Makefile in this directory (make run SECONDS=600).
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <vector>

#include "gq_cpu.h"
#include "gq_vector.h"

namespace {

constexpr float SENTINEL = -7.25f;

// The destination: the message's own segment table when it is small enough to allocate (so that
// well-formed messages get past the length checks), else one segment of 640 values.
std::vector<int64_t> destination_lengths(const uint8_t* data, size_t size) {
    if (size >= 80) {
        uint32_t count;
        memcpy(&count, data + 72, 4);
        if (count <= 16 && 80 + 8 * (size_t)count <= size) {
            std::vector<int64_t> lengths(count);
            uint64_t total = 0;
            for (uint32_t s = 0; s < count; s++) {
                uint64_t n;
                memcpy(&n, data + 80 + 8 * s, 8);
                lengths[s] = (int64_t)n;
                total += n;
                if (n > (1u << 16) || total > (1u << 18)) return {640};
            }
            return lengths;
        }
    }
    return {640};
}

gq::Pool& pool() {
    static gq::Pool p(2);
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // an exact-size heap copy, so that ASan sees any read past the end
    std::vector<uint8_t> message(data, data + size);
    // the last byte (the checksum's, which the native decoder leaves to the Java reader) picks the
    // vector loops: every level's unpacking and lookups get fuzzed
    gq::set_vector_level(size > 0 ? data[size - 1] % 3 : 0);
    std::vector<int64_t> lengths = destination_lengths(data, size);
    std::vector<std::vector<float>> storage;
    std::vector<gq::Segment> segments;
    for (int64_t n : lengths) {
        storage.emplace_back((size_t)n, SENTINEL);
        segments.push_back({storage.back().data(), n});
    }
    try {
        gq::decode_cpu(message.data(), message.size(), segments.data(), (int)segments.size(), true, 0.5f, pool());
    } catch (const gq::MessageError&) {
        for (const std::vector<float>& s : storage) {
            for (float v : s) {
                if (memcmp(&v, &SENTINEL, 4) != 0) __builtin_trap();  // wrote before refusing
            }
        }
        return 0;
    }
    // accepted: plain decodes at every level give the same bits
    std::vector<std::vector<float>> first;
    for (int level = 0; level < 3; level++) {
        gq::set_vector_level(level);
        for (gq::Segment& s : segments) std::fill(s.data, s.data + s.length, SENTINEL);
        gq::decode_cpu(message.data(), message.size(), segments.data(), (int)segments.size(), false, 1.0f, pool());
        if (level == 0) {
            first = storage;
        } else {
            for (size_t s = 0; s < storage.size(); s++) {
                if (!storage[s].empty() && memcmp(storage[s].data(), first[s].data(), 4 * storage[s].size()) != 0) {
                    __builtin_trap();
                }
            }
        }
    }
    return 0;
}
