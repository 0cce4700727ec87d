#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::synth {

/// What the manifest reports for one output file.
struct FileStat {
  std::string path;  // relative to the output directory
  uint64_t bytes = 0;
  uint64_t records = 0;
};

/// A file written through one large buffer: the generator writes hundreds of megabytes and the
/// stdio per-call overhead would dominate otherwise.
class OutputFile {
 public:
  OutputFile(const std::filesystem::path& root, std::string relative, std::vector<FileStat>& stats);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kFlushAt) flush();
  }
  void put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= kFlushAt) flush();
  }
  void countRecord(uint64_t n = 1) { records_ += n; }
  const std::string& relative() const { return relative_; }
  /// Flushes, closes and reports the file's size to the manifest.
  void close();

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  void flush();

  std::FILE* file_ = nullptr;
  std::string relative_;
  std::string buffer_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
  std::vector<FileStat>& stats_;
};

/// CSV in the shape the real exports use: comma separated, LF line ends, fields quoted only when
/// they hold a comma, quote or line break.
class CsvWriter {
 public:
  CsvWriter(OutputFile& file, std::initializer_list<std::string_view> header);
  CsvWriter(OutputFile& file, const std::vector<std::string>& header);

  CsvWriter& operator<<(std::string_view field);
  CsvWriter& operator<<(const std::string& field) { return *this << std::string_view(field); }
  CsvWriter& operator<<(const char* field) { return *this << std::string_view(field); }
  CsvWriter& operator<<(int64_t value);
  CsvWriter& operator<<(int value) { return *this << static_cast<int64_t>(value); }
  CsvWriter& operator<<(uint32_t value) { return *this << static_cast<int64_t>(value); }
  CsvWriter& operator<<(uint64_t value) { return *this << static_cast<int64_t>(value); }
  /// Ends the row.
  void end();
  size_t columns() const { return columns_; }

 private:
  OutputFile& file_;
  size_t columns_ = 0;
  size_t in_row_ = 0;
};

/// Escapes text for XML element content and attribute values.
std::string xmlEscape(std::string_view text);
/// Escapes text for a JSON string (without the surrounding quotes).
std::string jsonEscape(std::string_view text);

}  // namespace hearth::synth
