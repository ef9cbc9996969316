#include "adapters/formats/tflite/tflite_densify.h"

#include <cstring>
#include <string>

namespace opscope::tflite {

namespace {

constexpr size_t kMaxDenseBytes = size_t{256} << 20;
constexpr size_t kMaxLevels = 16;

Status malformed(const std::string& what) {
  return Status(ErrorCode::kMalformedModel, "sparse storage: " + what);
}

// One CSR index array of any of the format's element widths.
class IndexArray {
 public:
  IndexArray() = default;
  // `table` may be null even when `type` names a member: the union's
  // value is simply absent then.
  IndexArray(fb::SparseIndexVector type, const void* table) {
    if (table == nullptr) return;
    switch (type) {
      case fb::SparseIndexVector::Int32Vector:
        i32_ = static_cast<const fb::Int32Vector*>(table)->values();
        break;
      case fb::SparseIndexVector::Uint16Vector:
        u16_ = static_cast<const fb::Uint16Vector*>(table)->values();
        break;
      case fb::SparseIndexVector::Uint8Vector:
        u8_ = static_cast<const fb::Uint8Vector*>(table)->values();
        break;
      default:
        break;
    }
  }
  bool valid() const { return i32_ || u16_ || u8_; }
  size_t size() const {
    return i32_ ? i32_->size() : u16_ ? u16_->size() : u8_ ? u8_->size() : 0;
  }
  // Precondition: i < size().
  int64_t operator[](size_t i) const {
    if (i32_) return i32_->Get(static_cast<uint32_t>(i));
    if (u16_) return u16_->Get(static_cast<uint32_t>(i));
    return u8_->Get(static_cast<uint32_t>(i));
  }

 private:
  const flatbuffers::Vector<int32_t>* i32_ = nullptr;
  const flatbuffers::Vector<uint16_t>* u16_ = nullptr;
  const flatbuffers::Vector<uint8_t>* u8_ = nullptr;
};

struct Level {
  int dim = 0;           // index into the expanded dims
  bool sparse = false;
  int64_t size = 0;      // dense: the dimension's size
  IndexArray segments;   // sparse only
  IndexArray indices;    // sparse only
};

// Walks the levels depth-first, writing each stored value to its dense
// position. Bounded by `budget` steps so that a malicious index structure
// cannot make it run for long.
class Walker {
 public:
  Walker(const std::vector<Level>& levels, const Shape& dense_shape,
         const std::vector<int>& block_map,
         const std::vector<int64_t>& block_size, size_t element_size,
         const uint8_t* values, size_t num_values, uint8_t* out,
         int64_t budget)
      : levels_(levels), dense_shape_(dense_shape), block_map_(block_map),
        block_size_(block_size), element_size_(element_size),
        values_(values), num_values_(num_values), out_(out),
        budget_(budget), index_(levels.size(), 0),
        original_(dense_shape.size(), 0) {}

  Status walk(size_t level, int64_t prev) {
    if (--budget_ < 0) return malformed("index structure is inconsistent");
    if (level == levels_.size()) return emit();
    const Level& l = levels_[level];
    if (!l.sparse) {
      for (int64_t i = 0; i < l.size; ++i) {
        index_[l.dim] = i;
        OPSCOPE_RETURN_IF_ERROR(walk(level + 1, prev * l.size + i));
      }
      return Status::ok();
    }
    if (prev < 0 || static_cast<size_t>(prev) + 1 >= l.segments.size()) {
      return malformed("segment " + std::to_string(prev) +
                       " is outside the segment array");
    }
    const int64_t begin = l.segments[prev];
    const int64_t end = l.segments[prev + 1];
    if (begin < 0 || begin > end ||
        end > static_cast<int64_t>(l.indices.size())) {
      return malformed("segment [" + std::to_string(begin) + ", " +
                       std::to_string(end) + ") is outside the index array");
    }
    for (int64_t i = begin; i < end; ++i) {
      index_[l.dim] = l.indices[static_cast<size_t>(i)];
      OPSCOPE_RETURN_IF_ERROR(walk(level + 1, i));
    }
    return Status::ok();
  }

 private:
  Status emit() {
    const size_t n = dense_shape_.size();
    for (size_t d = 0; d < n; ++d) original_[d] = index_[d];
    for (size_t j = 0; j < block_map_.size(); ++j) {
      int64_t& o = original_[block_map_[j]];
      o = o * block_size_[j] + index_[n + j];
    }
    int64_t offset = 0;
    for (size_t d = 0; d < n; ++d) {
      if (original_[d] < 0 || original_[d] >= dense_shape_[d]) {
        return malformed("index " + std::to_string(original_[d]) +
                         " is outside dimension " + std::to_string(d));
      }
      offset = offset * dense_shape_[d] + original_[d];
    }
    if (next_value_ >= num_values_) {
      return malformed("indices address more than the " +
                       std::to_string(num_values_) + " stored values");
    }
    std::memcpy(out_ + static_cast<size_t>(offset) * element_size_,
                values_ + next_value_ * element_size_, element_size_);
    ++next_value_;
    return Status::ok();
  }

