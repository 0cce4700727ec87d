#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

namespace hearth::pipelines {

/// Texts written one after another into large pieces that stay where they are: a view of one
/// stays valid as long as the arena, whatever is added after it. For a table of a million short
/// keys, where a string each costs a heap allocation (and 32 bytes beside) above the text.
/// Nothing is freed before the arena is.
class TextArena {
 public:
  explicit TextArena(size_t piece_bytes = size_t{1} << 20) : piece_bytes_(piece_bytes) {}
  TextArena(TextArena&&) noexcept = default;
  TextArena& operator=(TextArena&&) noexcept = default;
  TextArena(const TextArena&) = delete;
  TextArena& operator=(const TextArena&) = delete;

  /// The parts, joined, as one text held by the arena.
  std::string_view add(std::initializer_list<std::string_view> parts) {
    size_t length = 0;
    for (const std::string_view part : parts) length += part.size();
    char* at = room(length);
    char* out = at;
    for (const std::string_view part : parts) {
      if (!part.empty()) std::memcpy(out, part.data(), part.size());
      out += part.size();
    }
    return {at, length};
  }
  std::string_view add(std::string_view text) { return add({text}); }

  /// The bytes held: the pieces' whole size, room not yet used included.
  size_t capacity() const { return capacity_; }

 private:
  char* room(size_t length) {
    if (length > left_) {
      const size_t size = std::max(piece_bytes_, length);
      pieces_.push_back(std::make_unique_for_overwrite<char[]>(size));
      next_ = pieces_.back().get();
      left_ = size;
      capacity_ += size;
    }
    char* at = next_;
    next_ += length;
    left_ -= length;
    return at;
  }

  size_t piece_bytes_;
  std::vector<std::unique_ptr<char[]>> pieces_;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t capacity_ = 0;
};

}  // namespace hearth::pipelines
