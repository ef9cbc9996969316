// Ingest: one result document (and the host's tags, sweep id and variant)
// becomes one row in runs plus its rows in tags, samples, op_stats, memory
// and stages, all in one BEGIN IMMEDIATE transaction.
#include <optional>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/store/sqlite/queries.h"
#include "adapters/store/sqlite/sqlite_store.h"

namespace opscope::store::sqlite {
namespace {

SQLite::Statement prepare(SQLite::Database& db, std::string_view sql) {
  return SQLite::Statement(db, std::string(sql));
}

int64_t upsert_device(SQLite::Database& db, const DeviceInfo& d) {
  auto st = prepare(db, q::kUpsertDevice);
  st.bind(":name", d.id);
  st.bind(":kind", d.kind);
  st.bind(":os", d.os);
  st.bind(":arch", d.arch);
  st.bind(":cpu_model", d.cpu_model);
  st.bind(":cores", d.cores);
  st.bind(":ram_bytes", d.ram_bytes);
  st.bind(":emulated", d.emulated ? 1 : 0);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

int64_t upsert_model(SQLite::Database& db, const ModelSummary& m) {
  auto st = prepare(db, q::kUpsertModel);
  st.bind(":sha256", m.sha256);
  st.bind(":path", m.path);
  st.bind(":name", m.name);
  st.bind(":format", m.format);
  st.bind(":precision", m.precision);
  st.bind(":size_bytes", m.size_bytes);
  st.bind(":nodes", m.nodes);
  st.bind(":params", m.params);
  st.bind(":macs", m.macs);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

int64_t insert_run(SQLite::Database& db, const ResultDocument& d,
                   const nlohmann::json& document, int64_t device_id, int64_t model_id,
                   const std::string& sweep_id, const std::string& variant) {
  auto st = prepare(db, q::kInsertRun);
  st.bind(":created_at", utc_timestamp_now());
  st.bind(":device_id", device_id);
  st.bind(":model_id", model_id);
  st.bind(":schema_version", d.schema_version);
  st.bind(":tool_name", d.tool.name);
  st.bind(":tool_version", d.tool.version);
  st.bind(":git_commit", d.tool.git_commit);
  st.bind(":build_type", d.tool.build_type);
  st.bind(":compiler", d.tool.compiler);
  st.bind(":backends", join(d.config.backends));
  st.bind(":threads", d.config.threads);
  st.bind(":governor", d.device.governor);
  st.bind(":config", document.contains("config") ? dump_json(document["config"]) : "{}");
  st.bind(":status", d.status);
  st.bind(":error_code", d.error.code);
  st.bind(":error_message", d.error.message);
  st.bind(":sweep_id", sweep_id);
  st.bind(":variant", variant);
  const auto& l = d.latency_ms;
  st.bind(":latency_count", l.count);
  st.bind(":min_ms", l.min);
  st.bind(":max_ms", l.max);
  st.bind(":mean_ms", l.mean);
  st.bind(":median_ms", l.median);
  st.bind(":stddev_ms", l.stddev);
  st.bind(":p90_ms", l.p90);
  st.bind(":p95_ms", l.p95);
  st.bind(":p99_ms", l.p99);
  st.bind(":document", dump_json(document));
  st.exec();
  return db.getLastInsertRowid();
}

void insert_children(SQLite::Database& db, int64_t run_id, const ResultDocument& d,
                     const Tags& tags) {
  {
    auto st = prepare(db, q::kInsertTag);
    for (const auto& [key, value] : tags) {
      st.bind(":run_id", run_id);
      st.bind(":key", key);
      st.bind(":value", value);
      st.exec();
      st.reset();
    }
  }
  {
    auto st = prepare(db, q::kInsertSample);
    for (size_t i = 0; i < d.latency_ms.samples.size(); ++i) {
      st.bind(":run_id", run_id);
      st.bind(":seq", static_cast<int64_t>(i));
      st.bind(":ms", d.latency_ms.samples[i]);
      st.exec();
      st.reset();
    }
  }
  {
    auto st = prepare(db, q::kInsertOpStats);
    for (const OpStats& op : d.ops) {
      st.bind(":run_id", run_id);
      st.bind(":idx", op.index);
      st.bind(":source_index", op.source_index);
      st.bind(":name", op.name);
      st.bind(":type", op.type);
      st.bind(":backend", op.backend);
      st.bind(":count", op.count);
      st.bind(":first_us", op.first_us);
      st.bind(":mean_us", op.mean_us);
      st.bind(":median_us", op.median_us);
      st.bind(":min_us", op.min_us);
      st.bind(":max_us", op.max_us);
      st.bind(":pct", op.pct);
      st.bind(":cdf_pct", op.cdf_pct);
      st.bind(":macs", op.macs);
      st.bind(":live_bytes", op.live_bytes);
      st.bind(":weights_bytes", op.weights_bytes);
      st.bind(":scratch_bytes", op.scratch_bytes);
      st.bind(":output_shapes", dump_json(nlohmann::json(op.output_shapes)));
      st.bind(":parent", static_cast<int64_t>(op.parent));
      st.bind(":depth", static_cast<int64_t>(op.depth));
      st.bind(":runs_per_invoke", op.runs_per_invoke);
      st.exec();
      st.reset();
    }
  }
  {
    const auto& m = d.memory;
    auto st = prepare(db, q::kInsertMemory);
    st.bind(":run_id", run_id);
    st.bind(":peak_rss_bytes", m.peak_rss_bytes);
    st.bind(":rss_after_load_bytes", m.rss_after_load_bytes);
    st.bind(":arena_bytes", m.arena_bytes);
    st.bind(":arena_lower_bound_bytes", m.arena_lower_bound_bytes);
    st.bind(":weights_bytes", m.weights_bytes);
    st.bind(":heap_peak_bytes", m.heap_peak_bytes);
    st.bind(":pinned_bytes", m.pinned_bytes);
    st.exec();
  }
  {
    const auto& s = d.stages;
    auto st = prepare(db, q::kInsertStages);
    st.bind(":run_id", run_id);
    st.bind(":load_ms", s.load_ms);
    st.bind(":partition_ms", s.partition_ms);
    st.bind(":plan_ms", s.plan_ms);
    st.bind(":prepare_ms", s.prepare_ms);
    st.bind(":first_invoke_ms", s.first_invoke_ms);
    st.exec();
  }
}

}  // namespace

Result<int64_t> SqliteStore::ingest(const ResultDocument& doc, const Tags& tags,
                                    const std::string& sweep_id,
                                    const std::string& variant) {
  return ingest_json(to_json(doc), tags, sweep_id, variant);
}

Result<int64_t> SqliteStore::ingest_json(const nlohmann::json& raw_document,
                                         const Tags& raw_tags,
                                         const std::string& raw_sweep_id,
                                         const std::string& raw_variant) {
  if (!raw_document.is_object()) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + path_ + ": cannot store a result document that is not "
                  "a JSON object");
  }
  // Everything stored is UTF-8 (bytes that are not: \xNN, result/utf8.h),
  // so no row can make a later JSON output throw. The document's strings
  // are escaped before it is parsed, so its columns and its text agree.
  nlohmann::json document = raw_document;
  escape_invalid_utf8(document);
  Tags tags;
  for (const auto& [key, value] : raw_tags) tags[text_in(key)] = text_in(value);
  const std::string sweep_id = text_in(raw_sweep_id);
  const std::string variant = text_in(raw_variant);
  std::string why;
  std::optional<ResultDocument> parsed = parse_result_document(document, &why);
  if (!parsed) {
    return Status(ErrorCode::kInvalidArgument,
                  "results store " + path_ + ": not a valid result document: " + why);
  }
  const ResultDocument& doc = *parsed;
  for (const auto& [key, value] : tags) {
    if (key.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    "results store " + path_ + ": a tag needs a non-empty key");
    }
  }
  try {
    // IMMEDIATE takes the write lock up front: a concurrent writer waits in
    // the busy handler here instead of failing at its first INSERT.
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    const int64_t device_id = upsert_device(*db_, doc.device);
    const int64_t model_id = upsert_model(*db_, doc.model);
    const int64_t run_id =
        insert_run(*db_, doc, document, device_id, model_id, sweep_id, variant);
    insert_children(*db_, run_id, doc, tags);
    tx.commit();
    return run_id;
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "storing a run", e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal,
                  "results store " + path_ + ": storing a run: " + e.what());
  }
}

}  // namespace opscope::store::sqlite
