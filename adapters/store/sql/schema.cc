// Every statement that creates or changes the store's tables lives here, in
// migration order, once for both dialects: the column types are tokens that
// migration_sql() spells for each ({int}, {real}, {id}, {serial},
// {without_rowid}); what only one dialect can say is in that migration's
// sqlite/postgres part, put where the shared text has {dialect} (or at its
// end). Queries live in queries.h.
#include "adapters/store/sql/schema.h"

#include "adapters/store/sql/run_rows.h"

#include <array>

namespace opscope::store::sql {
namespace {

// Version 1: devices, models, runs (with the whole result document), tags,
// samples, per-op rows and memory.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE devices (
  id         {id},
  name       TEXT NOT NULL,      -- the document's device.id (host name, serial)
  kind       TEXT NOT NULL,
  os         TEXT NOT NULL,
  arch       TEXT NOT NULL,
  cpu_model  TEXT NOT NULL,
  cores      {int} NOT NULL,
  ram_bytes  {int} NOT NULL,
  emulated   {int} NOT NULL,
  UNIQUE (name, kind, os, arch, cpu_model, cores, ram_bytes, emulated)
);
CREATE TABLE models (
  id          {id},
  sha256      TEXT NOT NULL,     -- '' when the runner could not read the file
  path        TEXT NOT NULL,
  name        TEXT NOT NULL,     -- file stem
  format      TEXT NOT NULL,
  precision   TEXT NOT NULL,
  size_bytes  {int} NOT NULL,
  nodes       {int} NOT NULL,
  params      {int} NOT NULL,
  macs        {int} NOT NULL,
  UNIQUE (sha256, path)
);
CREATE INDEX models_by_name ON models (name);
CREATE INDEX models_by_path ON models (path);

-- AUTOINCREMENT: ids are never reused, so the highest id is the newest run.
CREATE TABLE runs (
  id              {serial},
  created_at      TEXT NOT NULL,     -- ISO-8601 UTC, set by the host at ingest
  device_id       {int} NOT NULL REFERENCES devices (id),
  model_id        {int} NOT NULL REFERENCES models (id),
  schema_version  {int} NOT NULL,  -- of the result document
  tool_name       TEXT NOT NULL,
  tool_version    TEXT NOT NULL,
  git_commit      TEXT NOT NULL,     -- of the tool that measured
  build_type      TEXT NOT NULL,
  compiler        TEXT NOT NULL,
  backends        TEXT NOT NULL,     -- priority list, e.g. 'xnnpack,cpu'
  threads         {int} NOT NULL,
  governor        TEXT NOT NULL,
  config          TEXT NOT NULL,     -- the document's config object (JSON)
  status          TEXT NOT NULL,     -- 'ok' | 'error'
  error_code      TEXT NOT NULL,
  error_message   TEXT NOT NULL,
  sweep_id        TEXT NOT NULL,     -- '' unless stored by a sweep
  variant         TEXT NOT NULL,     -- the user's label, may be ''
  latency_count   {int} NOT NULL,
  min_ms          {real} NOT NULL,
  max_ms          {real} NOT NULL,
  mean_ms         {real} NOT NULL,
  median_ms       {real} NOT NULL,
  stddev_ms       {real} NOT NULL,
  p90_ms          {real} NOT NULL,
  p95_ms          {real} NOT NULL,
  p99_ms          {real} NOT NULL,
  document        TEXT NOT NULL      -- the whole result document as ingested
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_model ON runs (model_id);
CREATE INDEX runs_by_device ON runs (device_id);
CREATE INDEX runs_by_sweep ON runs (sweep_id);

CREATE TABLE tags (
  run_id  {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) {without_rowid};
CREATE INDEX tags_by_key_value ON tags (key, value);

CREATE TABLE samples (
  run_id  {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq     {int} NOT NULL,          -- measured invoke number, from 0
  ms      {real} NOT NULL,
  PRIMARY KEY (run_id, seq)
) {without_rowid};

CREATE TABLE op_stats (
  run_id         {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  idx            {int} NOT NULL,   -- execution order (engine graph index)
  source_index   {int} NOT NULL,   -- node index in the model file
  name           TEXT NOT NULL,
  type           TEXT NOT NULL,
  backend        TEXT NOT NULL,
  count          {int} NOT NULL,
  first_us       {real} NOT NULL,
  mean_us        {real} NOT NULL,
  median_us      {real} NOT NULL,
  min_us         {real} NOT NULL,
  max_us         {real} NOT NULL,
  pct            {real} NOT NULL,
  cdf_pct        {real} NOT NULL,
  macs           {int} NOT NULL,
  live_bytes     {int} NOT NULL,
  weights_bytes  {int} NOT NULL,
  scratch_bytes  {int} NOT NULL,
  output_shapes  TEXT NOT NULL,      -- JSON array of strings
  PRIMARY KEY (run_id, idx)
) {without_rowid};

CREATE TABLE memory (
  run_id                   {int} PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  peak_rss_bytes           {int} NOT NULL,
  rss_after_load_bytes     {int} NOT NULL,
  arena_bytes              {int} NOT NULL,
  arena_lower_bound_bytes  {int} NOT NULL,
  weights_bytes            {int} NOT NULL,
  heap_peak_bytes          {int} NOT NULL,
  pinned_bytes             {int} NOT NULL
);
)sql";

// Version 2: a stages table (back-filled from the stored documents) and
// indexes for the status and variant filters of `opscope runs` and the
// dashboard.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE stages (
  run_id           {int} PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  load_ms          {real} NOT NULL,
  partition_ms     {real} NOT NULL,
  plan_ms          {real} NOT NULL,
  prepare_ms       {real} NOT NULL,
  first_invoke_ms  {real} NOT NULL
);
{dialect}
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_variant ON runs (variant);
)sql";
constexpr std::string_view kV2Sqlite = R"sql(
INSERT INTO stages (run_id, load_ms, partition_ms, plan_ms, prepare_ms, first_invoke_ms)
  SELECT id,
         coalesce(json_extract(document, '$.stages.load_ms'), 0),
         coalesce(json_extract(document, '$.stages.partition_ms'), 0),
         coalesce(json_extract(document, '$.stages.plan_ms'), 0),
         coalesce(json_extract(document, '$.stages.prepare_ms'), 0),
         coalesce(json_extract(document, '$.stages.first_invoke_ms'), 0)
  FROM runs;
)sql";
constexpr std::string_view kV2Postgres = R"sql(
INSERT INTO stages (run_id, load_ms, partition_ms, plan_ms, prepare_ms, first_invoke_ms)
  SELECT id,
         coalesce(CAST(CAST(document AS jsonb) #>> '{stages,load_ms}' AS DOUBLE PRECISION), 0),
         coalesce(CAST(CAST(document AS jsonb) #>> '{stages,partition_ms}' AS DOUBLE PRECISION), 0),
         coalesce(CAST(CAST(document AS jsonb) #>> '{stages,plan_ms}' AS DOUBLE PRECISION), 0),
         coalesce(CAST(CAST(document AS jsonb) #>> '{stages,prepare_ms}' AS DOUBLE PRECISION), 0),
         coalesce(CAST(CAST(document AS jsonb) #>> '{stages,first_invoke_ms}' AS DOUBLE PRECISION), 0)
  FROM runs;
)sql";

// Version 3: `opscope quant-diff` results. One row per diff (the model-level
// figures and the whole quant-diff JSON), one row per matched op. The two
// timing runs are ordinary runs; a diff measured without timing, or with
// --no-store runs, has NULL there (the interface reads NULL as 0).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE quant_diffs (
  id                 {serial},
  created_at         TEXT NOT NULL,     -- ISO-8601 UTC, set by the host at ingest
  float_run_id       {int} REFERENCES runs (id) ON DELETE SET NULL,
  int8_run_id        {int} REFERENCES runs (id) ON DELETE SET NULL,
  float_model        TEXT NOT NULL,     -- path as given
  int8_model         TEXT NOT NULL,
  output_snr_db      {real} NOT NULL,
  task_metric        TEXT NOT NULL,     -- '' when none
  task_metric_value  {real} NOT NULL,
  document           TEXT NOT NULL      -- the whole quant-diff JSON as ingested
);
CREATE INDEX quant_diffs_by_float_run ON quant_diffs (float_run_id);
CREATE INDEX quant_diffs_by_int8_run ON quant_diffs (int8_run_id);

CREATE TABLE quant_diff_ops (
  quant_diff_id    {int} NOT NULL REFERENCES quant_diffs (id) ON DELETE CASCADE,
  seq              {int} NOT NULL,  -- row order of the diff (float execution order)
  source_index     {int} NOT NULL,  -- node index in the float model file
  name             TEXT NOT NULL,
  type             TEXT NOT NULL,
  snr_db           {real} NOT NULL,
  cosine           {real} NOT NULL,
  rmse_over_scale  {real} NOT NULL,
  max_abs_error    {real} NOT NULL,
  float_us         {real} NOT NULL,     -- 0 when not measured
  int8_us          {real} NOT NULL,
  PRIMARY KEY (quant_diff_id, seq)
) {without_rowid};
)sql";

// Version 4: sweeps and their cases, so that a sweep that was interrupted
// shows as such and `opscope sweep --resume` can run what is left. The plan
// and the case specs are the host's JSON, kept verbatim.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE sweeps (
  id          TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,     -- ISO-8601 UTC
  updated_at  TEXT NOT NULL,
  status      TEXT NOT NULL,     -- 'running' | 'complete' | 'incomplete'
  host        TEXT NOT NULL,     -- the machine of the host process
  host_pid    {int} NOT NULL,  -- the host process that set the status
  plan        TEXT NOT NULL      -- JSON
);
CREATE TABLE sweep_cases (
  sweep_id  TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  seq       {int} NOT NULL,    -- run order, from 0
  status    TEXT NOT NULL,       -- 'pending' | 'ok' | 'failed'
  run_id    {int} REFERENCES runs (id) ON DELETE SET NULL,
  spec      TEXT NOT NULL,       -- JSON
  PRIMARY KEY (sweep_id, seq)
) {without_rowid};
)sql";

// Version 5: ops inside control-flow bodies (an If's branches, a loop's
// body) are rows too; parent is the idx of the node that ran them, depth 0
// for the main graph's ops. Sums over a run's ops take depth = 0.
constexpr std::string_view kV5 = R"sql(
ALTER TABLE op_stats ADD COLUMN parent {int} NOT NULL DEFAULT -1;
ALTER TABLE op_stats ADD COLUMN depth {int} NOT NULL DEFAULT 0;
ALTER TABLE op_stats ADD COLUMN runs_per_invoke {real} NOT NULL DEFAULT 1;
)sql";

// Version 6: every run has a unique id made when it was first stored, which
// stays with it when it is copied to another store (`opscope store push`,
// `pull`): copying twice adds nothing. Runs stored before get one now.
constexpr std::string_view kV6 = R"sql(
ALTER TABLE runs ADD COLUMN uid TEXT NOT NULL DEFAULT '';
{dialect}
CREATE UNIQUE INDEX runs_by_uid ON runs (uid);
)sql";
constexpr std::string_view kV6Sqlite = R"sql(
UPDATE runs SET uid = lower(hex(randomblob(16))) WHERE uid = '';
)sql";
constexpr std::string_view kV6Postgres = R"sql(
UPDATE runs SET uid = md5(random()::text || id::text) WHERE uid = '';
)sql";

// Version 7: each run stored once. A run's ops were kept twice, in the
// document and in op_stats; now they are rows only, split in two: what
// describes an op in a run (name, type, backend, shapes: the same in every
// run of a model on a backend) in op_kinds, once for all runs, and what was
// measured in op_times. runs.document keeps the rest of the document, and
// runs.parts says what was taken out of it (run_rows.h); the samples were
// rows already. Every key of every op survives: op_times.fields says which
// keys the columns give back, op_times.extra holds the others. The
// back-fill (split_stored_documents) moves the runs stored before; then
// op_stats becomes a view with the columns it had, and the new ones.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE op_kinds (
  id             {int} PRIMARY KEY,  -- a hash of the other columns (run_rows.cc)
  source_index   {int} NOT NULL,
  name           TEXT NOT NULL,
  type           TEXT NOT NULL,
  category       TEXT NOT NULL,
  backend        TEXT NOT NULL,
  output_shapes  TEXT NOT NULL,      -- JSON array of strings
  fused_sources  TEXT NOT NULL,      -- JSON array of node indexes
  body           TEXT NOT NULL,
  parent         {int} NOT NULL,
  depth          {int} NOT NULL,
  macs           {int} NOT NULL,
  weights_bytes  {int} NOT NULL
);
CREATE TABLE op_times (
  run_id           {int} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq              {int} NOT NULL,   -- position in the document's ops array
  idx              {int} NOT NULL,   -- execution order (engine graph index)
  kind_id          {int} NOT NULL REFERENCES op_kinds (id),
  count            {int} NOT NULL,
  first_us         {real} NOT NULL,
  mean_us          {real} NOT NULL,
  median_us        {real} NOT NULL,
  min_us           {real} NOT NULL,
  max_us           {real} NOT NULL,
  pct              {real} NOT NULL,
  cdf_pct          {real} NOT NULL,
  live_bytes       {int} NOT NULL,
  scratch_bytes    {int} NOT NULL,
  allocated_bytes  {int} NOT NULL,
  runs_per_invoke  {real} NOT NULL,
  fields           {int} NOT NULL,   -- bit i: the op had key i of run_rows.cc's list
  extra            TEXT NOT NULL,    -- the op's other keys, a JSON object; '' when none
  PRIMARY KEY (run_id, seq)
) {without_rowid};
ALTER TABLE runs ADD COLUMN parts {int} NOT NULL DEFAULT 0;
)sql";
constexpr std::string_view kV7Then = R"sql(
DROP TABLE op_stats;
CREATE VIEW op_stats AS
SELECT t.run_id, t.idx, k.source_index, k.name, k.type, k.backend, t.count, t.first_us,
       t.mean_us, t.median_us, t.min_us, t.max_us, t.pct, t.cdf_pct, k.macs, t.live_bytes,
       k.weights_bytes, t.scratch_bytes, k.output_shapes, k.parent, k.depth,
       t.runs_per_invoke, k.category, k.body, k.fused_sources, t.allocated_bytes, t.seq
