// Internal to the TFLite reader: subgraphs as engine models.
//
// Subgraph 0 is the main graph. Another subgraph is read only when a
// control-flow op (IF, WHILE, CALL_ONCE) of a subgraph being read refers to
// it; it becomes a Model of its own (its own inputs and outputs become the
// graph's), read once and shared by every op that runs it. A reference is
// checked before it is followed: in range, not to a subgraph being read
// (the one holding the op, or one further up the chain: TFLite control flow
// never recurses), not nested deeper than kMaxSubgraphNesting, and not
// expanding into more than kMaxExpandedNodes, so a hostile file can neither
// crash the reader nor make it (or the sessions the engine creates per
// body) recurse or grow without end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_read_context.h"

namespace opscope::tflite {

// Subgraphs open at once along one chain of control flow (subgraph 0
// included). Real models nest two or three.
inline constexpr int kMaxSubgraphNesting = 32;
// Nodes of a graph with every body expanded where it is run (a subgraph run
// from two places counts twice): the engine creates a session per place.
inline constexpr int64_t kMaxExpandedNodes = int64_t{1} << 20;

class SubgraphReader {
 public:
  // `file` supplies file_data, file_size, model, notes and budget (its
  // other fields are ignored); `storage` keeps the file's bytes alive and
  // is shared by every subgraph's Model. `path` becomes their
  // ModelInfo::path. Both must outlive the reader.
  SubgraphReader(const ReadContext& file, std::shared_ptr<const void> storage,
                 std::string path);

  // Reads subgraph 0 into `model`, and with it every subgraph its control
  // flow runs. Call once.
  Status read_main(Model& model);

  // Subgraph `index`, which an op of subgraph `from` runs as `role`
  // ("then", "else", "cond", "body", "init"): read on first use, the same
  // Model after. Errors (kInvalidGraph, or the subgraph's own) start with
  // "<role> subgraph <index>" and are meant to follow the op's label.
  Result<std::shared_ptr<const Model>> subgraph(int from, int index, const std::string& role);

  // Subgraphs nothing read, in index order (after read_main).
  std::vector<int> unread() const;

 private:
  enum class State { kUnread, kReading, kRead };

  Status read_into(int index, Model& model);
  std::string label(int index) const;  // "subgraph 2 'body'"

  ReadContext file_;
  std::shared_ptr<const void> storage_;
  std::string path_;
  std::vector<State> state_;
  std::vector<std::shared_ptr<const Model>> models_;
  std::vector<int64_t> expanded_;  // per subgraph read, kMaxExpandedNodes at most
  std::vector<int> chain_;         // subgraphs being read, outermost first
};

}  // namespace opscope::tflite
