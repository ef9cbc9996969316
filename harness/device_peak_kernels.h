// The microbenchmark loops behind device_peaks.h, one per instruction set,
// chosen by what the CPU reports at run time. Each loop keeps enough
// independent accumulators to hide the instruction's latency, so that its
// rate is the core's throughput, and returns a value that depends on every
// accumulator, so that the compiler cannot drop the work.
#pragma once

#include <cstddef>
#include <cstdint>

namespace opscope::harness {

struct PeakKernel {
  const char* isa = "";
  int64_t macs_per_iteration = 0;  // multiply-adds one call does per iteration
  double (*run)(int64_t iterations) = nullptr;
};

// The widest f32 FMA loop the CPU runs: AVX-512F, AVX2 with FMA, or scalar.
PeakKernel f32_fma_kernel();
// The widest int8 dot-product loop: AVX-512 VNNI (vpdpbusd), AVX2
// (vpmaddubsw + vpmaddwd), or scalar.
PeakKernel int8_dot_kernel();

// Reads `bytes` (a multiple of 256) with the widest loads the CPU has;
// returns a value that depends on every byte.
uint64_t read_all(const uint8_t* data, size_t bytes);

}  // namespace opscope::harness
