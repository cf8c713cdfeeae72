// Cost of the instrument on the hot path: the generator records every response, so record()
// must stay in the nanoseconds; value_at_percentile() runs once per second and per report.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace asyncbench {
namespace {

// Pre-drawn so the benchmark measures the histogram, not the random generator.
std::vector<std::uint64_t> latency_like_values(std::size_t n) {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> dist(8.0, 1.2);  // median ~3 ms, long tail
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) {
        v = static_cast<std::uint64_t>(dist(rng));
    }
    return values;
}

void bm_histogram_record(benchmark::State& state) {
    const auto values = latency_like_values(1 << 16);
    histogram h(3'600'000'000ULL, static_cast<int>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) {
        h.record(values[i]);
        i = (i + 1) & (values.size() - 1);
    }
    benchmark::DoNotOptimize(h.count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_histogram_record)->Arg(7)->Arg(10);

void bm_histogram_value_at_percentile(benchmark::State& state) {
    histogram h(3'600'000'000ULL, static_cast<int>(state.range(0)));
    for (auto v : latency_like_values(1'000'000)) {
        h.record(v);
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.value_at_percentile(99.9));
    }
}
BENCHMARK(bm_histogram_value_at_percentile)->Arg(7)->Arg(10);

void bm_histogram_merge(benchmark::State& state) {
    histogram a, b;
    for (auto v : latency_like_values(100'000)) {
        b.record(v);
    }
    for (auto _ : state) {
        a.merge(b);
    }
    benchmark::DoNotOptimize(a.count());
}
BENCHMARK(bm_histogram_merge);

}  // namespace
}  // namespace asyncbench
