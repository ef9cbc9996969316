// The hostile corpus (tests/data/hostile/corpus.txt) through both model
// readers: each entry gives its error code and a message naming the file;
// directories, FIFOs and devices are refused before a byte is read (a FIFO
// without a writer must not hang the reader); every truncation and every
// single-byte flip of the corpus files loads or fails cleanly. CI runs this
// under ASan+UBSan (scripts/test.sh), where a crash or a leak fails it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/formats/onnx/onnx_file_info.h"
#include "adapters/formats/onnx/onnx_reader.h"
#include "adapters/formats/tflite/tflite_file_info.h"
#include "adapters/formats/tflite/tflite_reader.h"
#include "tests/util/scratch_dir.h"

namespace opscope {
namespace {

std::string corpus_dir() {
  const char* src = std::getenv("OPSCOPE_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/data/hostile";
}

struct Entry {
  std::string file;  // in the corpus folder, or "<name>" made at run time
  int exit_code = 0;
  std::string error_code;  // "-": loads
  std::string pattern;
};

std::vector<Entry> read_corpus() {
  std::vector<Entry> out;
  std::ifstream in(corpus_dir() + "/corpus.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Entry e;
    s >> e.file >> e.exit_code >> e.error_code >> std::ws;
    std::getline(s, e.pattern);
    out.push_back(e);
  }
  return out;
}

Status load(const std::string& path) {
  const bool onnx = path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
  if (onnx) return onnx::load_onnx_file(path).status();
  return tflite::load_tflite_file(path).status();
}

// Makes the run-time entries: a directory, a FIFO (no writer), a link to
// /dev/zero, each under both extensions.
class HostileCorpus : public ::testing::Test {
 protected:
  std::string path_of(const std::string& file) {
    if (file.front() != '<') return corpus_dir() + "/" + file;
    const std::string name = file.substr(1, file.size() - 2);
    const std::string path = dir_.file(name);
    if (name.rfind("dir.", 0) == 0) std::filesystem::create_directory(path);
    if (name.rfind("fifo.", 0) == 0) {
      EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    }
    if (name.rfind("zero.", 0) == 0) std::filesystem::create_symlink("/dev/zero", path);
    return path;
  }
  opscope::testing::ScratchDir dir_{"opscope-hostile"};
};

TEST_F(HostileCorpus, EveryEntryGivesItsErrorNamingTheFile) {
  const std::vector<Entry> corpus = read_corpus();
  ASSERT_GE(corpus.size(), 10u) << "no corpus at " << corpus_dir();
  for (const Entry& e : corpus) {
    SCOPED_TRACE(e.file);
    const std::string path = path_of(e.file);
    const Status st = load(path);
    if (e.error_code == "-") {
      EXPECT_TRUE(st.is_ok()) << st.message();
      continue;
    }
    ASSERT_FALSE(st.is_ok());
    EXPECT_EQ(to_string(st.code()), e.error_code) << st.message();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_TRUE(std::regex_search(st.message(), std::regex(e.pattern, std::regex::extended)))
        << st.message() << "\n  does not match: " << e.pattern;
  }
}

TEST_F(HostileCorpus, PathsThatAreNotUtf8) {
  const std::string latin1 = dir_.file("m\xE9.onnx");
  std::filesystem::copy_file(corpus_dir() + "/latin1_names.onnx", latin1);
  EXPECT_TRUE(load(latin1).is_ok()) << load(latin1).message();
  const Status missing = load(dir_.file("missing\xFF.tflite"));
  EXPECT_EQ(missing.code(), ErrorCode::kIoError);
  EXPECT_NE(missing.message().find("missing\xFF.tflite"), std::string::npos);
}

TEST_F(HostileCorpus, EveryTruncationAndByteFlipFailsCleanly) {
  for (const Entry& e : read_corpus()) {
    if (e.file.front() == '<') continue;
    SCOPED_TRACE(e.file);
    std::ifstream in(corpus_dir() + "/" + e.file, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    for (size_t n = 0; n < bytes.size(); ++n) {
      (void)onnx::load_onnx_buffer(bytes.data(), n, e.file);
    }
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t flip : {0x01, 0x80, 0xFF}) {
        std::vector<uint8_t> copy = bytes;
        copy[i] ^= flip;
        const Status st = onnx::load_onnx_buffer(copy.data(), copy.size(), e.file).status();
        if (!st.is_ok()) {
          EXPECT_EQ(st.message().rfind(e.file, 0), 0u) << st.message();
        }
      }
    }
  }
}

// inspect's description from the file (onnx_file_info.h, tflite_file_info.h)
// reads what the readers refuse: every corpus file, every truncation and
// byte flip of it, described or refused, never a crash (ASan+UBSan in CI).
TEST_F(HostileCorpus, FileDescriptionsOfEveryTruncationAndByteFlip) {
  for (const Entry& e : read_corpus()) {
    if (e.file.front() == '<') continue;
    SCOPED_TRACE(e.file);
    std::ifstream in(corpus_dir() + "/" + e.file, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    const bool onnx = e.file.size() >= 5 && e.file.compare(e.file.size() - 5, 5, ".onnx") == 0;
    const auto describe = [&](const std::vector<uint8_t>& b, size_t n) {
      const Status st = onnx ? onnx::describe_onnx_buffer(b.data(), n, e.file).status()
                             : tflite::describe_tflite_buffer(b.data(), n, e.file).status();
      if (!st.is_ok()) {
        EXPECT_EQ(st.code(), ErrorCode::kMalformedModel) << st.message();
        EXPECT_EQ(st.message().rfind(e.file, 0), 0u) << st.message();
      }
      return st.is_ok();
    };
    // A file the reader refuses for what it says (not for its bytes) is described.
    EXPECT_EQ(describe(bytes, bytes.size()), e.error_code != "malformed_model");
    for (size_t n = 0; n < bytes.size(); ++n) describe(bytes, n);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t flip : {0x01, 0x80, 0xFF}) {
        std::vector<uint8_t> copy = bytes;
        copy[i] ^= flip;
        describe(copy, copy.size());
      }
    }
  }
}

}  // namespace
}  // namespace opscope
