// Storing and reading `opscope quant-diff` results (tables quant_diffs and
// quant_diff_ops, schema version 3).
#include <cmath>

#include "adapters/store/sql/queries.h"
#include "adapters/store/sql/sql_store.h"

namespace opscope::store::sql {
namespace {

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

void bind_run_id(Statement& st, const char* name, int64_t id) {
  if (id == 0) {
    st.bind_null(name);  // no timing run
  } else {
    st.bind(name, id);
  }
}

bool run_exists(Connection& db, int64_t id) {
  auto st = db.prepare(q::kRunExists);
  st->bind(":id", id);
  return st->step();
}

// Reads the quant-diffs a kQuantDiffsOf... statement selects, with their ops.
std::vector<QuantDiff> read_quant_diffs(Connection& db, Statement& st) {
  std::vector<QuantDiff> out;
  while (st.step()) {
    QuantDiff d;
    d.id = st.int64(0);
    d.created_at = text_of(st, 1);
    d.float_run_id = st.int64(2);
    d.int8_run_id = st.int64(3);
    d.float_model = text_of(st, 4);
    d.int8_model = text_of(st, 5);
    d.output_snr_db = st.real(6);
    d.task_metric = text_of(st, 7);
    d.task_metric_value = st.real(8);
    d.document = nlohmann::json::parse(
        escape_invalid_utf8_in_json_text(st.text(9)), nullptr,
        /*allow_exceptions=*/false);
    if (d.document.is_discarded()) d.document = nlohmann::json::object();
    out.push_back(std::move(d));
  }
  auto ops = db.prepare(q::kQuantDiffOps);
  for (QuantDiff& d : out) {
    ops->bind(":id", d.id);
    while (ops->step()) {
      QuantDiffOp op;
      op.source_index = ops->int64(0);
      op.name = text_of(*ops, 1);
      op.type = text_of(*ops, 2);
      op.snr_db = ops->real(3);
      op.cosine = ops->real(4);
      op.rmse_over_scale = ops->real(5);
      op.max_abs_error = ops->real(6);
      op.float_us = ops->real(7);
      op.int8_us = ops->real(8);
      d.ops.push_back(std::move(op));
    }
    ops->reset();
  }
  return out;
}

}  // namespace

Result<int64_t> SqlStore::ingest_quant_diff(const QuantDiff& diff) {
  const std::string where = this->where() + ": storing a quant-diff";
  if (!diff.document.is_object() && !diff.document.is_null()) {
    return Status(ErrorCode::kInvalidArgument, where + ": its document is not a JSON object");
  }
  OPSCOPE_RETURN_IF_ERROR(check_finite(diff, where));
  try {
    WriteTransaction tx(*db_);
    for (const auto& [what, id] :
         {std::pair{"float_run_id", diff.float_run_id}, std::pair{"int8_run_id", diff.int8_run_id}}) {
      if (id != 0 && !run_exists(*db_, id)) {
        return Status(ErrorCode::kInvalidArgument,
                      where + ": " + what + " " + std::to_string(id) + " is no stored run");
      }
    }
    auto st = db_->prepare(q::kInsertQuantDiff);
    st->bind(":created_at", utc_timestamp_now());
    bind_run_id(*st, ":float_run_id", diff.float_run_id);
    bind_run_id(*st, ":int8_run_id", diff.int8_run_id);
    st->bind(":float_model", text_in(diff.float_model));
    st->bind(":int8_model", text_in(diff.int8_model));
    st->bind(":output_snr_db", diff.output_snr_db);
    st->bind(":task_metric", text_in(diff.task_metric));
    st->bind(":task_metric_value", diff.task_metric_value);
    st->bind(":document", diff.document.is_null() ? std::string("{}") : dump_json(diff.document));
    st->step();
    const int64_t id = st->int64(0);
    st->reset();

    auto op_st = db_->prepare(q::kInsertQuantDiffOp);
    for (size_t i = 0; i < diff.ops.size(); ++i) {
      const QuantDiffOp& op = diff.ops[i];
      op_st->bind(":quant_diff_id", id);
      op_st->bind(":seq", static_cast<int64_t>(i));
      op_st->bind(":source_index", op.source_index);
      op_st->bind(":name", text_in(op.name));
      op_st->bind(":type", text_in(op.type));
      op_st->bind(":snr_db", op.snr_db);
      op_st->bind(":cosine", op.cosine);
      op_st->bind(":rmse_over_scale", op.rmse_over_scale);
      op_st->bind(":max_abs_error", op.max_abs_error);
      op_st->bind(":float_us", op.float_us);
      op_st->bind(":int8_us", op.int8_us);
      op_st->exec();
      op_st->reset();
    }
    tx.commit();
    return id;
  } catch (const std::exception& e) {
    return db_->error_status("storing a quant-diff", e);
  }
}

Result<std::vector<QuantDiff>> SqlStore::find_quant_diffs(int64_t run_id) {
  try {
    auto st = db_->prepare(q::kQuantDiffsOfRun);
    st->bind(":run_id", run_id);
    return read_quant_diffs(*db_, *st);
  } catch (const std::exception& e) {
    return db_->error_status("reading the quant-diffs of run " + std::to_string(run_id), e);
  }
}

Result<std::vector<QuantDiff>> SqlStore::find_quant_diffs_of_models(
    const std::string& float_model, const std::string& int8_model) {
  try {
    auto st = db_->prepare(q::kQuantDiffsOfModels);
    st->bind(":float_model", text_in(float_model));
    st->bind(":int8_model", text_in(int8_model));
    return read_quant_diffs(*db_, *st);
  } catch (const std::exception& e) {
    return db_->error_status(
        "reading the quant-diffs of " + float_model + " and " + int8_model, e);
  }
}

}  // namespace opscope::store::sql