FROM op_times t JOIN op_kinds k ON k.id = t.kind_id;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "devices, models, runs, tags, samples, op_stats, memory", kV1},
    Migration{2, "stages table (back-filled), indexes on status and variant", kV2, kV2Sqlite,
              kV2Postgres},
    Migration{3, "quant_diffs and quant_diff_ops (opscope quant-diff results)", kV3},
    Migration{4, "sweeps and sweep_cases (interrupted sweeps, sweep --resume)", kV4},
    Migration{5, "op_stats.parent, depth, runs_per_invoke (ops inside control flow)", kV5},
    Migration{6, "runs.uid (a run keeps its id across stores: store push/pull)", kV6, kV6Sqlite,
              kV6Postgres},
    Migration{7, "each run stored once: ops in op_kinds and op_times, op_stats a view", kV7,
              {}, {}, &split_stored_documents, kV7Then},
};

void replace_all(std::string& s, std::string_view token, std::string_view with) {
  for (size_t pos = 0; (pos = s.find(token, pos)) != std::string::npos; pos += with.size()) {
    s.replace(pos, token.size(), with);
  }
}

// `text` with its type tokens spelled for `dialect`, and `own` (spelled
// out, never tokenised) where it says {dialect}, else at its end.
std::string spelled(std::string_view text, std::string_view own, Dialect dialect) {
  const bool lite = dialect == Dialect::kSqlite;
  std::string sql(text);
  if (sql.find("{dialect}") == std::string::npos) sql += "\n{dialect}";
  replace_all(sql, "{serial}",
              lite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                   : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  replace_all(sql, "{id}",
              lite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  replace_all(sql, "{int}", lite ? "INTEGER" : "BIGINT");
  replace_all(sql, "{real}", lite ? "REAL" : "DOUBLE PRECISION");
  replace_all(sql, "{without_rowid}", lite ? "WITHOUT ROWID" : "");
  replace_all(sql, "{dialect}", own);
  return sql;
}

}  // namespace

std::string migration_sql(const Migration& m, Dialect dialect) {
  return spelled(m.sql, dialect == Dialect::kSqlite ? m.sqlite : m.postgres, dialect);
}

std::string migration_then_sql(const Migration& m, Dialect dialect) {
  return m.then.empty() ? std::string() : spelled(m.then, {}, dialect);
}

void apply_migrations(Connection& db, int64_t current,
                      void (*set_version)(Connection&, int version)) {
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    db.exec_script(migration_sql(m, db.dialect()));
    if (m.backfill != nullptr) m.backfill(db);
    if (!m.then.empty()) db.exec_script(migration_then_sql(m, db.dialect()));
    set_version(db, m.version);
  }
}

bool migration_rewrites_rows(int64_t version) {
  for (const Migration& m : kMigrations) {
    if (m.version > version && version > 0 && m.backfill != nullptr) return true;
  }
  return false;
}

std::string long_migration_note(const std::string& name, int64_t version) {
  return "results store " + name + ": bringing schema version " + std::to_string(version) +
         " to " + std::to_string(latest_schema_version()) +
         " rewrites every stored run once (about a minute per 10,000 runs)";
}

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

}  // namespace opscope::store::sql
