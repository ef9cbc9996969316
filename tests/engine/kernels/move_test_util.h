// Helpers shared by the tests of the pooling, reduce, data-movement and
// resize kernels: seeded random data, row-major index math and the check
// that a rejection has the right code and names the node.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/tensor.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {

// Distinct values 0, 1, 2, ... (wrapping for narrow T): a misplaced element
// shows up in a copy test.
template <typename T>
std::vector<T> counting(size_t n, int64_t first = 0) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<T>(first + int64_t(i));
  return v;
}

inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) {
    s[d] = s[d + 1] * shape[d + 1];
  }
  return s;
}

// Row-major multi-index of flat index i.
inline std::vector<int64_t> unflatten(int64_t i, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
  return idx;
}

inline int64_t flatten(const std::vector<int64_t>& idx, const Shape& shape) {
  int64_t i = 0;
  for (size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + idx[d];
  return i;
}

// A rejection: not OK, the expected code, and a message naming the node
// that KernelRunner builds ("node 0 'test_node' (OP): ...").
inline void expect_rejected(const Status& st, ErrorCode code) {
  ASSERT_FALSE(st.is_ok()) << "expected " << to_string(code);
  EXPECT_EQ(st.code(), code) << st.message();
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
      << st.message();
}

}  // namespace opscope::testing
