// The smart quantizer's level search (cuda/gq_levels.cuh) outside the JVM: how close the fast
// search comes to the exact one, and what each stage of a smart bucket costs next to a standard
// bucket. Behind docs/smart.md. Build and run from the repository root (x86-64 with AVX-512):
//   make -C benchmarks/native OUT_DIR=/tmp      (the benchmarks' build makes it in target/native-tools)
//   /tmp/smart_levels quality [SAMPLE LEVELS BUCKETS_PER_SHAPE]   (default 512 16 2000)
//   /tmp/smart_levels stages [BUCKETS]                            (default 2000)
//   /tmp/smart_levels subsample SIZE [BUCKETS_PER_SHAPE]          (default 2000)
// quality: the worst ratio, per bucket shape, of the fast search's variance over the sample to
// the exact search's (level_exact, the dynamic programme over every value); exits with 1 when
// a bucket is worse than the bound the tests hold it to (0.5%).
// subsample: what a smaller sample than today's (every value of a 512-value bucket) would cost in
// variance and save in search time: points chosen from SIZE random values plus the min and max,
// their variance over the whole bucket against the optimum over the whole bucket (and standard's,
// for scale), and the search's median ticks against the full sample's. Data for the decision
// docs/smart.md asks for; smart itself samples as cuda/gq_smart_sample.cuh says.
// stages: each stage's median time-stamp-counter ticks per 512-value bucket, every bucket seen
// once (cold branch predictors, as in a real call), next to standard's whole bucket. On a shared
// machine the ratios mean more than the ticks.
#include <x86intrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gq_levels.cuh"
#include "gq_philox.cuh"
#include "gq_smart_vector.h"
#include "gq_vector.h"

using namespace gq;

namespace {

// The fast search's tested bound: variance at most 0.5% above the optimum (LevelSearchTest).
constexpr double BOUND = 1.005;

// The bucket shapes of LevelSearchTest.
const char* const SHAPES[] = {"normal", "laplace", "student-t2", "cauchy", "cauchy^3", "gradient", "repeated",
                              "20-distinct", "two-scales", "uniform", "bimodal", "70%-zero"};
constexpr int SHAPE_COUNT = 12;

std::vector<float> bucket(int shape, int n, std::mt19937_64& g) {
    std::normal_distribution<double> normal(0, 1);
    std::uniform_real_distribution<double> uniform(0, 1);
    std::vector<float> x(n);
    for (int i = 0; i < n; i++) {
        double v = 0, u = uniform(g);
        switch (shape) {
            case 0: v = normal(g); break;
            case 1: v = (u < 0.5 ? -1 : 1) * -std::log(1 - uniform(g)); break;
            case 2: v = normal(g) / std::sqrt((std::pow(normal(g), 2) + std::pow(normal(g), 2)) / 2); break;
            case 3: v = std::tan(M_PI * (u - 0.5)); break;
            case 4: v = std::pow(std::tan(M_PI * (u - 0.5)), 3); break;
            case 5: v = u < 0.05 ? 20 * (uniform(g) - 0.5) : normal(g) * std::exp(-3.0 * (int)(3 * uniform(g))); break;
            case 6: v = std::round(normal(g) * 4) / 4; break;
            case 7: v = std::floor(u * 20); break;
            case 8: v = u < 0.9 ? normal(g) * 1e-3 : normal(g); break;
            case 9: v = u; break;
            case 10: v = (u < 0.5 ? -3 : 3) + 0.1 * normal(g); break;
            default: v = u < 0.7 ? 0.0 : normal(g); break;
        }
        x[i] = (float)v + 0.0f;
    }
    return x;
}

// Owns a LevelScratch for samples of up to m values.
struct Scratch {
    std::vector<float> distinct;
    std::vector<double> doubles;
    std::vector<int32_t> ints;
    LevelScratch s;

