// Ingest: one result document (and the host's tags, sweep id and variant)
// becomes one row in runs plus its rows in tags, samples, op_times (and
// op_kinds), memory and stages, all in one write transaction; the document
// is stored once (run_rows.h).
#include <chrono>
#include <ctime>
#include <optional>
#include <random>

#include "adapters/store/sql/queries.h"
#include "adapters/store/sql/row_batch.h"
#include "adapters/store/sql/run_rows.h"
#include "adapters/store/sql/sql_store.h"

namespace opscope::store::sql {
namespace {

// The device's id: read when the row is there (no lock taken), else
// inserted (kUpsertDevice also copes with another writer inserting it now).
int64_t upsert_device(Connection& db, const DeviceInfo& d) {
  const auto bind_key = [&](Statement& st) {
    st.bind(":name", d.id);
    st.bind(":kind", d.kind);
    st.bind(":os", d.os);
    st.bind(":arch", d.arch);
    st.bind(":cpu_model", d.cpu_model);
    st.bind(":cores", d.cores);
    st.bind(":ram_bytes", d.ram_bytes);
    st.bind(":emulated", d.emulated ? 1 : 0);
  };
  {
    auto st = db.prepare(q::kDeviceWithKey);
    bind_key(*st);
    if (st->step()) return st->int64(0);
  }
  auto st = db.prepare(q::kUpsertDevice);
  bind_key(*st);
  st->step();
  return st->int64(0);
}

// The model's id, its row written only when new or when what describes the
// file changed (the newest run's description wins).
int64_t upsert_model(Connection& db, const ModelSummary& m) {
  {
    auto st = db.prepare(q::kModelWithKey);
    st->bind(":sha256", m.sha256);
    st->bind(":path", m.path);
    if (st->step() && st->text(1) == m.name && st->text(2) == m.format &&
        st->text(3) == m.precision && st->int64(4) == m.size_bytes && st->int64(5) == m.nodes &&
        st->int64(6) == m.params && st->int64(7) == m.macs) {
      return st->int64(0);
    }
  }
  auto st = db.prepare(q::kUpsertModel);
  st->bind(":sha256", m.sha256);
  st->bind(":path", m.path);
  st->bind(":name", m.name);
  st->bind(":format", m.format);
  st->bind(":precision", m.precision);
  st->bind(":size_bytes", m.size_bytes);
  st->bind(":nodes", m.nodes);
  st->bind(":params", m.params);
  st->bind(":macs", m.macs);
  st->step();
  return st->int64(0);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Who stored the run, when and with what labels: what the host adds to the
// runner's document.
struct Stored {
  std::string created_at, uid, sweep_id, variant;
};

int64_t insert_run(Connection& db, const ResultDocument& d, const nlohmann::json& document,
                   int64_t device_id, int64_t model_id, const Stored& stored) {
  auto st = db.prepare(q::kInsertRun);
  st->bind(":created_at", stored.created_at);
  st->bind(":device_id", device_id);
  st->bind(":model_id", model_id);
  st->bind(":schema_version", d.schema_version);
  st->bind(":tool_name", d.tool.name);
  st->bind(":tool_version", d.tool.version);
  st->bind(":git_commit", d.tool.git_commit);
  st->bind(":build_type", d.tool.build_type);
  st->bind(":compiler", d.tool.compiler);
  st->bind(":backends", join(d.config.backends));
  st->bind(":threads", d.config.threads);
  st->bind(":governor", d.device.governor);
  st->bind(":config", document.contains("config") ? dump_json(document["config"]) : "{}");
  st->bind(":status", d.status);
  st->bind(":error_code", d.error.code);
  st->bind(":error_message", d.error.message);
  st->bind(":sweep_id", stored.sweep_id);
  st->bind(":variant", stored.variant);
  const auto& l = d.latency_ms;
  st->bind(":latency_count", l.count);
  st->bind(":min_ms", l.min);
  st->bind(":max_ms", l.max);
  st->bind(":mean_ms", l.mean);
  st->bind(":median_ms", l.median);
  st->bind(":stddev_ms", l.stddev);
  st->bind(":p90_ms", l.p90);
  st->bind(":p95_ms", l.p95);
  st->bind(":p99_ms", l.p99);
  const StoredDocument kept = stored_document(document);
  st->bind(":document", kept.text);
  st->bind(":parts", kept.parts);
  st->bind(":uid", stored.uid);
  st->step();
  return st->int64(0);
}

void insert_children(Connection& db, int64_t run_id, const nlohmann::json& document,
                     const ResultDocument& d, const Tags& tags) {
  RowBatch tag_rows(q::kTagsColumns);
  for (const auto& [key, value] : tags) tag_rows.add({run_id, key, value});
  tag_rows.insert(db);
  insert_run_rows(db, run_id, document, d);

  {
    const auto& m = d.memory;
    auto st = db.prepare(q::kInsertMemory);
    st->bind(":run_id", run_id);
    st->bind(":peak_rss_bytes", m.peak_rss_bytes);
    st->bind(":rss_after_load_bytes", m.rss_after_load_bytes);
    st->bind(":arena_bytes", m.arena_bytes);
    st->bind(":arena_lower_bound_bytes", m.arena_lower_bound_bytes);
    st->bind(":weights_bytes", m.weights_bytes);
    st->bind(":heap_peak_bytes", m.heap_peak_bytes);
    st->bind(":pinned_bytes", m.pinned_bytes);
    st->exec();
  }
  {
    const auto& s = d.stages;
    auto st = db.prepare(q::kInsertStages);
    st->bind(":run_id", run_id);
    st->bind(":load_ms", s.load_ms);
    st->bind(":partition_ms", s.partition_ms);
    st->bind(":plan_ms", s.plan_ms);
    st->bind(":prepare_ms", s.prepare_ms);
    st->bind(":first_invoke_ms", s.first_invoke_ms);
    st->exec();
  }
}

// 32 hex digits from the system's entropy: a run's id across stores.
std::string new_run_uid() {
  std::random_device rd;
  std::string uid;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) uid += kHex[v & 15];
  }
  return uid;
}

}  // namespace

