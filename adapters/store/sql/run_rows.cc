// Splitting a run's document into rows and putting it back (run_rows.h).
#include "adapters/store/sql/run_rows.h"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <variant>
#include <vector>

#include "adapters/store/sql/queries.h"
#include "adapters/store/sql/row_batch.h"
#include "adapters/store/sql/sql_store.h"
#include "result/utf8.h"

namespace opscope::store::sql {
namespace {

using nlohmann::json;

// The keys of an op that have columns, in bit order of op_times.fields:
// stored in every database, so never reorder; add new keys at the end.
constexpr std::array<const char*, 25> kOpKeys = {
    "index",     "source_index",  "fused_sources", "name",          "type",
    "backend",   "category",      "count",         "first_us",      "mean_us",
    "median_us", "min_us",        "max_us",        "pct",           "cdf_pct",
    "macs",      "live_bytes",    "weights_bytes", "scratch_bytes", "output_shapes",
    "allocated_bytes", "parent",  "depth",         "body",          "runs_per_invoke",
};

// What describes an op in a run, apart from what was measured: the same in
// every run of one model on one backend, so stored once (op_kinds).
struct OpKind {
  int64_t id = 0;
  std::vector<RowBatch::Value> values;  // op_kinds's columns after id
  std::string canonical;                // the values as one JSON text
};

std::string canonical_text(const std::vector<RowBatch::Value>& values) {
  json a = json::array();
  for (const RowBatch::Value& v : values) std::visit([&](const auto& x) { a.push_back(x); }, v);
  return dump_json(a);
}

// FNV-1a, then a 64-bit finaliser (splitmix64) so that near texts spread;
// 63 bits, so the id is a positive BIGINT. A collision is detected when the
// kind is stored (ensure_kinds), never silently shared.
int64_t kind_id(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return static_cast<int64_t>(h & 0x7fffffffffffffffULL);
}

OpKind kind_of(const OpStats& op) {
  OpKind k;
  k.values = {int64_t{op.source_index},
              op.name,
              op.type,
              op.category,
              op.backend,
              dump_json(json(op.output_shapes)),
              dump_json(json(op.fused_sources)),
              op.body,
              int64_t{op.parent},
              int64_t{op.depth},
              op.macs,
              op.weights_bytes};
  k.canonical = canonical_text(k.values);
  k.id = kind_id(k.canonical);
  return k;
}

// Stores the kinds that are not there yet; throws if an id stored already
// describes another op.
void ensure_kinds(Connection& db, std::map<int64_t, OpKind>& kinds) {
  if (kinds.empty()) return;
  std::vector<int64_t> ids;
  for (const auto& [id, kind] : kinds) ids.push_back(id);
  auto st = db.prepare(std::string(q::kSelectOpKinds) + std::string(q::kinds_with_ids(db.dialect())));
  st->bind(":ids", q::ids_parameter(db.dialect(), ids));
  while (st->step()) {
    auto it = kinds.find(st->int64(0));
    if (it == kinds.end()) continue;
    const int64_t id = it->first;
    // The stored row read as the kind's own values are typed (kind_of).
    std::vector<RowBatch::Value> stored;
    for (size_t i = 0; i < it->second.values.size(); ++i) {
      const int column = static_cast<int>(i) + 1;
      if (std::holds_alternative<int64_t>(it->second.values[i])) {
        stored.emplace_back(st->int64(column));
      } else {
        stored.emplace_back(st->text(column));
      }
    }
    if (canonical_text(stored) != it->second.canonical) {
      throw std::runtime_error("op_kinds: two op descriptions have the id " + std::to_string(id) +
                               ": " + canonical_text(stored) + " and " + it->second.canonical);
    }
    kinds.erase(it);
  }
  RowBatch rows(q::kOpKindsColumns, q::kOnConflictIdDoNothing);
  for (auto& [id, kind] : kinds) {
    std::vector<RowBatch::Value> row{id};
    row.insert(row.end(), kind.values.begin(), kind.values.end());
    rows.add(std::move(row));
  }
  rows.insert(db);
}

// The op's keys that its columns give back exactly (bits of kOpKeys), and
// a JSON object of the others ("" when none).
struct OpFields {
  int64_t fields = 0;
  std::string extra;
};

OpFields split_op(const json& op_json, const OpStats& op) {
  const json full = op_to_json(op);
  json rest = op_json;
  OpFields out;
  for (size_t i = 0; i < kOpKeys.size(); ++i) {
    auto it = rest.find(kOpKeys[i]);
    // Same text, same JSON type: 2 and 2.0 differ, and stay in `extra`.
    if (it == rest.end() || it->dump() != full.at(kOpKeys[i]).dump()) continue;
    out.fields |= int64_t{1} << i;
    rest.erase(it);
  }
  if (!rest.empty()) out.extra = dump_json(rest);
  return out;
}

// The op of one kOpRowsOfRun row, as its document had it.
json op_of_row(const Statement& st) {
  // Texts through text_of: bytes that are not UTF-8 (written by hand or by
  // an older version) read as \xNN, like every text the store returns.
  OpStats op;
  int c = 2;
  op.index = static_cast<int>(st.int64(c++));
  op.count = st.int64(c++);
  op.first_us = st.real(c++);
  op.mean_us = st.real(c++);
  op.median_us = st.real(c++);
  op.min_us = st.real(c++);
  op.max_us = st.real(c++);
  op.pct = st.real(c++);
  op.cdf_pct = st.real(c++);
  op.live_bytes = st.int64(c++);
  op.scratch_bytes = st.int64(c++);
  op.allocated_bytes = st.int64(c++);
  op.runs_per_invoke = st.real(c++);
  op.source_index = static_cast<int>(st.int64(c++));
  op.name = text_of(st, c++);
  op.type = text_of(st, c++);
  op.category = text_of(st, c++);
  op.backend = text_of(st, c++);
  op.output_shapes = json::parse(st.text(c++)).get<std::vector<std::string>>();
  op.fused_sources = json::parse(st.text(c++)).get<std::vector<int>>();
  op.body = text_of(st, c++);
  op.parent = static_cast<int>(st.int64(c++));
  op.depth = static_cast<int>(st.int64(c++));
  op.macs = st.int64(c++);
  op.weights_bytes = st.int64(c++);

  const int64_t fields = st.int64(0);
  const std::string extra = st.text(1);
  json out = extra.empty() ? json::object() : json::parse(escape_invalid_utf8_in_json_text(extra));
  const json full = op_to_json(op);
  for (size_t i = 0; i < kOpKeys.size(); ++i) {
    if (fields & (int64_t{1} << i)) out[kOpKeys[i]] = full.at(kOpKeys[i]);
  }
  return out;
}

bool samples_are_floats(const json& samples) {
  return samples.is_array() &&
         std::all_of(samples.begin(), samples.end(), [](const json& v) { return v.is_number_float(); });
}

}  // namespace

StoredDocument stored_document(const json& document) {
  StoredDocument out;
  json rest = json::object();
  for (const auto& [key, value] : document.items()) {
    if (key == "ops" && value.is_array()) {
      out.parts |= kOpsInRows;
      continue;
    }
    rest[key] = value;
  }
  auto latency = rest.find("latency_ms");
  if (latency != rest.end() && latency->is_object()) {
    auto samples = latency->find("samples");
    if (samples != latency->end() && samples_are_floats(*samples)) {
      latency->erase(samples);
      out.parts |= kSamplesInRows;
    }
  }
  out.text = dump_json(rest);
  return out;
}

void insert_run_rows(Connection& db, int64_t run_id, const json& document,
                     const ResultDocument& doc) {
  RowBatch sample_rows(q::kSamplesColumns);
  for (size_t i = 0; i < doc.latency_ms.samples.size(); ++i) {
    sample_rows.add({run_id, static_cast<int64_t>(i), doc.latency_ms.samples[i]});
  }
  sample_rows.insert(db);

  if (doc.ops.empty()) return;
  const json& ops = document.at("ops");  // parsed into doc.ops, one op each
  std::map<int64_t, OpKind> kinds;
  RowBatch op_rows(q::kOpTimesColumns);
  for (size_t i = 0; i < doc.ops.size(); ++i) {
    const OpStats& op = doc.ops[i];
    OpKind kind = kind_of(op);
    const int64_t id = kind.id;
    kinds.emplace(id, std::move(kind));
    const OpFields f = split_op(ops.at(i), op);
    op_rows.add({run_id, static_cast<int64_t>(i), int64_t{op.index}, id, op.count, op.first_us,
                 op.mean_us, op.median_us, op.min_us, op.max_us, op.pct, op.cdf_pct,
                 op.live_bytes, op.scratch_bytes, op.allocated_bytes, op.runs_per_invoke,
                 f.fields, f.extra});
  }
  ensure_kinds(db, kinds);
  op_rows.insert(db);
}

void restore_run_rows(Connection& db, int64_t run_id, int64_t parts, LoadParts what,
                      json& document) {
  if ((parts & kOpsInRows) && what == LoadParts::kAll) {
    json ops = json::array();
    auto st = db.prepare(q::kOpRowsOfRun);
    st->bind(":run_id", run_id);
    while (st->step()) ops.push_back(op_of_row(*st));
    document["ops"] = std::move(ops);
  }
  if (parts & kSamplesInRows) {
    json samples = json::array();
    auto st = db.prepare(q::kSamplesOfRun);
    st->bind(":run_id", run_id);
    while (st->step()) samples.push_back(st->real(0));
    document["latency_ms"]["samples"] = std::move(samples);
  }
}

void split_stored_documents(Connection& db) {
  std::vector<int64_t> ids;
  {
    auto st = db.prepare(q::kRunsStoredWhole);
    while (st->step()) ids.push_back(st->int64(0));
  }
  for (const int64_t id : ids) {
    std::string text;
    {
      auto st = db.prepare(q::kRunDocument);
      st->bind(":id", id);
      if (!st->step()) continue;
      text = st->text(0);
    }
    json document;
    std::optional<ResultDocument> doc = parse_result_document_text(text, &document);
    // A document that does not parse stays whole: load_run reports it as
    // it did before (its op rows, if it had any, are not kept).
    if (!doc) continue;
    {
      auto st = db.prepare(q::kDeleteSamplesOfRun);
      st->bind(":id", id);
      st->exec();
    }
    insert_run_rows(db, id, document, *doc);
    const StoredDocument stored = stored_document(document);
    auto st = db.prepare(q::kSetRunDocument);
    st->bind(":document", stored.text);
    st->bind(":parts", stored.parts);
    st->bind(":id", id);
    st->exec();
  }
}

}  // namespace opscope::store::sql