    Scratch(size_t m, size_t l) : distinct(m), doubles(16 * m + 3), ints(l * m + 4 * m + 5 * l) {
        double* d = doubles.data();
        int32_t* i = ints.data();
        s = {distinct.data(), d, d + m, d + 4 * m, d + 5 * m + 1, d + 6 * m + 2, d + 2 * m, d + 3 * m, i, d + 7 * m + 3,
             i + l * m, i + l * m + m, i + l * m + 2 * m, i + l * m + 3 * m, d + 15 * m + 3, i + l * m + 4 * m,
             i + l * m + 4 * m + 2 * l, i + l * m + 4 * m + 3 * l};
    }
};

double variance(const std::vector<float>& sorted, const float* points, int count) {
    double total = 0;
    int b = 0;
    for (float x : sorted) {
        while (b + 1 < count && points[b + 1] <= x) b++;
        if (x != points[b]) total += ((double)x - points[b]) * ((double)points[b + 1] - x);
    }
    return total;
}

int quality(int m, int levels, int per_shape) {
    Scratch fast(m, levels), exact(m, levels);
    std::vector<float> a(levels), b(levels);
    std::vector<int32_t> idx(levels);
    double worst_all = 0;
    long total = 0, same = 0;
    printf("sample %d, %d levels, %d buckets per shape (fast search: %s)\n", m, levels, per_shape,
           level_plan(m, levels).fast ? "yes" : "no, exact");
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
        std::mt19937_64 g(77 + 1000 * shape + m + levels);
        double worst = 0;
        for (int t = 0; t < per_shape; t++) {
            std::vector<float> x = bucket(shape, m, g);
            std::sort(x.begin(), x.end());
            int count = choose_levels(x.data(), m, levels, fast.s, a.data(), avx512::LevelKernels());
            int d = level_prefix(x.data(), m, exact.s);
            double e;
            if (d <= levels) {
                e = variance(x, exact.s.distinct, d);
            } else {
                LevelPrefix prefix = {exact.s.y, exact.s.w0, exact.s.w1, exact.s.w2};
                level_exact(prefix, d, levels, exact.s, idx.data());
                for (int k = 0; k < levels; k++) b[k] = exact.s.distinct[idx[k]];
                e = variance(x, b.data(), levels);
            }
            double f = variance(x, a.data(), count);
            double ratio = e > 0 ? f / e : f == 0 ? 1.0 : INFINITY;
            worst = std::max(worst, ratio);
            same += ratio == 1.0;
            total++;
        }
        printf("  %-12s worst %.5f\n", SHAPES[shape], worst);
        worst_all = std::max(worst_all, worst);
    }
    printf("worst %.5f over %ld buckets; %.1f%% with exactly the optimal variance\n", worst_all, total,
           100.0 * same / total);
    if (worst_all > BOUND) {
        printf("worse than the tested bound %.3f\n", BOUND);
        return 1;
    }
    return 0;
}

