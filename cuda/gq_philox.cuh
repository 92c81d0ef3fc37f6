// Philox4x32-10 and the fixed mapping (seed, step, purpose, element index) -> 32 random bits.
// Mirror of io.gradquant.reference.Philox: key = (seed lo, seed hi); counter = (block lo,
// block hi, step lo, step hi ^ purpose << 24) with block = index / 4; element index takes word
// index % 4. Keep both in step.
#pragma once
#include "gq_common.cuh"

namespace gq {

// PURPOSE_SIGNS is indexed by element / 32: element i takes bit i mod 32 (see negative_bit).
enum Purpose : uint32_t { PURPOSE_ROUND = 0, PURPOSE_SIGNS = 1, PURPOSE_SAMPLE = 2, PURPOSE_ROTATED = 3 };

struct Philox4 {
    uint32_t v[4];
};

GQ_HD Philox4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
    const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += W0;
            k1 += W1;
        }
        uint64_t p0 = (uint64_t)M0 * c0;
        uint64_t p1 = (uint64_t)M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    }
    Philox4 r;
    r.v[0] = c0; r.v[1] = c1; r.v[2] = c2; r.v[3] = c3;
    return r;
}

// The four random words of block `block` (elements 4*block .. 4*block+3).
GQ_HD Philox4 random_block(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t block) {
    return philox4x32_10((uint32_t)block, (uint32_t)(block >> 32), (uint32_t)step,
                         (uint32_t)(step >> 32) ^ (purpose << 24), (uint32_t)seed, (uint32_t)(seed >> 32));
}

GQ_HD uint32_t random_bits(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t index) {
    return random_block(seed, step, purpose, index >> 2).v[index & 3];
}

// 1 if the Hadamard rotation flips the sign of element `index`, else 0.
GQ_HD uint32_t negative_bit(uint64_t seed, uint64_t step, uint64_t index) {
    return random_bits(seed, step, PURPOSE_SIGNS, index >> 5) >> (index & 31) & 1u;
}

// Uniform in [0, 1), a multiple of 2^-24: the top 24 bits.
GQ_HD double uniform_from_bits(uint32_t bits) {
    return (double)(bits >> 8) * (1.0 / 16777216.0);
}

}  // namespace gq
