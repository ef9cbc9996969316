#include "adapters/formats/tflite/tflite_subgraphs.h"

#include <algorithm>
#include <string>
#include <utility>

#include "adapters/formats/tflite/tflite_source_indices.h"

namespace opscope::tflite {

namespace {

int subgraph_count(const fb::Model* model) {
  return model->subgraphs() == nullptr ? 0 : static_cast<int>(model->subgraphs()->size());
}

bool is_resource_variable_op(int32_t code) {
  return code == static_cast<int32_t>(fb::BuiltinOperator::VAR_HANDLE) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::READ_VARIABLE) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::ASSIGN_VARIABLE);
}

// Resource variables (state kept between invokes, set up by CALL_ONCE) are
// refused before the tensors are read: their handle tensors have type
// RESOURCE, which would otherwise fail first, naming a tensor, not the op.
Status check_resource_variables(const ReadContext& ctx) {
  const auto* ops = ctx.subgraph->operators();
  const auto* codes = ctx.model->operator_codes();
  if (ops == nullptr || codes == nullptr) return Status::ok();
  for (uint32_t i = 0; i < ops->size(); ++i) {
    const uint32_t code_index = ops->Get(i)->opcode_index();
    if (code_index >= codes->size()) continue;  // read_operators reports it
    const int32_t code = resolve_builtin_code(*codes->Get(code_index));
    if (!is_resource_variable_op(code)) continue;
    return Status(ErrorCode::kUnsupportedOp,
                  "node " + std::to_string(i) + " (" + builtin_name(code) +
                      "): resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE) are "
                      "not supported: the engine keeps no state between invokes");
  }
  return Status::ok();
}

std::string chain_text(const std::vector<int>& chain, int last) {
  std::string s;
  for (int k : chain) s += std::to_string(k) + " -> ";
  return s + std::to_string(last);
}

}  // namespace

SubgraphReader::SubgraphReader(const ReadContext& file, std::shared_ptr<const void> storage,
                               std::string path)
    : file_(file), storage_(std::move(storage)), path_(std::move(path)) {
  const int n = subgraph_count(file_.model);
  state_.assign(static_cast<size_t>(n), State::kUnread);
  models_.resize(static_cast<size_t>(n));
  expanded_.assign(static_cast<size_t>(n), 0);
}

std::string SubgraphReader::label(int index) const {
  std::string s = "subgraph " + std::to_string(index);
  const fb::SubGraph* sg = file_.model->subgraphs()->Get(static_cast<uint32_t>(index));
  if (sg->name() != nullptr && sg->name()->size() > 0) s += " '" + sg->name()->str() + "'";
  return s;
}

Status SubgraphReader::read_main(Model& model) {
  if (state_.empty()) {
    return Status(ErrorCode::kMalformedModel, "model has no subgraphs");
  }
  state_[0] = State::kReading;
  chain_ = {0};
  Status st = read_into(0, model);
  state_[0] = State::kRead;
  chain_.clear();
  return st;
}

Result<std::shared_ptr<const Model>> SubgraphReader::subgraph(int from, int index,
                                                              const std::string& role) {
  const int n = static_cast<int>(state_.size());
  const std::string what = role + " subgraph " + std::to_string(index);
  if (index < 0 || index >= n) {
    return Status(ErrorCode::kInvalidGraph, what + " is out of range [0, " + std::to_string(n) +
                                                ") (the file has " + std::to_string(n) +
                                                " subgraphs)");
  }
  const size_t at = static_cast<size_t>(index);
  if (state_[at] == State::kReading) {
    if (index == from) {
      return Status(ErrorCode::kInvalidGraph,
                    what + " is the subgraph holding this op: a subgraph may not run itself");
    }
    return Status(ErrorCode::kInvalidGraph,
                  what + " is already being read further up: the subgraphs run each other in a "
                         "cycle (" + chain_text(chain_, index) + "), which TFLite does not allow");
  }
  if (state_[at] == State::kUnread) {
    if (static_cast<int>(chain_.size()) >= kMaxSubgraphNesting) {
      return Status(ErrorCode::kUnsupportedOp,
                    what + " would nest control flow " + std::to_string(chain_.size() + 1) +
                        " subgraphs deep (" + chain_text(chain_, index) + "); opscope reads " +
                        std::to_string(kMaxSubgraphNesting) + " at most");
    }
    auto model = std::make_shared<Model>();
    model->storage = storage_;
    model->info.path = path_;
    model->info.format = ModelFormat::kTflite;
    state_[at] = State::kReading;
    chain_.push_back(index);
    Status st = read_into(index, *model);
    chain_.pop_back();
    state_[at] = State::kRead;
    if (!st.is_ok()) return Status(st.code(), role + " " + label(index) + ": " + st.message());
    models_[at] = std::move(model);
  }
  if (models_[at] == nullptr) {
    // Read before and failed: that error has already been returned.
    return Status(ErrorCode::kInvalidGraph, what + " could not be read");
  }
  // The expanded size of the subgraph running it grows by this one's.
  int64_t& total = expanded_[static_cast<size_t>(from)];
  total = std::min(kMaxExpandedNodes + 1, total + expanded_[at]);
  if (total > kMaxExpandedNodes) {
    return Status(ErrorCode::kUnsupportedOp,
                  what + ": subgraph " + std::to_string(from) +
                      " would run more than " + std::to_string(kMaxExpandedNodes) +
                      " nodes with its control flow expanded (a subgraph counts once per place "
                      "that runs it)");
  }
  return models_[at];
}

Status SubgraphReader::read_into(int index, Model& model) {
  ReadContext ctx = file_;
  ctx.subgraph = file_.model->subgraphs()->Get(static_cast<uint32_t>(index));
  ctx.subgraph_index = index;
  ctx.graph = &model.graph;
  ctx.info = &model.info;
  ctx.subgraphs = this;
  if (index != 0) {
    model.info.name = ctx.subgraph->name() != nullptr && ctx.subgraph->name()->size() > 0
                          ? ctx.subgraph->name()->str()
                          : "subgraph " + std::to_string(index);
  }
  OPSCOPE_RETURN_IF_ERROR(check_resource_variables(ctx));
  OPSCOPE_RETURN_IF_ERROR(read_tensors(ctx));
  OPSCOPE_RETURN_IF_ERROR(read_operators(ctx));
  // The source-index table covers subgraph 0's operators only.
  if (index == 0) OPSCOPE_RETURN_IF_ERROR(apply_source_indices(ctx));
  model.info.source_nodes = ctx.subgraph->operators() == nullptr
                                ? 0
                                : static_cast<int>(ctx.subgraph->operators()->size());
  fill_weight_info(model.graph, model.info);
  int64_t& total = expanded_[static_cast<size_t>(index)];
  total = std::min(kMaxExpandedNodes + 1, total + static_cast<int64_t>(model.graph.nodes.size()));
  return validate_graph(model.graph);
}

std::vector<int> SubgraphReader::unread() const {
  std::vector<int> out;
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i] == State::kUnread) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace opscope::tflite