double median_of(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int subsample(int size, int per_shape) {
    const int n = 512, levels = 16;
    if (size < 2 || size > n - 2) {
        fprintf(stderr, "subsample: SIZE %d is not allowed: 2 to %d\n", size, n - 2);
        return 2;
    }
    Scratch full(n, levels), part(size + 2, levels), exact(n, levels);
    std::vector<float> points(levels), best(levels);
    std::vector<int32_t> idx(levels);
    std::vector<double> full_ticks, part_ticks;
    printf("points from %d of 512 values (+ min and max), 16 levels, %d buckets per shape:\n", size, per_shape);
    printf("  variance over the bucket / its optimum: sample mean, sample worst, full-sample worst, standard mean\n");
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
        std::mt19937_64 g(99 + 1000 * shape + size);
        double sum = 0, worst = 0, full_worst = 0, standard_sum = 0;
        int counted = 0;
        for (int t = 0; t < per_shape; t++) {
            std::vector<float> x = bucket(shape, n, g);
            std::sort(x.begin(), x.end());
            int d = level_prefix(x.data(), n, exact.s);
            if (d <= levels) continue;  // every value is a point: nothing to compare
            LevelPrefix prefix = {exact.s.y, exact.s.w0, exact.s.w1, exact.s.w2};
            level_exact(prefix, d, levels, exact.s, idx.data());
            for (int k = 0; k < levels; k++) best[k] = exact.s.distinct[idx[k]];
            double optimum = variance(x, best.data(), levels);
            if (!(optimum > 0)) continue;
            std::vector<float> pick(x.begin() + 1, x.end() - 1);
            std::shuffle(pick.begin(), pick.end(), g);
            pick.resize(size);
            pick.push_back(x.front());
            pick.push_back(x.back());
            std::sort(pick.begin(), pick.end());
            uint64_t t0 = __rdtsc();
            int count = choose_levels(pick.data(), size + 2, levels, part.s, points.data(), avx512::LevelKernels());
            uint64_t t1 = __rdtsc();
            double ratio = variance(x, points.data(), count) / optimum;
            count = choose_levels(x.data(), n, levels, full.s, points.data(), avx512::LevelKernels());
            uint64_t t2 = __rdtsc();
            part_ticks.push_back((double)(t1 - t0));
            full_ticks.push_back((double)(t2 - t1));
            full_worst = std::max(full_worst, variance(x, points.data(), count) / optimum);
            StandardParams sp{};
            if (!standard_params(x.front(), x.back(), levels, &sp)) continue;
            for (int k = 0; k < levels; k++) points[k] = standard_value(sp, k);
            points[0] = x.front();  // the grid's ends exactly, whatever the rounding of min + k * unit
            points[levels - 1] = x.back();
            standard_sum += variance(x, points.data(), levels) / optimum;
            sum += ratio;
            worst = std::max(worst, ratio);
            counted++;
        }
        if (counted == 0) {
            printf("  %-12s every bucket has at most 16 distinct values\n", SHAPES[shape]);
            continue;
        }
        printf("  %-12s %10.4g %10.4g %10.4g %10.4g\n", SHAPES[shape], sum / counted, worst, full_worst,
               standard_sum / counted);
    }
    double a = median_of(part_ticks), b = median_of(full_ticks);
    printf("search, median ticks: %.0f from the sample, %.0f from all 512 values (%.2fx)\n", a, b, b / a);
    return 0;
}

// choose_levels' steps, each timed.
enum Stage { PREFIX, CANDIDATES, COARSE, NEIGHBOUR, RADIUS, SORT, ROUND, STANDARD, STAGES };
const char* const STAGE_NAMES[] = {"distinct values + prefix sums", "candidates", "coarse programme",
                                   "neighbour programmes", "radius programmes", "sample sort (AVX-512)",
                                   "random words + rounding", "standard: whole bucket"};

void timed_search(const float* sorted, int m, int levels, const LevelScratch& s, std::vector<double>* ticks) {
    avx512::LevelKernels kernels;
    uint64_t t0 = __rdtsc();
    int d = level_prefix(sorted, m, s);
    uint64_t t1 = __rdtsc();
    ticks[PREFIX].push_back((double)(t1 - t0));
    LevelPlan plan = level_plan(d, levels);
    if (d <= levels || !plan.fast) return;
    LevelPrefix prefix = {s.y, s.w0, s.w1, s.w2};
    int32_t* p = s.points;
    int32_t* q = s.points + levels;
    int nfine = level_candidates(prefix, d, plan, s, kernels);
    uint64_t t2 = __rdtsc();
    ticks[CANDIDATES].push_back((double)(t2 - t1));
    level_dp_run(level_dp(s, levels, level_coarse_list(nfine, plan, levels, s)), prefix, kernels, p);
    uint64_t t3 = __rdtsc();
    ticks[COARSE].push_back((double)(t3 - t2));
    double neighbour = 0, radius = 0;
    for (int round = 0; round < plan.rounds; round++) {
        uint64_t a = __rdtsc();
        level_dp_run(level_dp(s, levels, level_neighbour_list(nfine, levels, p, s)), prefix, kernels, q);
        bool same = level_same(p, q, levels);
        uint64_t b = __rdtsc();
        level_dp_run(level_dp(s, levels, level_radius_list(d, levels, plan.radius, q, s)), prefix, kernels, p);
        uint64_t c = __rdtsc();
        neighbour += (double)(b - a);
        radius += (double)(c - b);
        if (same && level_same(p, q, levels)) break;
    }
    ticks[NEIGHBOUR].push_back(neighbour);
    ticks[RADIUS].push_back(radius);
}