  const std::vector<Level>& levels_;
  const Shape& dense_shape_;
  const std::vector<int>& block_map_;
  const std::vector<int64_t>& block_size_;
  size_t element_size_;
  const uint8_t* values_;
  size_t num_values_;
  uint8_t* out_;
  int64_t budget_;
  std::vector<int64_t> index_;     // per expanded dim
  std::vector<int64_t> original_;  // per dense dim
  size_t next_value_ = 0;
};

}  // namespace

Result<std::vector<uint8_t>> densify(const fb::SparsityParameters& sparsity,
                                     const Shape& dense_shape,
                                     size_t element_size,
                                     const uint8_t* values,
                                     size_t values_bytes) {
  const size_t n = dense_shape.size();
  const auto* order = sparsity.traversal_order();
  const auto* blocks = sparsity.block_map();
  const auto* meta = sparsity.dim_metadata();
  const size_t k = blocks == nullptr ? 0 : blocks->size();
  const size_t levels = n + k;
  if (n == 0 || levels > kMaxLevels) {
    return malformed("rank " + std::to_string(n) + " with " +
                     std::to_string(k) + " block dimensions is unsupported");
  }
  if (order == nullptr || order->size() != levels || meta == nullptr ||
      meta->size() != levels) {
    return malformed("traversal order and dimension metadata must have " +
                     std::to_string(levels) + " entries");
  }
  if (element_size == 0 || values_bytes % element_size != 0) {
    return malformed("value bytes are not a whole number of elements");
  }

  int64_t elements = 1;
  for (int64_t d : dense_shape) elements *= d;  // bounded by read_shape
  if (static_cast<uint64_t>(elements) * element_size > kMaxDenseBytes) {
    return Status(ErrorCode::kResourceExhausted,
                  "sparse storage: dense size over 256 MiB");
  }

  // Block dims: block j splits dense dim block_map[j]; its size comes from
  // the (dense) metadata of expanded dim n + j.
  std::vector<int> block_map(k);
  std::vector<int64_t> block_size(k, 0);
  std::vector<int> level_of_dim(levels, -1);
  for (size_t l = 0; l < levels; ++l) {
    const int32_t d = order->Get(static_cast<uint32_t>(l));
    if (d < 0 || static_cast<size_t>(d) >= levels || level_of_dim[d] != -1) {
      return malformed("traversal order is not a permutation");
    }
    level_of_dim[d] = static_cast<int>(l);
  }
  std::vector<int64_t> expanded(levels, 0);
  for (size_t d = 0; d < n; ++d) expanded[d] = dense_shape[d];
  for (size_t j = 0; j < k; ++j) {
    const int32_t target = blocks->Get(static_cast<uint32_t>(j));
    if (target < 0 || static_cast<size_t>(target) >= n) {
      return malformed("block map entry " + std::to_string(target) +
                       " is not a dimension");
    }
    const fb::DimensionMetadata* m = meta->Get(level_of_dim[n + j]);
    const int64_t size = m->dense_size();
    if (m->format() != fb::DimensionType::DENSE || size <= 0 ||
        expanded[target] % size != 0) {
      return malformed("block dimension " + std::to_string(j) +
                       " has an invalid size");
    }
    block_map[j] = target;
    block_size[j] = size;
    expanded[target] /= size;
    expanded[n + j] = size;
  }

  std::vector<Level> walk_levels(levels);
  for (size_t l = 0; l < levels; ++l) {
    const fb::DimensionMetadata* m = meta->Get(static_cast<uint32_t>(l));
    Level& out = walk_levels[l];
    out.dim = order->Get(static_cast<uint32_t>(l));
    if (m->format() == fb::DimensionType::DENSE) {
      out.size = m->dense_size();
      if (out.size != expanded[out.dim]) {
        return malformed("dense dimension " + std::to_string(out.dim) +
                         " has size " + std::to_string(out.size) +
                         ", expected " + std::to_string(expanded[out.dim]));
      }
    } else if (m->format() == fb::DimensionType::SPARSE_CSR) {
      out.sparse = true;
      out.segments = IndexArray(m->array_segments_type(), m->array_segments());
      out.indices = IndexArray(m->array_indices_type(), m->array_indices());
      if (!out.segments.valid() || !out.indices.valid()) {
        return malformed("sparse dimension " + std::to_string(out.dim) +
                         " lacks its segment or index array");
      }
    } else {
      return malformed("unknown dimension format");
    }
  }

  std::vector<uint8_t> dense(static_cast<size_t>(elements) * element_size, 0);
  // A well-formed structure visits each prefix of the expanded index space
  // at most once per level.
  const int64_t budget =
      static_cast<int64_t>(levels + 1) * (elements + 1) + 1024;
  Walker walker(walk_levels, dense_shape, block_map, block_size, element_size,
                values, values_bytes / element_size, dense.data(), budget);
  OPSCOPE_RETURN_IF_ERROR(walker.walk(0, 0));
  return dense;
}

}  // namespace opscope::tflite
