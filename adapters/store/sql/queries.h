// Every query the store runs, in one place, in the SQL that SQLite and
// PostgreSQL share; the few that differ are chosen by dialect at the end.
// Tables are created and changed only by the migrations in schema.cc.
//
// list_runs builds its WHERE clause from the kWhere* fragments below (one per
// RunFilter field, each with its own named parameters), so that the database
// can use the indexes of the filters actually given. Nothing a user typed is
// ever part of the text: it is bound as a parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/sql/connection.h"

namespace opscope::store::sql::q {

// --- ingest ----------------------------------------------------------------
inline constexpr std::string_view kUpsertDevice = R"sql(
INSERT INTO devices (name, kind, os, arch, cpu_model, cores, ram_bytes, emulated)
VALUES (:name, :kind, :os, :arch, :cpu_model, :cores, :ram_bytes, :emulated)
ON CONFLICT (name, kind, os, arch, cpu_model, cores, ram_bytes, emulated)
DO UPDATE SET name = excluded.name
RETURNING id)sql";

// The device and model rows as they are, read before the upserts above:
// an upsert of an existing row locks it until the transaction ends, which
// made PostgreSQL's concurrent writers (all of one device) queue behind
// each other. Columns of kDeviceWithKey: id; of kModelWithKey: id, name,
// format, precision, size_bytes, nodes, params, macs.
inline constexpr std::string_view kDeviceWithKey = R"sql(
SELECT id FROM devices WHERE name = :name AND kind = :kind AND os = :os AND arch = :arch
  AND cpu_model = :cpu_model AND cores = :cores AND ram_bytes = :ram_bytes
  AND emulated = :emulated)sql";
inline constexpr std::string_view kModelWithKey = R"sql(
SELECT id, name, format, precision, size_bytes, nodes, params, macs FROM models
WHERE sha256 = :sha256 AND path = :path)sql";

inline constexpr std::string_view kUpsertModel = R"sql(
INSERT INTO models (sha256, path, name, format, precision, size_bytes, nodes, params, macs)
VALUES (:sha256, :path, :name, :format, :precision, :size_bytes, :nodes, :params, :macs)
ON CONFLICT (sha256, path) DO UPDATE SET
  name = excluded.name, format = excluded.format, precision = excluded.precision,
  size_bytes = excluded.size_bytes, nodes = excluded.nodes,
  params = excluded.params, macs = excluded.macs
RETURNING id)sql";

inline constexpr std::string_view kInsertRun = R"sql(
INSERT INTO runs (created_at, device_id, model_id, schema_version, tool_name,
  tool_version, git_commit, build_type, compiler, backends, threads, governor,
  config, status, error_code, error_message, sweep_id, variant, latency_count,
  min_ms, max_ms, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, p99_ms, document, uid, parts)
VALUES (:created_at, :device_id, :model_id, :schema_version, :tool_name,
  :tool_version, :git_commit, :build_type, :compiler, :backends, :threads, :governor,
  :config, :status, :error_code, :error_message, :sweep_id, :variant, :latency_count,
  :min_ms, :max_ms, :mean_ms, :median_ms, :stddev_ms, :p90_ms, :p95_ms, :p99_ms, :document,
  :uid, :parts)
RETURNING id)sql";

// Tables written with multi-row INSERTs (row_batch.h): a run's tags,
// samples and op rows, columns in the order the rows give them.
inline constexpr std::string_view kTagsColumns = "tags (run_id, key, value)";
inline constexpr std::string_view kSamplesColumns = "samples (run_id, seq, ms)";
inline constexpr std::string_view kOpTimesColumns = R"sql(op_times (run_id, seq, idx, kind_id,
  count, first_us, mean_us, median_us, min_us, max_us, pct, cdf_pct, live_bytes, scratch_bytes,
  allocated_bytes, runs_per_invoke, fields, extra))sql";
inline constexpr std::string_view kOpKindsColumns = R"sql(op_kinds (id, source_index, name, type,
  category, backend, output_shapes, fused_sources, body, parent, depth, macs, weights_bytes))sql";
