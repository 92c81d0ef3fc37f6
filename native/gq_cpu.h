// The native CPU backend: quantizes float32 segments in place, encodes them into messages
// (docs/wire-format.md) and decodes messages, with the shared math of cuda/*.cuh, on the threads
// of a Pool. Called from gq_jni.cpp; knows nothing of the JVM.
//
// Errors are C++ exceptions, thrown before anything is written to the caller's memory:
// std::invalid_argument for arguments the caller should not have passed, MessageError for a
// message a decoder refuses, std::bad_alloc when scratch memory cannot be had.
#pragma once
#include <stdint.h>

#include <stdexcept>
#include <string>

#include "gq_common.cuh"
#include "gq_pool.h"

namespace gq {

struct Segment {
    float* data;
    int64_t length;
};

struct Stats {
    double variance = 0.0;
    double norm_squared = 0.0;
    int64_t buckets = 0;
    int64_t non_finite = 0;
};

// A message that a decoder refuses; field() is the field at fault as docs/wire-format.md names it.
class MessageError : public std::runtime_error {
public:
    MessageError(const char* field, const std::string& message) : std::runtime_error(message), field_(field) {}
    const char* field() const { return field_; }

private:
    const char* field_;
};

// Throws std::invalid_argument naming the field if the block is not a valid spec.
void check_spec(const SpecBlock& spec);

// Quantizes every segment in place.
Stats quantize_cpu(const SpecBlock& spec, uint64_t step, const Segment* segments, int count, Pool& pool);

// Copies n floats from src to dst, split over the pool as quantize_cpu splits its work: the memory
// baseline the benchmarks compare the quantizers with.
void copy_cpu(const float* src, float* dst, int64_t n, Pool& pool);

// Sets n floats at dst to +0.0, split over the pool likewise: the float32 exchange zeroes gradients
// given by address with it before it adds the ranks' messages.
void zero_cpu(float* dst, int64_t n, Pool& pool);

// The most bytes a message of this spec and these segments can take (every bucket RAW).
uint64_t max_encoded_bytes(const SpecBlock& spec, const Segment* segments, int count);

// Writes the message of quantizing the segments at out (capacity bytes, at least
// max_encoded_bytes) and returns its length; with write_back also writes Q(x) into the segments,
// as quantize_cpu would. *stats gets the statistics quantize_cpu would return.
uint64_t encode_cpu(const SpecBlock& spec, uint64_t step, const Segment* segments, int count, uint8_t* out,
                    uint64_t capacity, bool write_back, Pool& pool, Stats* stats);

// Overwrites the segments with the values of the message's `length` bytes at `message` or, with
// add, adds weight * value to them (float32 product, then float32 sum). Reads nothing outside the
// message and writes nothing unless the whole message checks out (MessageError otherwise). The
// checksum is the caller's to verify (the Java reader does); everything else that decides which
// bytes are read or what is written is checked here.
void decode_cpu(const uint8_t* message, uint64_t length, const Segment* segments, int count, bool add, float weight,
                Pool& pool);

}  // namespace gq
