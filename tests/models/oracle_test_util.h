// Shared by the whole-model agreement tests: where models and oracles live,
// the backend configurations every model runs on, seeded inputs, and the
// tolerance rule  max |ours - ref| <= 1e-4 * max |ref| + 1e-5.
//
// When a model or an oracle is missing the tests skip, unless
// OPSCOPE_REQUIRE_ORACLE=1 (set by scripts/test.sh, so CI never passes by
// skipping).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/npy.h"
#include "datasets/random_input.h"
#include "engine/graph.h"

namespace opscope::testing {

namespace fs = std::filesystem;

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline bool oracle_required() { return env_or("OPSCOPE_REQUIRE_ORACLE", "0") == "1"; }

inline fs::path model_dir() {
  return env_or("OPSCOPE_MODEL_DIR", env_or("HOME", "/root") + "/.cache/opscope/models");
}
inline fs::path node_dir() {
  return env_or("OPSCOPE_NODE_DIR", env_or("HOME", "/root") + "/.cache/opscope/node");
}
inline fs::path source_dir() { return env_or("OPSCOPE_SOURCE_DIR", "."); }

struct BackendConfig {
  const char* label;
  std::vector<std::string> backends;
  int threads;
};

// Reference cpu; xnnpack,cpu with 1 and 2 threads.
inline std::vector<BackendConfig> backend_configs() {
  std::vector<BackendConfig> configs = {{"cpu", {"cpu"}, 1}};
#if OPSCOPE_WITH_XNNPACK
  configs.push_back({"xnnpack,cpu 1t", {"xnnpack", "cpu"}, 1});
  configs.push_back({"xnnpack,cpu 2t", {"xnnpack", "cpu"}, 2});
#endif
  return configs;
}

// An empty directory under /tmp named after the test and this process.
inline fs::path fresh_dir(const std::string& prefix, const std::string& tag) {
  const fs::path work =
      fs::temp_directory_path() / (prefix + "-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  return work;
}

// Writes seeded inputs for every graph input of `g` to work/input_<i>.npy;
// returns the paths. Image inputs get smooth noise (fill_smooth_random):
// uniform noise drives segmentation masks to ~1e-10 everywhere.
inline std::vector<fs::path> write_smooth_inputs(const Graph& g, const fs::path& work) {
  std::vector<fs::path> paths;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& t = g.tensors[g.inputs[i]];
    datasets::NpyArray a;
    a.dtype = t.dtype;
    a.shape = t.shape;
    a.data.resize(t.bytes());
    datasets::fill_smooth_random(t, 1000 + i, datasets::default_range(t), a.data.data());
    paths.push_back(work / ("input_" + std::to_string(i) + ".npy"));
    EXPECT_TRUE(datasets::write_npy(paths.back(), a).is_ok());
  }
  return paths;
}

// Checks f32 output `ours_file` against `ref_file` with the tolerance rule
// and prints one line of figures. Shapes must be equal, or with
// `same_count_only` hold the same number of elements.
// `rel_tol` replaces the rule's 1e-4 (0: the outputs must be equal).
inline void expect_within_tolerance(const fs::path& ours_file, const fs::path& ref_file,
                                    const std::string& what, bool same_count_only = false,
                                    double rel_tol = 1e-4) {
  auto ours = datasets::read_npy(ours_file);
  auto ref = datasets::read_npy(ref_file);
  ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  ASSERT_EQ(ours->dtype, DType::kF32);
  ASSERT_EQ(ref->dtype, DType::kF32);
  if (same_count_only) {
    ASSERT_EQ(num_elements(ours->shape), num_elements(ref->shape))
        << what << ": " << shape_to_string(ours->shape) << " vs "
        << shape_to_string(ref->shape);
  } else {
    ASSERT_EQ(ours->shape, ref->shape) << what;
  }
  const auto* a = reinterpret_cast<const float*>(ours->data.data());
  const auto* b = reinterpret_cast<const float*>(ref->data.data());
  const int64_t n = num_elements(ref->shape);
  double max_ref = 0, max_err = 0;
  for (int64_t k = 0; k < n; ++k) {
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(b[k])));
    const double err = std::fabs(static_cast<double>(a[k]) - b[k]);
    max_err = std::isnan(err) ? INFINITY : std::max(max_err, err);
  }
  const double tol = rel_tol > 0 ? rel_tol * max_ref + 1e-5 : 0.0;
  std::printf("  %-48s %-14s max|ref| %-9.4g max err %-9.3g (tol %.3g)\n", what.c_str(),
              shape_to_string(ref->shape).c_str(), max_ref, max_err, tol);
  EXPECT_LE(max_err, tol) << what;
}

}  // namespace opscope::testing
