#pragma once

#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hearth::pipelines::canonical {

/// Text that many records share and none changes: the source system, connector and stream a
/// record came from. Each holder keeps a counted reference, 8 bytes, where a string takes 32 and,
/// past 15 characters, a heap copy of its own; a whole council holds millions of records, each
/// naming one of a few dozen streams. Copies share the text; assigning makes it anew.
class SharedName {
 public:
  SharedName() noexcept = default;
  SharedName(std::string_view text)
      : block_(text.empty() ? nullptr : new Block{{1}, std::string(text)}) {}  // NOLINT
  SharedName(const std::string& text) : SharedName(std::string_view(text)) {}  // NOLINT
  SharedName(const char* text) : SharedName(std::string_view(text)) {}         // NOLINT
  SharedName(const SharedName& other) noexcept : block_(other.block_) { retain(); }
  SharedName(SharedName&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedName& operator=(SharedName other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~SharedName() { release(); }

  const std::string& str() const noexcept { return block_ != nullptr ? block_->text : noText(); }
  std::string_view view() const noexcept { return str(); }
  operator const std::string&() const noexcept { return str(); }  // NOLINT
  operator std::string_view() const noexcept { return str(); }    // NOLINT
  bool empty() const noexcept { return block_ == nullptr; }
  size_t size() const noexcept { return str().size(); }
  const char* data() const noexcept { return str().data(); }
  const char* c_str() const noexcept { return str().c_str(); }
  /// Whether the two share one copy of their text (equal texts made apart do not).
  bool shares(const SharedName& other) const noexcept { return block_ == other.block_; }

  friend bool operator==(const SharedName& a, const SharedName& b) noexcept {
    return a.block_ == b.block_ || a.view() == b.view();
  }
  friend bool operator==(const SharedName& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const SharedName& a, const std::string& b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const SharedName& a, const char* b) noexcept { return a.view() == b; }
  friend std::strong_ordering operator<=>(const SharedName& a, const SharedName& b) noexcept {
    return a.view() <=> b.view();
  }

 private:
  struct Block {
    std::atomic<uint32_t> refs;
    std::string text;
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
