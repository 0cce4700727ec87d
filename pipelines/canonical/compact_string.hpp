#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hearth::pipelines::canonical {

/// A string in 16 bytes: up to 15 characters in place, longer ones on the heap. A canonical
/// record's fields are mostly codes and short values ("C2", "N1", "AB1 2CD"); a std::string takes
/// 32 bytes for each, and the record kinds with most of them set the size of every record a
/// whole council holds, millions of them. Reads as a std::string_view; `str()` copies it out.
class CompactString {
 public:
  CompactString() noexcept { bytes_[kLast] = 0; }
  CompactString(std::string_view text) { assign(text); }               // NOLINT
  CompactString(const std::string& text) { assign(text); }             // NOLINT
  CompactString(const char* text) { assign(std::string_view(text)); }  // NOLINT
  /// From anything else that reads as a string_view.
  template <class Text>
  requires(std::is_convertible_v<const Text&, std::string_view> &&
           !std::is_convertible_v<const Text&, const char*> &&
           !std::is_same_v<Text, CompactString> && !std::is_same_v<Text, std::string>)
      CompactString(const Text& text) {  // NOLINT
    assign(std::string_view(text));
  }
  CompactString(const CompactString& other) { assign(other.view()); }
  CompactString(CompactString&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.bytes_[kLast] = 0;
  }
  CompactString& operator=(const CompactString& other) {
    if (this != &other) {
      CompactString copy(other);
      swap(copy);
    }
    return *this;
  }
  CompactString& operator=(CompactString&& other) noexcept {
    CompactString taken(std::move(other));
    swap(taken);
    return *this;
  }
  CompactString& operator=(std::string_view text) { return *this = CompactString(text); }
  CompactString& operator=(const std::string& text) { return *this = CompactString(text); }
  CompactString& operator=(const char* text) { return *this = CompactString(text); }
  template <class Text>
  requires(std::is_convertible_v<const Text&, std::string_view> &&
           !std::is_convertible_v<const Text&, const char*> &&
           !std::is_same_v<Text, CompactString> &&
           !std::is_same_v<Text, std::string>) CompactString&
  operator=(const Text& text) {
    return *this = CompactString(std::string_view(text));
  }
  ~CompactString() { release(); }

  std::string_view view() const noexcept {
    if (onHeap()) return {heapPointer(), heapSize()};
    return {bytes_, static_cast<size_t>(bytes_[kLast])};
  }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  /// A copy, where a std::string is wanted.
  operator std::string() const { return str(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  std::string_view substr(size_t from, size_t count = std::string_view::npos) const {
    return view().substr(from, count);
  }
  size_t find(std::string_view what, size_t from = 0) const noexcept {
    return view().find(what, from);
  }
  size_t find(char what, size_t from = 0) const noexcept { return view().find(what, from); }
  bool starts_with(std::string_view prefix) const noexcept { return view().starts_with(prefix); }
  char front() const noexcept { return view().front(); }
  char back() const noexcept { return view().back(); }
  bool empty() const noexcept { return size() == 0; }
  size_t size() const noexcept { return onHeap() ? heapSize() : bytes_[kLast]; }
  const char* data() const noexcept { return onHeap() ? heapPointer() : bytes_; }
  char operator[](size_t i) const noexcept { return data()[i]; }
  auto begin() const noexcept { return view().begin(); }
  auto end() const noexcept { return view().end(); }
  void clear() noexcept { *this = CompactString(); }
  void swap(CompactString& other) noexcept {
    char held[sizeof bytes_];
    std::memcpy(held, bytes_, sizeof bytes_);
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    std::memcpy(other.bytes_, held, sizeof bytes_);
  }

  friend bool operator==(const CompactString& a, const CompactString& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator==(const CompactString& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const CompactString& a, const std::string& b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const CompactString& a, const char* b) noexcept { return a.view() == b; }
  friend std::strong_ordering operator<=>(const CompactString& a, const CompactString& b) noexcept {
    return a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(const CompactString& a, std::string_view b) noexcept {
    return a.view() <=> b;
  }
  friend std::strong_ordering operator<=>(const CompactString& a, const char* b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::string operator+(const std::string& a, const CompactString& b) {
    std::string out = a;
    out.append(b.view());
    return out;
  }
  friend std::string operator+(const CompactString& a, std::string_view b) {
    std::string out(a.view());
    out.append(b);
    return out;
  }

 private:
  // In place: the characters, then their count in the last byte. On the heap: a pointer and a
  // 32-bit size, and kHeap in the last byte.
  static constexpr size_t kLast = 15;
  static constexpr unsigned char kHeap = 0x80;

  bool onHeap() const noexcept { return bytes_[kLast] == static_cast<char>(kHeap); }
  char* heapPointer() const noexcept {
    char* pointer;
    std::memcpy(&pointer, bytes_, sizeof pointer);
    return pointer;
  }
  size_t heapSize() const noexcept {
    uint32_t size;
    std::memcpy(&size, bytes_ + sizeof(char*), sizeof size);
    return size;
  }
  void assign(std::string_view text) {
    if (text.size() <= kLast) {
      // An empty view may hold no pointer at all, which memcpy may not be given.
      if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
      bytes_[kLast] = static_cast<char>(text.size());
      return;
    }
    // Longer than a 32-bit size can say is cut there: no field of a record comes near it.
    const auto size = static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX));
    char* pointer = new char[size];
    std::memcpy(pointer, text.data(), size);
    std::memcpy(bytes_, &pointer, sizeof pointer);
    std::memcpy(bytes_ + sizeof pointer, &size, sizeof size);
    bytes_[kLast] = static_cast<char>(kHeap);
  }
  void release() noexcept {
    if (onHeap()) delete[] heapPointer();
  }

  char bytes_[16];
};

}  // namespace hearth::pipelines::canonical
