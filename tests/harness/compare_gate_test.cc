// compare_runs and the gate on hand-built runs whose answers are known.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "harness/compare.h"
#include "harness/gate.h"

namespace opscope::harness {
namespace {

std::vector<double> latencies(double median, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);  // 2% spread
  std::vector<double> s(n);
  for (double& v : s) v = median * (1.0 + noise(rng));
  return s;
}

store::StoredRun make_run(int64_t id, const std::string& model, const std::string& variant,
                          double median, int n, uint64_t seed) {
  store::StoredRun r;
  r.id = id;
  r.variant = variant;
  r.doc.model.name = model;
  r.doc.config.backends = {"xnnpack", "cpu"};
  r.doc.config.threads = 1;
  r.doc.latency_ms.samples = latencies(median, n, seed);
  r.doc.memory.peak_rss_bytes = 1000 * id;
  r.doc.memory.arena_bytes = 4096;
  r.doc.memory.weights_bytes = variant == "int8" ? 1000 : 4000;
  r.doc.stages.load_ms = 1.0 * id;
  return r;
}

void add_op(store::StoredRun& r, int index, int source_index, const std::string& type,
            double median_us) {
  OpStats op;
  op.index = index;
  op.source_index = source_index;
  op.name = "op" + std::to_string(source_index);
  op.type = type;
  op.backend = "xnnpack";
  op.median_us = median_us;
  r.doc.ops.push_back(op);
}

// Our engine's run of a network against PyTorch's run of the same network:
// the rows are the op categories, each the sum of its ops (the nodes of two
// runtimes do not match one to one), PyTorch's own categories (set by the
// runner: a depthwise convolution's type does not say so) taken as given.
TEST(Compare, DifferentRuntimesCompareByOperatorCategory) {
  store::StoredRun engine = make_run(1, "m.onnx", "", 2.0, 50, 1);
  add_op(engine, 0, 0, "Conv", 100);
  add_op(engine, 1, 1, "DEPTHWISE_CONV_2D", 40);
  add_op(engine, 2, 2, "Conv+Relu", 60);
  add_op(engine, 3, 3, "GlobalAveragePool", 5);
  add_op(engine, 4, 4, "Gemm", 20);
  store::StoredRun torch = make_run(2, "m.onnx", "", 5.0, 50, 2);
  torch.doc.model.format = "pytorch-lite";
  add_op(torch, 0, 0, "prepacked::conv2d_clamp_run", 300);
  add_op(torch, 1, 1, "prepacked::conv2d_clamp_run", 90);
  torch.doc.ops.back().category = "depthwise";
  add_op(torch, 2, 2, "prepacked::conv2d_clamp_run", 100);
  add_op(torch, 3, 3, "aten::adaptive_avg_pool2d", 10);
  add_op(torch, 4, 4, "aten::hardswish_", 7);
  add_op(torch, 5, 5, "prepacked::linear_clamp_run", 30);
  const Comparison c = compare_runs({engine}, {torch});
  ASSERT_EQ(c.cases.size(), 1u);
  const CaseComparison& k = c.cases[0];
  EXPECT_TRUE(k.ops_by_category);
  std::map<std::string, OpDiff> by;
  for (const OpDiff& d : k.ops) by[d.name] = d;
  ASSERT_EQ(by.size(), 5u);
  EXPECT_DOUBLE_EQ(by["conv"].base_us, 160);
  EXPECT_DOUBLE_EQ(by["conv"].cand_us, 400);
  EXPECT_DOUBLE_EQ(by["depthwise"].base_us, 40);
  EXPECT_DOUBLE_EQ(by["depthwise"].cand_us, 90);
  EXPECT_DOUBLE_EQ(by["pooling"].cand_us, 10);
  EXPECT_DOUBLE_EQ(by["linear"].base_us, 20);
  EXPECT_FALSE(by["activation"].in_base);
  EXPECT_DOUBLE_EQ(by["activation"].cand_us, 7);
  EXPECT_EQ(by["conv"].source_index, -1);
  EXPECT_EQ(k.ops[0].name, "conv");  // the largest change first

  // Two runs of our engine still match node by node.
  const Comparison same = compare_runs({engine}, {make_run(3, "m.onnx", "", 2.0, 50, 3)});
  ASSERT_EQ(same.cases.size(), 1u);
  EXPECT_FALSE(same.cases[0].ops_by_category);
}

TEST(Compare, MatchesCasesByKeyAndReportsMissingOnes) {
  std::vector<store::StoredRun> base = {make_run(1, "a.tflite", "", 5.0, 100, 1),
                                        make_run(2, "a.tflite", "", 5.0, 100, 2),
                                        make_run(3, "b.tflite", "", 2.0, 100, 3)};
  std::vector<store::StoredRun> cand = {make_run(4, "a.tflite", "", 5.5, 100, 4),
                                        make_run(5, "c.tflite", "", 1.0, 100, 5)};
  const Comparison c = compare_runs(base, cand);
  ASSERT_EQ(c.cases.size(), 1u);
  const CaseComparison& a = c.cases[0];
  EXPECT_TRUE(a.paired_by_key);
  EXPECT_EQ(a.base.run_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(a.base.samples_ms.size(), 200u);  // two runs pooled
  EXPECT_NEAR(a.ratio, 1.1, 0.01);
  EXPECT_LT(a.ratio_ci.lo, a.ratio);
  EXPECT_GT(a.ratio_ci.hi, a.ratio);
  // Two runs against one: the interval rests on one degree of freedom of
  // between-run variance, so it is wide although the invokes alone (the
  // Mann-Whitney test below) look overwhelming.
  EXPECT_EQ(a.run_level.base_runs, 2);
  EXPECT_EQ(a.run_level.cand_runs, 1);
  EXPECT_EQ(a.run_level.sigma_source, SigmaSource::kMeasured);
  EXPECT_LT(a.mann_whitney.p_two_sided, 1e-10);
  EXPECT_DOUBLE_EQ(a.p_value, a.run_level.p_two_sided);
  EXPECT_TRUE(a.base.median_ci.valid);
  EXPECT_LE(a.base.median_ci.lo, a.base.median_ms);
  EXPECT_NEAR(a.base.stages.load_ms, 1.5, 1e-12);  // mean of 1 and 2
  EXPECT_EQ(a.memory[0].field, "peak_rss_bytes");
  EXPECT_EQ(a.memory[0].base, 2000);  // the larger of the two runs
  EXPECT_EQ(a.memory[0].delta(), 2000);
  ASSERT_EQ(c.only_in_base.size(), 1u);
  EXPECT_EQ(c.only_in_base[0].key.model, "b.tflite");
  ASSERT_EQ(c.only_in_cand.size(), 1u);
  EXPECT_EQ(c.only_in_cand[0].key.label(), "c.tflite xnnpack,cpu t1");
}

// A float run and its int8 twin: different keys, one case each, paired; ops
// line up by source index even where the engine's node indices differ, and
// the diff is sorted by the largest absolute change.
TEST(Compare, PairsASingleCaseAcrossKeysAndDiffsOpsBySourceIndex) {
  store::StoredRun f = make_run(1, "m_float.tflite", "float", 5.0, 50, 1);
  store::StoredRun q = make_run(2, "m_int8.tflite", "int8", 3.0, 50, 2);
  add_op(f, 0, 0, "CONV_2D", 100);
  add_op(f, 1, 1, "DEPTHWISE_CONV_2D", 50);
  add_op(f, 2, 2, "ADD", 10);
  // int8: a QUANTIZE node added in front, so node indices shift; the conv's
  // source op 0 is split into two engine nodes (summed).
  add_op(q, 0, 3, "QUANTIZE", 5);
  add_op(q, 1, 0, "CONV_2D", 30);
  add_op(q, 2, 0, "CONV_2D", 10);
  add_op(q, 3, 1, "DEPTHWISE_CONV_2D", 45);
  add_op(q, 4, 2, "ADD", 12);
  const Comparison c = compare_runs({f}, {q});
  ASSERT_EQ(c.cases.size(), 1u);
  const CaseComparison& k = c.cases[0];
  EXPECT_FALSE(k.paired_by_key);
  EXPECT_EQ(k.memory[4].field, "weights_bytes");
  EXPECT_EQ(k.memory[4].delta(), -3000);
  ASSERT_EQ(k.ops.size(), 4u);
  EXPECT_EQ(k.ops[0].source_index, 0);
  EXPECT_DOUBLE_EQ(k.ops[0].cand_us, 40);
  EXPECT_DOUBLE_EQ(k.ops[0].delta_us(), -60);
  EXPECT_EQ(k.ops[1].source_index, 1);  // -5; equal |change|: source order
  EXPECT_EQ(k.ops[2].source_index, 3);  // only in the candidate: +5
  EXPECT_FALSE(k.ops[2].in_base);
  EXPECT_EQ(k.ops[3].source_index, 2);
  CompareOptions strict;
  strict.pair_single_cases = false;
  const Comparison unpaired = compare_runs({f}, {q}, strict);
  EXPECT_TRUE(unpaired.cases.empty());
  EXPECT_EQ(unpaired.only_in_base.size(), 1u);
}

TEST(Compare, FailedRunHasNoSamplesAndItsError) {
  store::StoredRun bad = make_run(7, "a.tflite", "", 5.0, 0, 1);
  bad.doc.status = "error";
  bad.doc.error = {"unsupported_op", "node 3 (FOO): no backend"};
  const Comparison c = compare_runs({make_run(1, "a.tflite", "", 5.0, 100, 1)}, {bad});
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_FALSE(c.cases[0].comparable);
  EXPECT_EQ(c.cases[0].cand.failed_runs, 1);
  EXPECT_EQ(c.cases[0].cand.error, "unsupported_op: node 3 (FOO): no backend");
  const GateResult g = evaluate_gate(c, GateOptions{});
  EXPECT_EQ(g.overall, Verdict::kUndecided);
  EXPECT_NE(g.cases[0].reason.find("candidate run failed"), std::string::npos);
}

// `runs` runs per side, each run's median shifted by 1% between-run noise.
std::vector<store::StoredRun> side(int64_t first_id, const std::string& model, double median,
                                   int runs, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> between(0.0, 0.01);
  std::vector<store::StoredRun> out;
  for (int r = 0; r < runs; ++r) {
    out.push_back(make_run(first_id + r, model, "", median * (1.0 + between(rng)), n, seed + r));
  }
  return out;
}

GateResult gate_of(double base_ms, double cand_ms, int n, const GateOptions& o, int runs = 6) {
  return evaluate_gate(compare_runs(side(1, "m", base_ms, runs, n, 1),
                                    side(100, "m", cand_ms, runs, n, 2)),
                       o);
}

// The verdicts with 6 runs per side (1% between-run variation: enough runs
// to pass), and what changes with fewer runs.
TEST(Gate, VerdictsFollowSignificanceAndBothThresholds) {
  GateOptions o;  // 5%, alpha 0.01, detect 10% at 95%
  o.min_abs_ms = 0.05;
  EXPECT_EQ(gate_of(5.0, 5.5, 100, o).overall, Verdict::kFail);         // +10%
  { const GateResult g = gate_of(5.0, 5.15, 100, o); EXPECT_EQ(g.overall, Verdict::kPass) << g.cases[0].reason; }  // +3%: within
  { const GateResult g = gate_of(5.0, 4.5, 100, o); EXPECT_EQ(g.overall, Verdict::kPass) << g.cases[0].reason; }  // faster
  EXPECT_EQ(gate_of(0.2, 0.24, 100, o).overall, Verdict::kPass);        // +20% but 0.04 ms
  EXPECT_EQ(gate_of(5.0, 5.5, 5, o, 1).overall, Verdict::kUndecided);   // too few samples
  o.warn = 0.02;
  EXPECT_EQ(gate_of(5.0, 5.15, 100, o).overall, Verdict::kPassWithWarning);
  o.min_abs_ms = 1.0;
  EXPECT_EQ(gate_of(5.0, 5.5, 100, o).overall, Verdict::kPass);         // 0.5 ms < 1 ms
  // Not significant: the same distribution twice.
  o = GateOptions{};
  o.max_regression = 0.0;
  o.min_abs_ms = 0.0;
  o.detect = 0.10;
  const GateResult same = evaluate_gate(
      compare_runs(side(1, "m", 5.0, 6, 100, 9), side(100, "m", 5.0, 6, 100, 9)), o);
  EXPECT_EQ(same.overall, Verdict::kPass);
  EXPECT_NE(same.cases[0].reason.find("no significant change"), std::string::npos);
}

// One run against one: no between-run variation measured, so the assumed
// 10% makes a +3% change undecided (a PASS would mean nothing) while a
// doubling still fails, marked low-confidence; stored history of the case
// replaces the assumption.
TEST(Gate, SingleRunsAreUndecidedUnlessTheChangeIsHugeOrHistoryIsStored) {
  GateOptions o;
  const GateResult small = gate_of(5.0, 5.15, 100, o, 1);
  EXPECT_EQ(small.overall, Verdict::kUndecided);
  EXPECT_TRUE(small.cases[0].low_confidence);
  EXPECT_NE(small.cases[0].reason.find("too few runs to pass"), std::string::npos);
  EXPECT_EQ(gate_of(5.0, 10.0, 100, o, 1).overall, Verdict::kFail);
  // Six runs per side with 1% between-run variation are enough.
  const GateResult six = gate_of(5.0, 5.15, 100, o, 6);
  EXPECT_GE(six.cases[0].runs_needed, 2);
  EXPECT_LE(six.cases[0].runs_needed, 6);
  CompareOptions with_history;
  with_history.history[case_key_of(make_run(1, "m", "", 5.0, 1, 1))] = {0.01, 20};
  const GateResult h = evaluate_gate(
      compare_runs(side(1, "m", 5.0, 1, 100, 1), side(100, "m", 5.15, 1, 100, 2), with_history),
      o);
  EXPECT_EQ(h.cases[0].sigma_source, "history");
  EXPECT_FALSE(h.cases[0].low_confidence);
}

// History comes from sweeps' repeats of the case on the baseline's device
// only: a noisy phone's spread says nothing of a quiet CI box.
TEST(Compare, HistoryIsPerDeviceAndLeavesTheComparedRunsOut) {
  std::vector<store::StoredRun> runs;
  for (int i = 0; i < 4; ++i) {
    store::StoredRun r = make_run(10 + i, "m", "", 5.0 * (1.0 + 0.02 * i), 50, 7 + i);
    r.sweep_id = "s1";
    r.doc.device.id = "ci-box";
    runs.push_back(r);
    store::StoredRun p = make_run(20 + i, "m", "", 5.0 * (1.0 + 0.30 * i), 50, 9 + i);
    p.sweep_id = "s2";
    p.doc.device.id = "phone";
    runs.push_back(p);
  }
  const CaseKey key = case_key_of(runs[0]);
  const auto ci = between_run_history(runs, {}, {"ci-box"});
  const auto phone = between_run_history(runs, {}, {"phone"});
  const auto any = between_run_history(runs, {});
  ASSERT_EQ(ci.count(key), 1u);
  ASSERT_EQ(phone.count(key), 1u);
  EXPECT_LT(ci.at(key).sigma, 0.05);
  EXPECT_GT(phone.at(key).sigma, 0.2);
  EXPECT_EQ(any.at(key).df, ci.at(key).df + phone.at(key).df);
  EXPECT_EQ(between_run_history(runs, {}, {"laptop"}).count(key), 0u);
  // The runs being compared are not their own history.
  const auto rest = between_run_history(runs, {10, 11, 12}, {"ci-box"});
  EXPECT_EQ(rest.count(key), 0u);  // one run left in s1: no spread
}

TEST(Gate, OverallVerdictAndExitCodes) {
  std::vector<store::StoredRun> base = side(1, "a", 5.0, 4, 100, 1),
                                cand = side(100, "a", 6.0, 4, 100, 3);
  base.push_back(make_run(50, "b", "", 5.0, 100, 2));
  const GateResult g = evaluate_gate(compare_runs(base, cand), GateOptions{});
  ASSERT_EQ(g.cases.size(), 2u);
  EXPECT_EQ(g.cases[0].verdict, Verdict::kFail);
  EXPECT_EQ(g.cases[1].verdict, Verdict::kUndecided);
  EXPECT_EQ(g.cases[1].reason, "missing from the candidate");
  EXPECT_EQ(g.overall, Verdict::kFail);  // a failure outranks undecided
  EXPECT_EQ(gate_exit_code(Verdict::kFail), 1);
  EXPECT_EQ(gate_exit_code(Verdict::kUndecided), 2);
  EXPECT_EQ(gate_exit_code(Verdict::kPassWithWarning), 0);
  EXPECT_EQ(gate_exit_code(Verdict::kPass), 0);
  EXPECT_EQ(evaluate_gate(Comparison{}, GateOptions{}).overall, Verdict::kUndecided);
}

size_t occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(Gate, JUnitAndMarkdownWriters) {
  std::vector<store::StoredRun> base = side(1, "a<&>.tflite", 5.0, 4, 100, 1),
                                cand = side(100, "a<&>.tflite", 6.0, 4, 100, 4);
  for (auto& r : side(10, "b", 5.0, 6, 100, 2)) base.push_back(r);
  for (auto& r : side(110, "b", 5.0, 6, 100, 5)) cand.push_back(r);
  base.push_back(make_run(50, "c|d", "", 5.0, 100, 3));
  const GateResult g = evaluate_gate(compare_runs(base, cand), GateOptions{});
  const std::string xml = gate_junit_xml(g);
  EXPECT_EQ(xml.rfind("<?xml", 0), 0u);
  EXPECT_EQ(occurrences(xml, "<testcase "), 3u);
  EXPECT_EQ(occurrences(xml, "</testcase>"), 3u);
  EXPECT_EQ(occurrences(xml, "<failure "), 1u);
  EXPECT_EQ(occurrences(xml, "<skipped "), 1u);
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"a&lt;&amp;&gt;.tflite xnnpack,cpu t1\""), std::string::npos);
  EXPECT_EQ(xml.find("a<&>"), std::string::npos);
  const std::string md = gate_markdown(g);
  EXPECT_EQ(md.rfind("## opscope gate: :x: FAIL", 0), 0u);
  EXPECT_NE(md.find("1 failed, 1 undecided, 0 warned, 1 passed"), std::string::npos);
  EXPECT_NE(md.find("c\\|d"), std::string::npos);
  // Failures first in the table.
  EXPECT_LT(md.find("| :x: FAIL |"), md.find("| :white_check_mark: PASS |"));
  const nlohmann::json j = to_json(g);
  EXPECT_EQ(j["verdict"], "FAIL");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["cases"].size(), 3u);
}

