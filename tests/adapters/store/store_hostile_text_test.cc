// Bytes that are not UTF-8 (a Latin-1 tensor name, a path, a tag) on their
// way into JSON and the store: the escaping of result/utf8.h, ingest of
// such strings, and a store that already holds raw bytes (written by an
// older version or by hand), which must read back without throwing.
#include <random>

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "adapters/store/store.h"
#include "result/utf8.h"
#include "tests/adapters/store/store_backends.h"
#include "tests/adapters/store/store_test_util.h"

// Filters are written with designated initializers; the fields left out
// are meant to keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace opscope::store {
namespace {

using testing::ScratchDir;

const std::string kLatin1 = "caf\xE9";  // "café" in Latin-1

TEST(Utf8Escape, ValidTextIsUnchanged) {
  for (const std::string s : {"", "plain", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80",
                              "back\\slash \\x41"}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
    EXPECT_EQ(escape_invalid_utf8(s), s);
  }
}

TEST(Utf8Escape, EachBadByteBecomesBackslashXHex) {
  EXPECT_EQ(escape_invalid_utf8(kLatin1), "caf\\xE9");
  EXPECT_EQ(escape_invalid_utf8("\xFF\xFE"), "\\xFF\\xFE");
  EXPECT_EQ(escape_invalid_utf8("\xC0\xAF"), "\\xC0\\xAF");          // overlong '/'
  EXPECT_EQ(escape_invalid_utf8("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(escape_invalid_utf8("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // > U+10FFFF
  EXPECT_EQ(escape_invalid_utf8("a\xE2\x82"), "a\\xE2\\x82");         // truncated
  EXPECT_EQ(escape_invalid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Utf8Escape, RandomBytesAlwaysGiveValidTextAndDump) {
  std::mt19937 rng(14);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const std::string e = escape_invalid_utf8(s);
    ASSERT_TRUE(is_valid_utf8(e));
    nlohmann::json j = {{s, s}, {"list", {s, 1}}};
    ASSERT_NO_THROW(dump_json(j));
    escape_invalid_utf8(j);
    ASSERT_NO_THROW((void)j.dump());
    ASSERT_EQ(j[e], e);
  }
}

TEST(Utf8Escape, JsonTextWithRawBytesParses) {
  const std::string text = "{\"name\": \"" + kLatin1 + "\"}";
  EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded());
  const auto j = nlohmann::json::parse(escape_invalid_utf8_in_json_text(text));
  EXPECT_EQ(j["name"], "caf\\xE9");
}

ResultDocument hostile_document(const std::string& bytes) {
  ResultDocument d;
  d.model.path = "/models/" + bytes + ".onnx";
  d.model.name = bytes + ".onnx";
  d.model.sha256 = "00";
  d.model.format = "onnx";
  d.device.id = "host";
  OpStats op;
  op.name = "node_" + bytes;
  op.type = "Conv";
  op.backend = "cpu";
  op.output_shapes = {"1x" + bytes};
  d.ops.push_back(op);
  d.outputs.push_back({"out_" + bytes, "f32", "1", "0"});
  d.latency_ms.samples = {1.0, 2.0};
  d.status = "error";
  d.error = {"io_error", "/models/" + bytes + ".onnx: cannot open"};
  return d;
}

// On both databases, through the interface.
class HostileText : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (auto why = testing::skip_reason(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(fresh_.open(GetParam()), "");
    store_ = fresh_.store.get();
  }
  testing::FreshStore fresh_;
  Store* store_ = nullptr;
};

// A SQLite file, for rows written behind the store's back.
class HostileStore : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("h.db");
    auto s = open_sqlite_store(path_);
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(s).value();
  }
  ScratchDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_P(HostileText, IngestEscapesEveryStringAndReadsBack) {
  auto id = store_->ingest(hostile_document(kLatin1), {{"who" + kLatin1, kLatin1}}, "sw" + kLatin1,
                           kLatin1);
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  auto run = store_->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->doc.model.path, "/models/caf\\xE9.onnx");
  EXPECT_EQ(run->doc.ops.at(0).name, "node_caf\\xE9");
  EXPECT_EQ(run->doc.error.message, "/models/caf\\xE9.onnx: cannot open");
  EXPECT_EQ(run->variant, "caf\\xE9");
  EXPECT_EQ(run->sweep_id, "swcaf\\xE9");
  EXPECT_EQ(run->tags, (Tags{{"whocaf\\xE9", "caf\\xE9"}}));
  EXPECT_NO_THROW((void)run->document.dump());
  // A filter given the raw bytes (as a flag would) finds the run.
  auto rows = store_->list_runs({.variant = kLatin1, .tags = {{"who" + kLatin1, kLatin1}}});
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).model_path, "/models/caf\\xE9.onnx");
}

TEST_P(HostileText, RandomBytesInEveryStringNeverPoisonTheStore) {
  std::mt19937 rng(316);
  for (int i = 0; i < 40; ++i) {
    std::string s(1 + rng() % 12, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    auto id = store_->ingest(hostile_document(s), {{"k", s}}, s, s);
    ASSERT_TRUE(id.is_ok()) << id.status().message();
  }
  auto rows = store_->list_runs({});
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 40u);
  for (const RunRow& r : *rows) {
    EXPECT_TRUE(is_valid_utf8(r.model_path) && is_valid_utf8(r.variant));
    auto run = store_->load_run(r.id);
    ASSERT_TRUE(run.is_ok()) << run.status().message();
    EXPECT_NO_THROW((void)run->document.dump());
    for (const auto& [k, v] : run->tags) EXPECT_TRUE(is_valid_utf8(v));
  }
}

// A store written before this escaping existed (or edited by hand): raw
// bytes in the tag, variant and document columns.
TEST_F(HostileStore, RawBytesAlreadyStoredReadBackEscaped) {
  auto id = store_->ingest(hostile_document("x"), {{"k", "v"}}, "", "float");
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    SQLite::Statement tag(db, "UPDATE tags SET value = ?");
    tag.bind(1, kLatin1);
    tag.exec();
    SQLite::Statement run(db, "UPDATE runs SET variant = ?1, document = replace(document, "
                              "'cannot open', ?1)");
    run.bind(1, kLatin1);
    run.exec();
    SQLite::Statement op(db, "UPDATE op_kinds SET name = ? WHERE name = 'node_x'");
    op.bind(1, kLatin1);
    op.exec();
    SQLite::Statement model(db, "UPDATE models SET path = ?");
    model.bind(1, kLatin1);
    model.exec();
  }
  auto rows = store_->list_runs({});
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).variant, "caf\\xE9");
  EXPECT_EQ(rows->at(0).model_path, "caf\\xE9");
  EXPECT_EQ(rows->at(0).tags.at("k"), "caf\\xE9");
  auto run = store_->load_run(*id);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  EXPECT_EQ(run->doc.ops.at(0).name, "caf\\xE9");
  EXPECT_EQ(run->doc.error.message, "/models/x.onnx: caf\\xE9");
  EXPECT_NO_THROW((void)run->document.dump());
  EXPECT_NO_THROW((void)store_->select("tag:k=" + kLatin1));
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileText, testing::kBothBackends, testing::backend_name);

}  // namespace
}  // namespace opscope::store
