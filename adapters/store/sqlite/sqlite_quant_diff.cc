// Storing and reading `opscope quant-diff` results (tables quant_diffs and
// quant_diff_ops, schema version 3).
#include <cmath>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/store/sqlite/queries.h"
#include "adapters/store/sqlite/sqlite_store.h"

namespace opscope::store::sqlite {
namespace {

SQLite::Statement prepare(SQLite::Database& db, std::string_view sql) {
  return SQLite::Statement(db, std::string(sql));
}

// SQLite stores NaN as NULL (which the NOT NULL columns refuse with a
// message that names no field): say which value it is instead.
Status check_finite(const QuantDiff& d, const std::string& where) {
  const auto bad = [&](const std::string& what, double v) {
    return Status(ErrorCode::kInvalidArgument,
                  where + ": " + what + " is " + std::to_string(v) + ", not a finite number");
  };
  if (!std::isfinite(d.output_snr_db)) return bad("output_snr_db", d.output_snr_db);
  if (!std::isfinite(d.task_metric_value)) return bad("task_metric_value", d.task_metric_value);
  for (const QuantDiffOp& op : d.ops) {
    const std::string row = "op " + std::to_string(op.source_index) + " '" + op.name + "' ";
    for (const auto& [field, v] :
         {std::pair{"snr_db", op.snr_db}, std::pair{"cosine", op.cosine},
          std::pair{"rmse_over_scale", op.rmse_over_scale},
          std::pair{"max_abs_error", op.max_abs_error}, std::pair{"float_us", op.float_us},
          std::pair{"int8_us", op.int8_us}}) {
      if (!std::isfinite(v)) return bad(row + field, v);
    }
  }
  return Status::ok();
}

void bind_run_id(SQLite::Statement& st, const char* name, int64_t id) {
  if (id == 0) {
    st.bind(name);  // NULL: no timing run
  } else {
    st.bind(name, id);
  }
}

bool run_exists(SQLite::Database& db, int64_t id) {
  auto st = prepare(db, q::kRunExists);
  st.bind(":id", id);
  return st.executeStep();
}

// Reads the quant-diffs a kQuantDiffsOf... statement selects, with their ops.
std::vector<QuantDiff> read_quant_diffs(SQLite::Database& db, SQLite::Statement& st) {
  std::vector<QuantDiff> out;
  while (st.executeStep()) {
    QuantDiff d;
    d.id = st.getColumn(0).getInt64();
    d.created_at = text_of(st.getColumn(1));
    d.float_run_id = st.getColumn(2).getInt64();
    d.int8_run_id = st.getColumn(3).getInt64();
    d.float_model = text_of(st.getColumn(4));
    d.int8_model = text_of(st.getColumn(5));
    d.output_snr_db = st.getColumn(6).getDouble();
    d.task_metric = text_of(st.getColumn(7));
    d.task_metric_value = st.getColumn(8).getDouble();
    d.document = nlohmann::json::parse(
        escape_invalid_utf8_in_json_text(st.getColumn(9).getString()), nullptr,
        /*allow_exceptions=*/false);
    if (d.document.is_discarded()) d.document = nlohmann::json::object();
    out.push_back(std::move(d));
  }
  auto ops = prepare(db, q::kQuantDiffOps);
  for (QuantDiff& d : out) {
    ops.bind(":id", d.id);
    while (ops.executeStep()) {
      QuantDiffOp op;
      op.source_index = ops.getColumn(0).getInt64();
      op.name = text_of(ops.getColumn(1));
      op.type = text_of(ops.getColumn(2));
      op.snr_db = ops.getColumn(3).getDouble();
      op.cosine = ops.getColumn(4).getDouble();
      op.rmse_over_scale = ops.getColumn(5).getDouble();
      op.max_abs_error = ops.getColumn(6).getDouble();
      op.float_us = ops.getColumn(7).getDouble();
      op.int8_us = ops.getColumn(8).getDouble();
      d.ops.push_back(std::move(op));
    }
    ops.reset();
  }
  return out;
}

}  // namespace

Result<int64_t> SqliteStore::ingest_quant_diff(const QuantDiff& diff) {
  const std::string where = "results store " + path_ + ": storing a quant-diff";
  if (!diff.document.is_object() && !diff.document.is_null()) {
    return Status(ErrorCode::kInvalidArgument, where + ": its document is not a JSON object");
  }
  OPSCOPE_RETURN_IF_ERROR(check_finite(diff, where));
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    for (const auto& [what, id] :
         {std::pair{"float_run_id", diff.float_run_id}, std::pair{"int8_run_id", diff.int8_run_id}}) {
      if (id != 0 && !run_exists(*db_, id)) {
        return Status(ErrorCode::kInvalidArgument,
                      where + ": " + what + " " + std::to_string(id) + " is no stored run");
      }
    }
    auto st = prepare(*db_, q::kInsertQuantDiff);
    st.bind(":created_at", utc_timestamp_now());
    bind_run_id(st, ":float_run_id", diff.float_run_id);
    bind_run_id(st, ":int8_run_id", diff.int8_run_id);
    st.bind(":float_model", text_in(diff.float_model));
    st.bind(":int8_model", text_in(diff.int8_model));
    st.bind(":output_snr_db", diff.output_snr_db);
    st.bind(":task_metric", text_in(diff.task_metric));
    st.bind(":task_metric_value", diff.task_metric_value);
    st.bind(":document", diff.document.is_null() ? std::string("{}") : dump_json(diff.document));
    st.exec();
    const int64_t id = db_->getLastInsertRowid();

    auto op_st = prepare(*db_, q::kInsertQuantDiffOp);
    for (size_t i = 0; i < diff.ops.size(); ++i) {
      const QuantDiffOp& op = diff.ops[i];
      op_st.bind(":quant_diff_id", id);
      op_st.bind(":seq", static_cast<int64_t>(i));
      op_st.bind(":source_index", op.source_index);
      op_st.bind(":name", text_in(op.name));
      op_st.bind(":type", text_in(op.type));
      op_st.bind(":snr_db", op.snr_db);
      op_st.bind(":cosine", op.cosine);
      op_st.bind(":rmse_over_scale", op.rmse_over_scale);
      op_st.bind(":max_abs_error", op.max_abs_error);
      op_st.bind(":float_us", op.float_us);
      op_st.bind(":int8_us", op.int8_us);
      op_st.exec();
      op_st.reset();
    }
    tx.commit();
    return id;
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, "storing a quant-diff", e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, where + ": " + e.what());
  }
}

Result<std::vector<QuantDiff>> SqliteStore::find_quant_diffs(int64_t run_id) {
  const std::string what = "reading the quant-diffs of run " + std::to_string(run_id);
  try {
    auto st = prepare(*db_, q::kQuantDiffsOfRun);
    st.bind(":run_id", run_id);
    return read_quant_diffs(*db_, st);
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, what, e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, "results store " + path_ + ": " + what + ": " + e.what());
  }
}

Result<std::vector<QuantDiff>> SqliteStore::find_quant_diffs_of_models(
    const std::string& float_model, const std::string& int8_model) {
  const std::string what = "reading the quant-diffs of " + float_model + " and " + int8_model;
  try {
    auto st = prepare(*db_, q::kQuantDiffsOfModels);
    st.bind(":float_model", float_model);
    st.bind(":int8_model", int8_model);
    return read_quant_diffs(*db_, st);
  } catch (const SQLite::Exception& e) {
    return sqlite_error(path_, what, e);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, "results store " + path_ + ": " + what + ": " + e.what());
  }
}

}  // namespace opscope::store::sqlite
