// The results store: where every run lands, and what compare, gate, report
// and the dashboard read back.
//
// The interface is deliberately narrow (ingest, list, load, select). One
// implementation (adapters/store/sql) serves SQLite, the embedded default
// (adapters/store/sqlite), and PostgreSQL, the team store
// (adapters/store/postgres); open_store() picks by the name given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "result/result_document.h"

namespace opscope::store {

using Tags = std::map<std::string, std::string>;

// One stored run: the result document as the runner wrote it, plus what the
// host added when it stored it.
struct StoredRun {
  int64_t id = 0;          // this store's number for it
  std::string uid;         // its id in every store (32 hex digits), made when first stored
  std::string created_at;  // ISO-8601 UTC, e.g. "2026-11-21T23:07:05Z"
  Tags tags;               // the user's --tag KEY=VALUE pairs
  std::string sweep_id;    // set when the run came from `opscope sweep`
  std::string variant;     // a user label, e.g. "float" or "int8" (may be "")
  ResultDocument doc;
  // The result document exactly as ingested, including fields that
  // ResultDocument does not know (yet): what reports read for extras such as
  // a per-invoke trace.
  nlohmann::json document;
};

// What copy_run did: the run's id in this store, and whether it was added
// (false: this store held a run with that uid already, which is left as is).
struct CopiedRun {
  int64_t id = 0;
  bool added = false;
};

// A run's summary row, without samples and per-op rows: what `opscope runs`
// and the dashboard's Runs view list.
struct RunRow {
  int64_t id = 0;
  std::string created_at, model, model_path, precision, variant, device,
      backends, status, sweep_id;
  int threads = 0;
  double median_ms = 0, p90_ms = 0;
  int64_t peak_rss_bytes = 0;
  Tags tags;
};

// Per-op numerical error of an int8 model against its float twin, from
// `opscope quant-diff` (docs/quantization.md "quant-diff").
struct QuantDiffOp {
  int64_t source_index = -1;   // node index in the float model file
  std::string name, type;      // the float node's name and op type
  double snr_db = 0, cosine = 0, rmse_over_scale = 0, max_abs_error = 0;
  double float_us = 0, int8_us = 0;   // median per-op times; 0 when not measured
};

// One `opscope quant-diff` result: the model-level figures, the per-op rows
// and the two timing runs it measured (stored as runs of their own).
struct QuantDiff {
  int64_t id = 0;
  std::string created_at;              // ISO-8601 UTC, set at ingest
  int64_t float_run_id = 0, int8_run_id = 0;  // the stored timing runs; 0 when none
  std::string float_model, int8_model;        // model paths
  double output_snr_db = 0;
  // e.g. "top1_agreement", "mask_iou", "score_agreement", "landmark_rmse"
  std::string task_metric;
  double task_metric_value = 0;
  std::vector<QuantDiffOp> ops;
  nlohmann::json document;             // the whole quant-diff JSON, verbatim
};

// One `opscope sweep` as the store keeps it, so that an interrupted sweep can
// be seen and resumed (`opscope sweep --resume ID`). status is "running"
// while its host process works on it, "complete" when every case ran, and
// "incomplete" when the host stopped early (a signal, a store error) — or,
// as read back, when the host that marked it "running" is gone (SIGKILL):
// the reader decides that with host_pid (see effective_sweep_status).
struct SweepRecord {
  std::string id, created_at, updated_at, status, host;
  int64_t host_pid = 0;
  int64_t cases = 0, ok = 0, failed = 0;  // failed: ran and failed
  nlohmann::json plan;  // what the host needs to run the cases again (its own format)
};

// One case of a stored sweep, in run order.
struct SweepCaseRow {
  int64_t seq = 0;
  std::string status;   // "pending" | "ok" | "failed"
  int64_t run_id = 0;   // the stored run of its last attempt; 0: none
  nlohmann::json spec;  // the case as the host described it (its own format)
};

// All conditions must hold; an empty field does not filter.
struct RunFilter {
  std::vector<int64_t> ids;
  std::string model;     // model file name, its stem, or its path
  std::string device;    // device id
  std::string backend;   // runs whose backend list contains it
  std::string backends;  // runs with exactly this priority list, e.g. "xnnpack,cpu"
  std::string status;    // "ok" or "error"
  std::string sweep_id;
  std::string variant;
  std::vector<std::pair<std::string, std::string>> tags;  // KEY=VALUE each
  std::string since, until;  // ISO-8601 dates or timestamps, inclusive
  int limit = 0;             // 0: no limit; newest first
};

// What load_run reads of a run.
enum class LoadParts { kAll, kWithoutOps };

class Store {
 public:
  virtual ~Store() = default;

  // Stores one run in one transaction; returns its id.
  virtual Result<int64_t> ingest(const ResultDocument& doc,
                                 const Tags& tags,
                                 const std::string& sweep_id = "",
                                 const std::string& variant = "") = 0;
  // The same for a result document as JSON, every key of it kept: load_run
  // gives it back key for key, fields that ResultDocument does not know
  // included (stored once: ops and samples as rows, sql/run_rows.h).
  // kInvalidArgument if `document` is not a JSON object.
  virtual Result<int64_t> ingest_json(const nlohmann::json& document,
                                      const Tags& tags,
                                      const std::string& sweep_id = "",
                                      const std::string& variant = "") = 0;
  // Stores a run read from another store as it was stored there: its uid,
  // created_at, tags, sweep id, variant and document. A run whose uid is
  // here already is not stored again (`opscope store push` and `pull` can
  // run twice). kInvalidArgument for a run without a uid.
  virtual Result<CopiedRun> copy_run(const StoredRun& run) = 0;
  virtual Result<std::vector<RunRow>> list_runs(const RunFilter& filter) = 0;
  // A whole run: its document with every field as ingested.
  Result<StoredRun> load_run(int64_t id) { return load_run(id, LoadParts::kAll); }
  // kWithoutOps leaves out the per-op rows (doc.ops empty, no "ops" in
  // `document`): what a view over many runs' latency needs, at a fraction
  // of the cost.
  virtual Result<StoredRun> load_run(int64_t id, LoadParts parts) = 0;