// After a multi-row INSERT of op_kinds: another writer may have added the
// same kind a moment ago.
inline constexpr std::string_view kOnConflictIdDoNothing = " ON CONFLICT (id) DO NOTHING";
// Columns as in kOpKindsColumns; the WHERE is kinds_with_ids(dialect).
inline constexpr std::string_view kSelectOpKinds = R"sql(
SELECT id, source_index, name, type, category, backend, output_shapes, fused_sources, body,
       parent, depth, macs, weights_bytes FROM op_kinds)sql";

inline constexpr std::string_view kInsertMemory = R"sql(
INSERT INTO memory (run_id, peak_rss_bytes, rss_after_load_bytes, arena_bytes,
  arena_lower_bound_bytes, weights_bytes, heap_peak_bytes, pinned_bytes)
VALUES (:run_id, :peak_rss_bytes, :rss_after_load_bytes, :arena_bytes,
  :arena_lower_bound_bytes, :weights_bytes, :heap_peak_bytes, :pinned_bytes)
)sql";

inline constexpr std::string_view kInsertStages = R"sql(
INSERT INTO stages (run_id, load_ms, partition_ms, plan_ms, prepare_ms, first_invoke_ms)
VALUES (:run_id, :load_ms, :partition_ms, :plan_ms, :prepare_ms, :first_invoke_ms)
)sql";

// --- reading ---------------------------------------------------------------
// Columns: id, created_at, model, model_path, precision, variant, device,
// backends, status, sweep_id, threads, median_ms, p90_ms, peak_rss_bytes.
inline constexpr std::string_view kListRunsSelect = R"sql(
SELECT r.id, r.created_at, m.name, m.path, m.precision, r.variant, d.name,
       r.backends, r.status, r.sweep_id, r.threads, r.median_ms, r.p90_ms,
       coalesce(mem.peak_rss_bytes, 0)
FROM runs r
JOIN models m ON m.id = r.model_id
JOIN devices d ON d.id = r.device_id
LEFT JOIN memory mem ON mem.run_id = r.id
WHERE 1 = 1)sql";
// The same filters, for ids only (selectors).
inline constexpr std::string_view kRunIdsSelect = "SELECT r.id FROM runs r WHERE 1 = 1";
// A model by file name ("selfie.tflite"), stem ("selfie") or path.
inline constexpr std::string_view kWhereModel =
    " AND r.model_id IN (SELECT id FROM models WHERE name = :model OR path = :model"
    " OR substr(name, 1, length(:model) + 1) = :model || '.')";
inline constexpr std::string_view kWhereDevice =
    " AND r.device_id IN (SELECT id FROM devices WHERE name = :device)";
// backends is a comma list: match a whole item.
inline constexpr std::string_view kWhereBackend =
    " AND (',' || r.backends || ',') LIKE ('%,' || :backend || ',%')";
inline constexpr std::string_view kWhereBackends = " AND r.backends = :backends";
inline constexpr std::string_view kWhereStatus = " AND r.status = :status";
inline constexpr std::string_view kWhereSweep = " AND r.sweep_id = :sweep_id";
inline constexpr std::string_view kWhereVariant = " AND r.variant = :variant";
// One per tag: :tag_key_N / :tag_value_N (the caller numbers them).
inline constexpr std::string_view kWhereTagFormat =
    " AND r.id IN (SELECT run_id FROM tags WHERE key = :tag_key_{0} AND value = :tag_value_{0})";
inline constexpr std::string_view kWhereSince = " AND r.created_at >= :since";
// Inclusive: '2026-11-21' keeps every run of that day.
inline constexpr std::string_view kWhereUntil =
    " AND substr(r.created_at, 1, length(:until)) <= :until";
inline constexpr std::string_view kListRunsOrder = " ORDER BY r.id DESC";
inline constexpr std::string_view kLimit = " LIMIT :limit";

inline constexpr std::string_view kTagsOfRun =
    "SELECT key, value FROM tags WHERE run_id = :run_id ORDER BY key";

