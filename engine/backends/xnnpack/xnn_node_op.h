// One XNNPACK operator standing for one original node.
//
// Life cycle, per session (XNNPACK's create -> setup -> run):
//   factory   at compile: checks what XNNPACK can take, creates the operator
//             (weights are packed here, once).
//   setup()   once, after the memory plan: binds shapes and the fixed tensor
//             pointers (XNNPACK builds its indirection buffers here).
//   run()     every invoke: xnn_run_operator, nothing else; its status goes
//             back to the partition, which fails the invoke naming the node.
#pragma once

#include <xnnpack.h>

#include <memory>
#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::xnnpack {

class XnnNodeOp {
 public:
  explicit XnnNodeOp(int node) : node_(node) {}
  virtual ~XnnNodeOp() {
    if (op_) xnn_delete_operator(op_);
  }
  XnnNodeOp(const XnnNodeOp&) = delete;
  XnnNodeOp& operator=(const XnnNodeOp&) = delete;

  int node() const { return node_; }
  // Binds `buffers` (tensor data by id); called once, before any run().
  virtual Status setup(const Graph& graph, void* const* buffers,
                       pthreadpool_t pool) = 0;
  // Runs the operator. Never allocates.
  virtual xnn_status run(pthreadpool_t pool) {
    return xnn_run_operator(op_, pool);
  }

 protected:
  int node_;
  xnn_operator_t op_ = nullptr;
};

// What an op file offers for one OpKind: a support check against the node as
// loaded (declared shapes, dtypes, attributes; no allocation) and a factory
// called at compile time, when the node's input shapes are final.
using XnnSupportFn = bool (*)(const Graph& graph, const Node& node,
                              std::string* why_not);
using XnnFactoryFn = Result<std::unique_ptr<XnnNodeOp>> (*)(const Graph& graph,
                                                            int node);

// "node 3 'conv' (CONV_2D): xnn_create_convolution2d_nhwc_f32 failed: ..."
Status xnn_error(const Graph& graph, int node, const char* call,
                 xnn_status status);
const char* to_string(xnn_status status);

}  // namespace opscope::xnnpack