std::string utc_timestamp_now() {
  const std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<int64_t> SqlStore::ingest(const ResultDocument& doc, const Tags& tags,
                                 const std::string& sweep_id, const std::string& variant) {
  return ingest_json(to_json(doc), tags, sweep_id, variant);
}

Result<int64_t> SqlStore::ingest_json(const nlohmann::json& document, const Tags& tags,
                                      const std::string& sweep_id, const std::string& variant) {
  StoredRun run;
  run.created_at = utc_timestamp_now();
  run.uid = new_run_uid();
  run.tags = tags;
  run.sweep_id = sweep_id;
  run.variant = variant;
  run.document = document;
  OPSCOPE_ASSIGN_OR_RETURN(CopiedRun stored, store_run(run));
  return stored.id;
}

Result<CopiedRun> SqlStore::copy_run(const StoredRun& run) {
  if (run.uid.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  where() + ": cannot copy run " + std::to_string(run.id) + ": it has no uid");
  }
  return store_run(run);
}

Result<CopiedRun> SqlStore::store_run(const StoredRun& raw) {
  if (!raw.document.is_object()) {
    return Status(ErrorCode::kInvalidArgument,
                  where() + ": cannot store a result document that is not a JSON object");
  }
  // Everything stored is UTF-8 (bytes that are not: \xNN, result/utf8.h),
  // so no row can make a later JSON output throw. The document's strings
  // are escaped before it is parsed, so its columns and its text agree.
  nlohmann::json document = raw.document;
  escape_invalid_utf8(document);
  Tags tags;
  for (const auto& [key, value] : raw.tags) tags[text_in(key)] = text_in(value);
  const Stored stored{text_in(raw.created_at), text_in(raw.uid), text_in(raw.sweep_id),
                      text_in(raw.variant)};
  std::string why;
  std::optional<ResultDocument> parsed = parse_result_document(document, &why);
  if (!parsed) {
    return Status(ErrorCode::kInvalidArgument, where() + ": not a valid result document: " + why);
  }
  const ResultDocument& doc = *parsed;
  for (const auto& [key, value] : tags) {
    if (key.empty()) {
      return Status(ErrorCode::kInvalidArgument, where() + ": a tag needs a non-empty key");
    }
  }
  // The id of the run stored with this uid, or 0.
  const auto run_with_uid = [&] {
    auto st = db_->prepare(q::kRunWithUid);
    st->bind(":uid", stored.uid);
    return st->step() ? st->int64(0) : int64_t{0};
  };
  try {
    WriteTransaction tx(*db_);
    if (const int64_t id = run_with_uid()) return CopiedRun{id, false};
    const int64_t device_id = upsert_device(*db_, doc.device);
    const int64_t model_id = upsert_model(*db_, doc.model);
    const int64_t run_id = insert_run(*db_, doc, document, device_id, model_id, stored);
    insert_children(*db_, run_id, document, doc, tags);
    tx.commit();
    return CopiedRun{run_id, true};
  } catch (const std::exception& e) {
    // Another writer stored the same run (the same uid) a moment ago.
    try {
      if (db_->is_duplicate(e)) {
        if (const int64_t id = run_with_uid()) return CopiedRun{id, false};
      }
    } catch (const std::exception&) {
      // Report the first failure.
    }
    return db_->error_status("storing a run", e);
  }
}

}  // namespace opscope::store::sql
