// Drives one kernel's prepare/run with no model file, for kernel tests.
//
//   KernelRunner r(OpKind::kAdd, ActivationAttrs{});
//   r.add_input({1, 2}, std::vector<float>{1, 2});
//   r.add_constant({1}, std::vector<float>{3});
//   r.add_output();
//   ASSERT_TRUE(r.prepare(make_add_f32()).is_ok());
//   r.run();
//   std::vector<float> y = r.output<float>(0);
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "engine/graph.h"
#include "engine/kernel.h"
#include "tests/engine/test_tensors.h"

namespace opscope::testing {

class KernelRunner {
 public:
  explicit KernelRunner(OpKind op, Attributes attrs = {})
      : graph_(one_node_graph(op, std::move(attrs))) {}

  // A runtime (non-constant) input with the given values.
  template <typename T>
  int add_input(Shape shape, const std::vector<T>& values,
                DType dtype = dtype_of<T>(), Quantization q = {}) {
    const int id = add_test_tensor(graph_, "in", TensorRole::kInput, dtype,
                                   std::move(shape), std::move(q));
    values_[id] = bytes_of(values);
    node().inputs.push_back(id);
    return id;
  }

  // A constant input with the given values.
  template <typename T>
  int add_constant(Shape shape, const std::vector<T>& values,
                   DType dtype = dtype_of<T>(), Quantization q = {}) {
    const int id =
        add_test_tensor(graph_, "const", TensorRole::kConstant, dtype,
                        std::move(shape), std::move(q), bytes_of(values));
    node().inputs.push_back(id);
    return id;
  }

  // An absent optional input.
  void add_absent_input() { node().inputs.push_back(-1); }
  // The node's rounding semantics (graph.h); kFixedPoint unless set.
  void set_requantization(Requantization r) { node().requantization = r; }

  // An output whose shape the kernel sets in prepare.
  int add_output(DType dtype = DType::kF32, Quantization q = {}) {
    const int id = add_test_tensor(graph_, "out", TensorRole::kOutput, dtype,
                                   {}, std::move(q));
    node().outputs.push_back(id);
    return id;
  }

  Status prepare(std::unique_ptr<Kernel> kernel) {
    kernel_ = std::move(kernel);
    PrepareContext ctx(graph_, 0);
    Status st = kernel_->prepare(ctx);
    if (!st.is_ok()) return st;
    scratch_.assign(ctx.scratch_bytes() + 64, 0);
    buffers_.assign(graph_.tensors.size(), nullptr);
    storage_.assign(graph_.tensors.size(), {});
    for (size_t id = 0; id < graph_.tensors.size(); ++id) {
      Tensor& t = graph_.tensors[id];
      if (t.is_constant()) {
        buffers_[id] = const_cast<uint8_t*>(t.data);
        continue;
      }
      // Pad so that an over-read shows up under ASan as a real error only
      // when it goes past the tensor (no slack is given).
      storage_[id].assign(t.bytes(), 0);
      auto it = values_.find(static_cast<int>(id));
      if (it != values_.end()) {
        if (it->second.size() != t.bytes()) {
          return Status(ErrorCode::kInvalidArgument,
                        "test input size does not match its shape");
        }
        if (t.bytes() > 0) {
          std::memcpy(storage_[id].data(), it->second.data(), t.bytes());
        }
      }
      buffers_[id] = storage_[id].data();
    }
    return Status::ok();
  }

  // Runs the kernel; what it reported with RunContext::fail() (or ok) is
  // then run_failure().
  void run() {
    RunContext ctx;
    ctx.buffers = buffers_.data();
    ctx.scratch = scratch_.empty() ? nullptr : scratch_.data();
    failure_ = Status::ok();
    ctx.failure = &failure_;
    kernel_->run(ctx);
  }
  const Status& run_failure() const { return failure_; }

  const Tensor& output_tensor(int i) const {
    return graph_.tensors[graph_.nodes[0].outputs[i]];
  }
  template <typename T>
  std::vector<T> output(int i) const {
    return values_of<T>(storage_[graph_.nodes[0].outputs[i]]);
  }
  Graph& graph() { return graph_; }

 private:
  Node& node() { return graph_.nodes[0]; }

  Graph graph_;
  std::unique_ptr<Kernel> kernel_;
  std::map<int, std::vector<uint8_t>> values_;
  std::vector<std::vector<uint8_t>> storage_;
  std::vector<void*> buffers_;
  std::vector<uint8_t> scratch_;
  Status failure_;
};

}  // namespace opscope::testing
