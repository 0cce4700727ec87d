#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hearth::pipelines::canonical {

/// The names a whole stream's records share and none changes: the system that allocated the
/// local ids ("trust_cms"), the configured connector instance and the stream. Held once, with a
/// count of its holders: each record keeps 8 bytes, where the three names held apart took 24 (a
/// whole council holds millions of records, each from one of a few dozen streams). Copies share
/// the names; counting is safe across threads (records are made on a connector's thread and
/// dropped on the derive's).
class Origin {
 public:
  Origin() noexcept = default;
  Origin(std::string_view source_system, std::string_view connector, std::string_view stream)
      : block_(new Block{
            {1}, std::string(source_system), std::string(connector), std::string(stream)}) {}
  Origin(const Origin& other) noexcept : block_(other.block_) { retain(); }
  Origin(Origin&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  Origin& operator=(Origin other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~Origin() { release(); }

  const std::string& source_system() const noexcept {
    return block_ != nullptr ? block_->source_system : noText();
  }
  const std::string& connector() const noexcept {
    return block_ != nullptr ? block_->connector : noText();
  }
  const std::string& stream() const noexcept {
    return block_ != nullptr ? block_->stream : noText();
  }
  /// Whether the two share one copy of their names (equal names made apart do not).
  bool shares(const Origin& other) const noexcept { return block_ == other.block_; }

  friend bool operator==(const Origin& a, const Origin& b) noexcept {
    return a.block_ == b.block_ || (a.source_system() == b.source_system() &&
                                    a.connector() == b.connector() && a.stream() == b.stream());
  }

 private:
  struct Block {
    std::atomic<uint32_t> refs;
    std::string source_system;
    std::string connector;
    std::string stream;
  };
  static const std::string& noText() noexcept {
    static const std::string kEmpty;
    return kEmpty;
  }
  void retain() const noexcept {
    if (block_ != nullptr) block_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() noexcept {
    if (block_ != nullptr && block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete block_;
    }
  }

  Block* block_ = nullptr;
};

}  // namespace hearth::pipelines::canonical