inline constexpr std::string_view kLoadRun = R"sql(
SELECT id, created_at, sweep_id, variant, document, uid, parts FROM runs WHERE id = :id
)sql";

inline constexpr std::string_view kRunWithUid = "SELECT id FROM runs WHERE uid = :uid";

// A run's ops, in the order of its document: op_times's own columns, then
// the kind's (run_rows.cc reads them by position).
inline constexpr std::string_view kOpRowsOfRun = R"sql(
SELECT t.fields, t.extra, t.idx, t.count, t.first_us, t.mean_us, t.median_us, t.min_us,
       t.max_us, t.pct, t.cdf_pct, t.live_bytes, t.scratch_bytes, t.allocated_bytes,
       t.runs_per_invoke, k.source_index, k.name, k.type, k.category, k.backend,
       k.output_shapes, k.fused_sources, k.body, k.parent, k.depth, k.macs, k.weights_bytes
FROM op_times t JOIN op_kinds k ON k.id = t.kind_id
WHERE t.run_id = :run_id ORDER BY t.seq
)sql";
inline constexpr std::string_view kSamplesOfRun =
    "SELECT ms FROM samples WHERE run_id = :run_id ORDER BY seq";

// Migration 7's back-fill: the runs still stored whole, and their rewrite.
inline constexpr std::string_view kRunsStoredWhole =
    "SELECT id FROM runs WHERE parts = 0 ORDER BY id";
inline constexpr std::string_view kRunDocument = "SELECT document FROM runs WHERE id = :id";
inline constexpr std::string_view kDeleteSamplesOfRun = "DELETE FROM samples WHERE run_id = :id";
inline constexpr std::string_view kSetRunDocument =
    "UPDATE runs SET document = :document, parts = :parts WHERE id = :id";

inline constexpr std::string_view kLatestSweepId = R"sql(
SELECT sweep_id FROM runs WHERE sweep_id <> '' ORDER BY id DESC LIMIT 1
)sql";

// --- quant-diff ------------------------------------------------------------
inline constexpr std::string_view kRunExists = "SELECT 1 FROM runs WHERE id = :id";

inline constexpr std::string_view kInsertQuantDiff = R"sql(
INSERT INTO quant_diffs (created_at, float_run_id, int8_run_id, float_model, int8_model,
  output_snr_db, task_metric, task_metric_value, document)
VALUES (:created_at, :float_run_id, :int8_run_id, :float_model, :int8_model,
  :output_snr_db, :task_metric, :task_metric_value, :document)
RETURNING id)sql";

inline constexpr std::string_view kInsertQuantDiffOp = R"sql(
INSERT INTO quant_diff_ops (quant_diff_id, seq, source_index, name, type, snr_db, cosine,
  rmse_over_scale, max_abs_error, float_us, int8_us)
VALUES (:quant_diff_id, :seq, :source_index, :name, :type, :snr_db, :cosine,
  :rmse_over_scale, :max_abs_error, :float_us, :int8_us)
)sql";

// Columns: id, created_at, float_run_id, int8_run_id, float_model,
// int8_model, output_snr_db, task_metric, task_metric_value, document.
inline constexpr std::string_view kQuantDiffsOfRun = R"sql(
SELECT id, created_at, coalesce(float_run_id, 0), coalesce(int8_run_id, 0), float_model,
       int8_model, output_snr_db, task_metric, task_metric_value, document
FROM quant_diffs
WHERE float_run_id = :run_id OR int8_run_id = :run_id
ORDER BY id DESC
)sql";

// The same columns, for a model pair.
inline constexpr std::string_view kQuantDiffsOfModels = R"sql(
SELECT id, created_at, coalesce(float_run_id, 0), coalesce(int8_run_id, 0), float_model,
       int8_model, output_snr_db, task_metric, task_metric_value, document
FROM quant_diffs
WHERE float_model = :float_model AND int8_model = :int8_model
ORDER BY id DESC
)sql";