int stages(int buckets) {
    const int n = 512, levels = 16;
    Scratch scratch(n + 2, levels);
    std::vector<float> work(n), sorted(n), sort_scratch(avx512::SORT_MAX), points(levels);
    std::vector<uint32_t> words(n);
    std::vector<uint8_t> codes(n);
    std::vector<double> ticks[STAGES];
    std::mt19937_64 g(5);
    double sink = 0;
    for (int b = 0; b < buckets; b++) {
        std::vector<float> x = bucket(b % SHAPE_COUNT, n, g);
        uint64_t t0 = __rdtsc();
        std::copy(x.begin(), x.end(), sorted.begin());
        avx512::sort_sample(sorted.data(), n, sort_scratch.data());
        uint64_t t1 = __rdtsc();
        ticks[SORT].push_back((double)(t1 - t0));
        timed_search(sorted.data(), n, levels, scratch.s, ticks);
        int count = choose_levels(sorted.data(), n, levels, scratch.s, points.data(), avx512::LevelKernels());
        std::copy(x.begin(), x.end(), work.begin());
        uint64_t t2 = __rdtsc();
        fill_random_words(1, 0, PURPOSE_ROUND, (uint64_t)b * n, n, words.data());
        sink += points_index_all(points.data(), count, work.data(), n, words.data(), codes.data());
        uint64_t t3 = __rdtsc();
        ticks[ROUND].push_back((double)(t3 - t2));
        std::copy(x.begin(), x.end(), work.begin());
        uint64_t t4 = __rdtsc();
        BucketScan scan = scan_bucket(work.data(), n, SUM_ANY);
        StandardParams params;
        if (standard_params(scan.min, scan.max, levels, &params)) {
            fill_random_words(1, 0, PURPOSE_ROUND, (uint64_t)b * n, n, words.data());
            sink += standard_index_all(params, work.data(), n, words.data(), codes.data());
        }
        uint64_t t5 = __rdtsc();
        ticks[STANDARD].push_back((double)(t5 - t4));
    }
    double standard = median_of(ticks[STANDARD]), search = 0;
    printf("median ticks per 512-value bucket, 16 levels, %d buckets (%s):\n", buckets, "every bucket once");
    for (int st = 0; st < STAGES; st++) {
        double t = median_of(ticks[st]);
        if (st <= RADIUS) search += t;
        printf("  %-31s %8.0f  %6.2f x standard\n", STAGE_NAMES[st], t, t / standard);
    }
    printf("  %-31s %8.0f  %6.2f x standard\n", "level search (sum of medians)", search, search / standard);
    return sink == 12345.678 ? 1 : 0;  // keeps the work
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "quality";
    if (mode == "quality") {
        return quality(argc > 2 ? atoi(argv[2]) : 512, argc > 3 ? atoi(argv[3]) : 16, argc > 4 ? atoi(argv[4]) : 2000);
    }
    if (mode == "stages") return stages(argc > 2 ? atoi(argv[2]) : 2000);
    if (mode == "subsample" && argc > 2) return subsample(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 2000);
    fprintf(stderr, "usage: smart_levels quality [SAMPLE LEVELS BUCKETS_PER_SHAPE] | stages [BUCKETS] | "
                    "subsample SIZE [BUCKETS_PER_SHAPE]\n");
    return 2;
}