  // Resolves a selector to run ids (ascending):
  //   "42"                 one run id
  //   "42,43"              several
  //   "latest"             the newest run
  //   "sweep:ID"           every run of a sweep ("sweep:latest": the newest)
  //   "tag:KEY=VALUE"      every run with that tag
  //   "model:NAME"         every run of that model
  //   "backends:LIST"      every run with exactly that backend list
//   "variant:LABEL"      every run stored with that --variant
//   "status:ok|error"    every run with that status
  // Selectors join with '+' as AND, e.g. "tag:commit=abc+model:selfie".
  // An unknown selector is kInvalidArgument; one that matches nothing
  // returns an empty list.
  virtual Result<std::vector<int64_t>> select(std::string_view selector) = 0;

  // Stores one quant-diff (its ops in quant_diff_ops) in one transaction;
  // returns its id. `diff.id` and `diff.created_at` are ignored (set here).
  // A float_run_id/int8_run_id that is not 0 must name a stored run.
  virtual Result<int64_t> ingest_quant_diff(const QuantDiff& diff) = 0;
  // The quant-diffs whose float or int8 run is `run_id`, newest first, with
  // their ops (in the order they were ingested).
  virtual Result<std::vector<QuantDiff>> find_quant_diffs(int64_t run_id) = 0;
  // The quant-diffs of this model pair (paths as stored), newest first, with
  // their ops: quant-diff's errors belong to the two files, so runs of the
  // same pair from a sweep can show them too.
  virtual Result<std::vector<QuantDiff>> find_quant_diffs_of_models(
      const std::string& float_model, const std::string& int8_model) = 0;

  // SQLite's PRAGMA integrity_check: OK, or kDataLoss with its first lines.
  // Writers call it before a run so that they never add to a damaged file.
  virtual Status check_integrity() = 0;

  // Sweeps (docs/store.md "Interrupted sweeps"). begin_sweep stores the
  // record (status "running") and its cases (status "pending") in one
  // transaction; kInvalidArgument if the id exists.
  virtual Status begin_sweep(const SweepRecord& sweep,
                             const std::vector<nlohmann::json>& case_specs) = 0;
  // Records the outcome of one case ("ok" or "failed") and its run id.
  virtual Status finish_sweep_case(const std::string& sweep_id, int64_t seq,
                                   const std::string& status, int64_t run_id) = 0;
  // Sets the sweep's status and the pid of the host now working on it.
  virtual Status set_sweep_status(const std::string& sweep_id, const std::string& status,
                                  int64_t host_pid) = 0;
  // "latest" or an id; kNotFound when there is none. With its counts.
  virtual Result<SweepRecord> load_sweep(const std::string& id) = 0;
  virtual Result<std::vector<SweepRecord>> list_sweeps(int limit) = 0;
  virtual Result<std::vector<SweepCaseRow>> sweep_cases(const std::string& sweep_id) = 0;
};

// The status a reader should show: a "running" sweep whose host process is
// gone from this machine is "incomplete" (killed without a chance to say so).
std::string effective_sweep_status(const SweepRecord& sweep, const std::string& this_host);

struct SqliteOptions {
  // How long a writer waits for another process's transaction before it
  // gives up with "locked".
  int busy_timeout_ms = 30000;
  // Open for reading only: nothing is created, migrated or switched to WAL.
  // A store in a read-only folder (no -shm file can be made) is opened
  // immutable. Every write then fails with a "read-only" message.
  bool read_only = false;
  // Called once, before a migration that rewrites every stored run (about a
  // minute per 10,000 runs), with a line to show the user.
  std::function<void(const std::string&)> on_long_migration;
};

// Opens (creating if needed) a SQLite store. Migrates an older schema;
// refuses a newer one with a message naming both versions.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const SqliteOptions& options);

struct PostgresOptions {
  // Readers: never create or migrate; an empty database is an error and an
  // older schema asks for `opscope store init`.
  bool read_only = false;
  // As in SqliteOptions.
  std::function<void(const std::string&)> on_long_migration;
};

// The schema version this build reads and writes.
int schema_version();

// How messages name a store: its path, or its URL without a password.
std::string display_name(const std::string& store);

// True for the URL forms of libpq, "postgresql://..." and "postgres://...".
bool is_postgres_url(std::string_view name);

// Opens the store `name` names: a PostgreSQL URL (is_postgres_url) or a
// SQLite file, with each one's defaults; `read_only` as their options say.
Result<std::unique_ptr<Store>> open_store(const std::string& name, bool read_only = false);

// Opens the PostgreSQL store at `url` (libpq's URI; the password from
// PGPASSFILE or ~/.pgpass, never from the URL in messages). Creates or
// migrates the schema unless read-only; refuses a newer one, and a database
// whose tables are not an opscope store's.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url,
                                                   const PostgresOptions& options);

}  // namespace opscope::store