// Columns: source_index, name, type, snr_db, cosine, rmse_over_scale,
// max_abs_error, float_us, int8_us.
inline constexpr std::string_view kQuantDiffOps = R"sql(
SELECT source_index, name, type, snr_db, cosine, rmse_over_scale, max_abs_error,
       float_us, int8_us
FROM quant_diff_ops WHERE quant_diff_id = :id ORDER BY seq
)sql";

// --- sweeps ----------------------------------------------------------------
inline constexpr std::string_view kInsertSweep = R"sql(
INSERT INTO sweeps (id, created_at, updated_at, status, host, host_pid, plan)
VALUES (:id, :now, :now, 'running', :host, :host_pid, :plan))sql";
inline constexpr std::string_view kInsertSweepCase = R"sql(
INSERT INTO sweep_cases (sweep_id, seq, status, run_id, spec)
VALUES (:sweep_id, :seq, 'pending', NULL, :spec))sql";
inline constexpr std::string_view kFinishSweepCase = R"sql(
UPDATE sweep_cases SET status = :status, run_id = nullif(:run_id, 0)
WHERE sweep_id = :sweep_id AND seq = :seq)sql";
inline constexpr std::string_view kSetSweepStatus = R"sql(
UPDATE sweeps SET status = :status, host_pid = :host_pid, updated_at = :now
WHERE id = :id)sql";
// Every sweep with its case counts, newest first; the WHERE of one is
// appended by load_sweep.
inline constexpr std::string_view kSelectSweeps = R"sql(
SELECT s.id, s.created_at, s.updated_at, s.status, s.host, s.host_pid, s.plan,
       (SELECT count(*) FROM sweep_cases c WHERE c.sweep_id = s.id),
       (SELECT count(*) FROM sweep_cases c WHERE c.sweep_id = s.id AND c.status = 'ok'),
       (SELECT count(*) FROM sweep_cases c WHERE c.sweep_id = s.id AND c.status = 'failed')
FROM sweeps s)sql";
inline constexpr std::string_view kWhereSweepId = " WHERE s.id = :id";
inline constexpr std::string_view kSelectSweepCases = R"sql(
SELECT seq, status, coalesce(run_id, 0), spec FROM sweep_cases
WHERE sweep_id = :sweep_id ORDER BY seq)sql";

// --- where the dialects differ -------------------------------------------
// PostgreSQL: the id list is a text parameter; `= ANY(CAST(...))` would
// parse it again for every row scanned (6 ms for 200 kinds), the subquery
// parses it once.
// Runs whose id is in :ids, bound as ids_parameter() gives.
constexpr std::string_view where_ids(Dialect d) {
  return d == Dialect::kSqlite ? " AND r.id IN (SELECT value FROM json_each(:ids))"
                               : " AND r.id IN (SELECT unnest(CAST(:ids AS BIGINT[])))";
}
// op_kinds rows whose id is in :ids, bound as ids_parameter() gives.
constexpr std::string_view kinds_with_ids(Dialect d) {
  return d == Dialect::kSqlite ? " WHERE id IN (SELECT value FROM json_each(:ids))"
                               : " WHERE id IN (SELECT unnest(CAST(:ids AS BIGINT[])))";
}
// Ids as where_ids() and kinds_with_ids() read them: a JSON array for
// SQLite's json_each, an array literal for PostgreSQL.
inline std::string ids_parameter(Dialect d, const std::vector<int64_t>& ids) {
  std::string list;
  for (int64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return d == Dialect::kSqlite ? "[" + list + "]" : "{" + list + "}";
}
// Sweeps newest first. Ties (sweeps begun in the same second): SQLite
// orders them as stored; PostgreSQL has no stable row order, so by id.
constexpr std::string_view sweeps_newest_first(Dialect d) {
  return d == Dialect::kSqlite ? " ORDER BY s.created_at DESC, s.rowid DESC"
                               : " ORDER BY s.created_at DESC, s.id DESC";
}

}  // namespace opscope::store::sql::q
