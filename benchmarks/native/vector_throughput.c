// How many independent vector instructions of a kind this processor issues per cycle, against
// the clock measured with dependent scalar additions (one per cycle). Sixteen independent
// register chains per round, so latency does not limit it. Behind the README's explanation of
// the cpu backend's speed. Build and run (x86-64 with AVX-512):
//   make -C benchmarks/native OUT_DIR=/tmp      (the benchmarks' build makes it in target/native-tools)
//   /tmp/vector_throughput
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ROUNDS 10000000L
#define ONE(op, reg, k) op " %%" reg "0, %%" reg #k ", %%" reg #k "\n\t"
#define SIXTEEN(op, reg)                                                                            \
    ONE(op, reg, 1) ONE(op, reg, 2) ONE(op, reg, 3) ONE(op, reg, 4) ONE(op, reg, 5) ONE(op, reg, 6)   \
    ONE(op, reg, 7) ONE(op, reg, 8) ONE(op, reg, 9) ONE(op, reg, 10) ONE(op, reg, 11) ONE(op, reg, 12) \
    ONE(op, reg, 13) ONE(op, reg, 14) ONE(op, reg, 15) ONE(op, reg, 16)
#define CLOBBERS "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
                 "xmm12", "xmm13", "xmm14", "xmm15", "xmm16"
// Best of five: the clock measured right before each timing (a VM's vCPU is sometimes paused,
// which only ever makes a timing slower).
#define MEASURE(op, reg)                                                                       \
    do {                                                                                       \
        double best = 0;                                                                       \
        for (int trial = 0; trial < 5; trial++) {                                              \
            double cycle = cycle_time();                                                       \
            double t = now();                                                                  \
            for (long i = 0; i < ROUNDS; i++) __asm__ volatile(SIXTEEN(op, reg) ::: CLOBBERS); \
            t = now() - t;                                                                     \
            double rate = 16.0 / (t / ROUNDS / cycle);                                         \
            if (rate > best) best = rate;                                                      \
        }                                                                                      \
        printf("%-10s %s  %.2f per cycle\n", op, reg, best);                                   \
    } while (0)

// Seconds per cycle, from dependent scalar additions (one per cycle), the shortest of three.
static double cycle_time(void) {
    double best = 1;
    for (int trial = 0; trial < 3; trial++) {
        double t = now();
        for (long i = 0; i < ROUNDS / 4; i++) {
            __asm__ volatile("add $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax\n\t"
                             "add $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax" ::: "rax");
        }
        t = (now() - t) / (ROUNDS / 4) / 8;
        if (t < best) best = t;
    }
    return best;
}

int main(void) {
    printf("clock      %.2f GHz (dependent scalar additions)\n", 1e-9 / cycle_time());
    MEASURE("vaddpd", "zmm");
    MEASURE("vaddpd", "ymm");
    MEASURE("vmulpd", "zmm");
    MEASURE("vmulpd", "ymm");
    MEASURE("vpmuludq", "zmm");
    MEASURE("vpmuludq", "ymm");
    MEASURE("vpxord", "zmm");
    MEASURE("vpxord", "ymm");
    MEASURE("vpunpckldq", "zmm");  // a shuffle
    MEASURE("vpunpckldq", "ymm");
    return 0;
}
