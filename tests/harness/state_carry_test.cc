// --carry-state OUT=IN (harness/state_carry.h) on ONNX's LSTM test model
// (test_lstm_with_peepholes: Y_h and initial_h are both [1, 2, 3]): after an
// invoke the input holds the output's bytes, the next invoke equals a fresh
// session fed that state by hand, bad specs are refused naming what the
// model has, and run_case records the pairs in the result's config.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/formats/onnx/onnx_files.h"
#include "adapters/formats/onnx/onnx_reader.h"
#include "harness/run_case.h"
#include "harness/state_carry.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

fs::path test_dir() {
  const char* env = std::getenv("OPSCOPE_ONNX_TESTDATA");
  return fs::path(env != nullptr ? env : "/usr/share/libonnx-testdata/data/node") /
         "test_lstm_with_peepholes";
}

int input_index(const Session& s, const std::string& name) {
  for (int i = 0; i < s.num_inputs(); ++i) {
    if (s.input_tensor(i).name == name) return i;
  }
  return -1;
}

// A session on the model with the test's inputs fed.
std::unique_ptr<Session> fed_session() {
  auto model = onnx::load_onnx_file((test_dir() / "model.onnx").string());
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  if (!model.is_ok()) return nullptr;
  auto created = Session::create(std::move(model).value(), SessionOptions{});
  EXPECT_TRUE(created.is_ok()) << created.status().to_string();
  if (!created.is_ok()) return nullptr;
  std::unique_ptr<Session> s = std::move(created).value();
  for (int k = 0; fs::exists(test_dir() / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")); ++k) {
    auto t = onnx::read_tensor_file(
        (test_dir() / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")).string());
    EXPECT_TRUE(t.is_ok());
    const int i = input_index(*s, t->name);
    EXPECT_GE(i, 0) << t->name;
    if (i < 0) return nullptr;
    std::memcpy(s->input_data(i), t->data.data(), t->data.size());
  }
  return s;
}

#define REQUIRE_TEST_MODEL()                                            \
  if (!fs::exists(test_dir() / "model.onnx")) {                         \
    GTEST_SKIP() << test_dir() << " not installed (libonnx-testdata)"; \
  }

TEST(StateCarry, TheNextInvokeStartsFromTheLastState) {
  REQUIRE_TEST_MODEL();
  std::unique_ptr<Session> s = fed_session();
  ASSERT_NE(s, nullptr);
  auto carries = harness::plan_state_carry(*s, {"Y_h=initial_h"});
  ASSERT_TRUE(carries.is_ok()) << carries.status().to_string();
  ASSERT_EQ(carries->size(), 1u);
  const int h = input_index(*s, "initial_h");
  const size_t bytes = s->input_tensor(h).bytes();
  ASSERT_TRUE(s->invoke().is_ok());
  std::vector<uint8_t> first(bytes);
  std::memcpy(first.data(), s->output_data(0), bytes);
  harness::carry_state(*s, *carries);
  EXPECT_EQ(std::memcmp(s->input_data(h), first.data(), bytes), 0);
  ASSERT_TRUE(s->invoke().is_ok());

  // A fresh session given the first state by hand computes the same.
  std::unique_ptr<Session> by_hand = fed_session();
  ASSERT_NE(by_hand, nullptr);
  std::memcpy(by_hand->input_data(h), first.data(), bytes);
  ASSERT_TRUE(by_hand->invoke().is_ok());
  EXPECT_EQ(std::memcmp(s->output_data(0), by_hand->output_data(0), bytes), 0);
  // And the state moved: the second output is not the first.
  EXPECT_NE(std::memcmp(s->output_data(0), first.data(), bytes), 0);
}

TEST(StateCarry, BadSpecsNameWhatTheModelHas) {
  REQUIRE_TEST_MODEL();
  std::unique_ptr<Session> s = fed_session();
  ASSERT_NE(s, nullptr);
  const auto message = [&](const std::string& spec) {
    auto r = harness::plan_state_carry(*s, {spec});
    EXPECT_FALSE(r.is_ok()) << spec;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << spec;
    return r.status().message();
  };
  EXPECT_NE(message("Y_h").find("write OUTPUT=INPUT"), std::string::npos);
  EXPECT_NE(message("nope=initial_h").find("no output named 'nope' (outputs: Y_h)"),
            std::string::npos);
  EXPECT_NE(message("Y_h=nope\xff").find("no input named 'nope\\xFF'"), std::string::npos);
  EXPECT_NE(message("Y_h=X").find("output is f32 1x2x3, input is f32 1x2x4"), std::string::npos);
  auto twice = harness::plan_state_carry(*s, {"Y_h=initial_h", "Y_h=initial_h"});
  ASSERT_FALSE(twice.is_ok());
  EXPECT_NE(twice.status().message().find("carried into twice"), std::string::npos);
}

TEST(StateCarry, RunCaseRecordsThePairsOrFailsCleanly) {
  REQUIRE_TEST_MODEL();
  harness::RunRequest req;
  req.model_path = (test_dir() / "model.onnx").string();
  req.config.runs = 3;
  req.config.warmup_runs = 1;
  req.config.min_secs = 0;
  req.config.carry_state = {"Y_h=initial_h"};
  ResultDocument doc = harness::run_case(req);
  ASSERT_EQ(doc.status, "ok") << doc.error.message;
  EXPECT_EQ(doc.config.carry_state, std::vector<std::string>{"Y_h=initial_h"});

  req.config.carry_state = {"Y_h=W"};
  doc = harness::run_case(req);
  EXPECT_EQ(doc.status, "error");
  EXPECT_EQ(doc.error.code, "invalid_argument");
  EXPECT_NE(doc.error.message.find("--carry-state 'Y_h=W'"), std::string::npos);
}

}  // namespace
}  // namespace opscope
