// A tiny Google Benchmark binary: its --benchmark_format=json output is the
// reference the gbench-json report is checked against.
#include <benchmark/benchmark.h>

static void BM_sum(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 1);
}
BENCHMARK(BM_sum);

BENCHMARK_MAIN();
