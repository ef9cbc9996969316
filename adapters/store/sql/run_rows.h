// A run's result document is stored once: its ops and latency samples as
// rows (op_times with op_kinds, samples), the rest as runs.document, and
// runs.parts saying what was taken out. Loading puts the document back
// together key for key: a key of an op that its columns cannot give back
// exactly (one this version does not know, a value of another JSON type)
// is kept in op_times.extra, and samples that are not all JSON floats stay
// in the document. Runs stored before schema version 7 kept the whole
// document (parts 0); migration 7 splits them (split_stored_documents).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/store/sql/connection.h"
#include "adapters/store/store.h"
#include "result/result_document.h"

namespace opscope::store::sql {

// runs.parts: what runs.document leaves out.
enum RunPart : int64_t {
  kOpsInRows = 1,      // "ops": op_times and op_kinds
  kSamplesInRows = 2,  // "latency_ms"."samples": samples
};

// What runs.document and runs.parts hold for the whole `document`.
struct StoredDocument {
  std::string text;
  int64_t parts = 0;
};
StoredDocument stored_document(const nlohmann::json& document);

// Writes run `run_id`'s op rows and sample rows (and the op kinds they
// name that are new). `document` is the run's whole document.
void insert_run_rows(Connection& db, int64_t run_id, const nlohmann::json& document,
                     const ResultDocument& doc);

// Puts back into `document` (runs.document of run `run_id`) what `parts`
// says was taken out; with LoadParts::kWithoutOps, all but the ops.
void restore_run_rows(Connection& db, int64_t run_id, int64_t parts, LoadParts what,
                      nlohmann::json& document);

// Migration 7's back-fill: every run stored whole gets its op rows (its
// samples rows are written again) and keeps the rest of its document.
void split_stored_documents(Connection& db);

}  // namespace opscope::store::sql