TEST(Compare, JsonCarriesEveryPart) {
  store::StoredRun a = make_run(1, "m", "", 5.0, 30, 1), b = make_run(2, "m", "", 5.5, 30, 2);
  add_op(a, 0, 0, "CONV_2D", 100);
  add_op(b, 0, 0, "CONV_2D", 120);
  const nlohmann::json j = to_json(compare_runs({a}, {b}), true);
  const nlohmann::json& c = j["cases"][0];
  EXPECT_EQ(c["base"]["samples_ms"].size(), 30u);
  EXPECT_EQ(c["ops"][0]["delta_us"], 20.0);
  EXPECT_EQ(c["memory"].size(), 5u);
  EXPECT_EQ(c["stages"].size(), 5u);
  EXPECT_TRUE(c["mann_whitney"]["exact"]);  // 60 samples in all
  EXPECT_TRUE(c["ratio_ci"]["valid"]);
}


// A qemu run times the emulator: the gate refuses to judge it against real
// hardware (UNDECIDED with the reason), even for a doubling, and judges two
// emulated sides as usual.
TEST(Gate, EmulatedRunsAreNeverGatedAgainstRealHardware) {
  GateOptions o;
  auto emulated = [](std::vector<store::StoredRun> runs) {
    for (store::StoredRun& r : runs) r.doc.device.emulated = true;
    return runs;
  };
  const auto base = side(1, "m", 5.0, 6, 100, 9);
  const GateResult g = evaluate_gate(compare_runs(base, emulated(side(100, "m", 10.0, 6, 100, 9))), o);
  ASSERT_EQ(g.cases.size(), 1u);
  EXPECT_EQ(g.overall, Verdict::kUndecided);
  EXPECT_NE(g.cases[0].reason.find("never gated against real hardware"), std::string::npos)
      << g.cases[0].reason;
  const GateResult both = evaluate_gate(
      compare_runs(emulated(base), emulated(side(100, "m", 10.0, 6, 100, 9))), o);
  EXPECT_EQ(both.overall, Verdict::kFail) << both.cases[0].reason;
}

}  // namespace
}  // namespace opscope::harness
