// Every statement that creates or changes the store's tables lives here, in
// migration order. Queries live in queries.h.
#include "adapters/store/sqlite/schema.h"

#include <array>

namespace opscope::store::sqlite {
namespace {

// Version 1: devices, models, runs (with the whole result document), tags,
// samples, per-op rows and memory.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE devices (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,      -- the document's device.id (host name, serial)
  kind       TEXT NOT NULL,
  os         TEXT NOT NULL,
  arch       TEXT NOT NULL,
  cpu_model  TEXT NOT NULL,
  cores      INTEGER NOT NULL,
  ram_bytes  INTEGER NOT NULL,
  emulated   INTEGER NOT NULL,
  UNIQUE (name, kind, os, arch, cpu_model, cores, ram_bytes, emulated)
);
CREATE TABLE models (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL,     -- '' when the runner could not read the file
  path        TEXT NOT NULL,
  name        TEXT NOT NULL,     -- file stem
  format      TEXT NOT NULL,
  precision   TEXT NOT NULL,
  size_bytes  INTEGER NOT NULL,
  nodes       INTEGER NOT NULL,
  params      INTEGER NOT NULL,
  macs        INTEGER NOT NULL,
  UNIQUE (sha256, path)
);
CREATE INDEX models_by_name ON models (name);
CREATE INDEX models_by_path ON models (path);

-- AUTOINCREMENT: ids are never reused, so the highest id is the newest run.
CREATE TABLE runs (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at      TEXT NOT NULL,     -- ISO-8601 UTC, set by the host at ingest
  device_id       INTEGER NOT NULL REFERENCES devices (id),
  model_id        INTEGER NOT NULL REFERENCES models (id),
  schema_version  INTEGER NOT NULL,  -- of the result document
  tool_name       TEXT NOT NULL,
  tool_version    TEXT NOT NULL,
  git_commit      TEXT NOT NULL,     -- of the tool that measured
  build_type      TEXT NOT NULL,
  compiler        TEXT NOT NULL,
  backends        TEXT NOT NULL,     -- priority list, e.g. 'xnnpack,cpu'
  threads         INTEGER NOT NULL,
  governor        TEXT NOT NULL,
  config          TEXT NOT NULL,     -- the document's config object (JSON)
  status          TEXT NOT NULL,     -- 'ok' | 'error'
  error_code      TEXT NOT NULL,
  error_message   TEXT NOT NULL,
  sweep_id        TEXT NOT NULL,     -- '' unless stored by a sweep
  variant         TEXT NOT NULL,     -- the user's label, may be ''
  latency_count   INTEGER NOT NULL,
  min_ms          REAL NOT NULL,
  max_ms          REAL NOT NULL,
  mean_ms         REAL NOT NULL,
  median_ms       REAL NOT NULL,
  stddev_ms       REAL NOT NULL,
  p90_ms          REAL NOT NULL,
  p95_ms          REAL NOT NULL,
  p99_ms          REAL NOT NULL,
  document        TEXT NOT NULL      -- the whole result document as ingested
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_model ON runs (model_id);
CREATE INDEX runs_by_device ON runs (device_id);
CREATE INDEX runs_by_sweep ON runs (sweep_id);

CREATE TABLE tags (
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key_value ON tags (key, value);

CREATE TABLE samples (
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,          -- measured invoke number, from 0
  ms      REAL NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE op_stats (
  run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL,   -- execution order (engine graph index)
  source_index   INTEGER NOT NULL,   -- node index in the model file
  name           TEXT NOT NULL,
  type           TEXT NOT NULL,
  backend        TEXT NOT NULL,
  count          INTEGER NOT NULL,
  first_us       REAL NOT NULL,
  mean_us        REAL NOT NULL,
  median_us      REAL NOT NULL,
  min_us         REAL NOT NULL,
  max_us         REAL NOT NULL,
  pct            REAL NOT NULL,
  cdf_pct        REAL NOT NULL,
  macs           INTEGER NOT NULL,
  live_bytes     INTEGER NOT NULL,
  weights_bytes  INTEGER NOT NULL,
  scratch_bytes  INTEGER NOT NULL,
  output_shapes  TEXT NOT NULL,      -- JSON array of strings
  PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;

CREATE TABLE memory (
  run_id                   INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  peak_rss_bytes           INTEGER NOT NULL,
  rss_after_load_bytes     INTEGER NOT NULL,
  arena_bytes              INTEGER NOT NULL,
  arena_lower_bound_bytes  INTEGER NOT NULL,
  weights_bytes            INTEGER NOT NULL,
  heap_peak_bytes          INTEGER NOT NULL,
  pinned_bytes             INTEGER NOT NULL
);
)sql";

// Version 2: a stages table (back-filled from the stored documents) and
// indexes for the status and variant filters of `opscope runs` and the
// dashboard.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE stages (
  run_id           INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  load_ms          REAL NOT NULL,
  partition_ms     REAL NOT NULL,
  plan_ms          REAL NOT NULL,
  prepare_ms       REAL NOT NULL,
  first_invoke_ms  REAL NOT NULL
);
INSERT INTO stages (run_id, load_ms, partition_ms, plan_ms, prepare_ms, first_invoke_ms)
  SELECT id,
         coalesce(json_extract(document, '$.stages.load_ms'), 0),
         coalesce(json_extract(document, '$.stages.partition_ms'), 0),
         coalesce(json_extract(document, '$.stages.plan_ms'), 0),
         coalesce(json_extract(document, '$.stages.prepare_ms'), 0),
         coalesce(json_extract(document, '$.stages.first_invoke_ms'), 0)
  FROM runs;
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_variant ON runs (variant);
)sql";

// Version 3: `opscope quant-diff` results. One row per diff (the model-level
// figures and the whole quant-diff JSON), one row per matched op. The two
// timing runs are ordinary runs; a diff measured without timing, or with
// --no-store runs, has NULL there (the interface reads NULL as 0).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE quant_diffs (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at         TEXT NOT NULL,     -- ISO-8601 UTC, set by the host at ingest
  float_run_id       INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  int8_run_id        INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  float_model        TEXT NOT NULL,     -- path as given
  int8_model         TEXT NOT NULL,
  output_snr_db      REAL NOT NULL,
  task_metric        TEXT NOT NULL,     -- '' when none
  task_metric_value  REAL NOT NULL,
  document           TEXT NOT NULL      -- the whole quant-diff JSON as ingested
);
CREATE INDEX quant_diffs_by_float_run ON quant_diffs (float_run_id);
CREATE INDEX quant_diffs_by_int8_run ON quant_diffs (int8_run_id);

CREATE TABLE quant_diff_ops (
  quant_diff_id    INTEGER NOT NULL REFERENCES quant_diffs (id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,  -- row order of the diff (float execution order)
  source_index     INTEGER NOT NULL,  -- node index in the float model file
  name             TEXT NOT NULL,
  type             TEXT NOT NULL,
  snr_db           REAL NOT NULL,
  cosine           REAL NOT NULL,
  rmse_over_scale  REAL NOT NULL,
  max_abs_error    REAL NOT NULL,
  float_us         REAL NOT NULL,     -- 0 when not measured
  int8_us          REAL NOT NULL,
  PRIMARY KEY (quant_diff_id, seq)
) WITHOUT ROWID;
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
  host_pid    INTEGER NOT NULL,  -- the host process that set the status
  plan        TEXT NOT NULL      -- JSON
);
CREATE TABLE sweep_cases (
  sweep_id  TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,    -- run order, from 0
  status    TEXT NOT NULL,       -- 'pending' | 'ok' | 'failed'
  run_id    INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  spec      TEXT NOT NULL,       -- JSON
  PRIMARY KEY (sweep_id, seq)
) WITHOUT ROWID;
)sql";

// Version 5: ops inside control-flow bodies (an If's branches, a loop's
// body) are rows too; parent is the idx of the node that ran them, depth 0
// for the main graph's ops. Sums over a run's ops take depth = 0.
constexpr std::string_view kV5 = R"sql(
ALTER TABLE op_stats ADD COLUMN parent INTEGER NOT NULL DEFAULT -1;
ALTER TABLE op_stats ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE op_stats ADD COLUMN runs_per_invoke REAL NOT NULL DEFAULT 1;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "devices, models, runs, tags, samples, op_stats, memory", kV1},
    Migration{2, "stages table (back-filled), indexes on status and variant", kV2},
    Migration{3, "quant_diffs and quant_diff_ops (opscope quant-diff results)", kV3},
    Migration{4, "sweeps and sweep_cases (interrupted sweeps, sweep --resume)", kV4},
    Migration{5, "op_stats.parent, depth, runs_per_invoke (ops inside control flow)", kV5},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

}  // namespace opscope::store::sqlite
