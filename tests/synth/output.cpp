#include "tests/synth/output.hpp"

#include <cstdio>
#include <stdexcept>

namespace hearth::synth {

OutputFile::OutputFile(const std::filesystem::path& root, std::string relative,
                       std::vector<FileStat>& stats)
    : relative_(std::move(relative)), stats_(stats) {
  const std::filesystem::path path = root / relative_;
  std::filesystem::create_directories(path.parent_path());
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw std::runtime_error("cannot write " + path.string());
  buffer_.reserve(kFlushAt + (kFlushAt >> 2));
}

OutputFile::~OutputFile() { close(); }

void OutputFile::flush() {
  if (buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    throw std::runtime_error("short write to " + relative_);
  bytes_ += buffer_.size();
  buffer_.clear();
}

void OutputFile::close() {
  if (file_ == nullptr) return;
  flush();
  std::fclose(file_);
  file_ = nullptr;
  stats_.push_back({relative_, bytes_, records_});
}

CsvWriter::CsvWriter(OutputFile& file, std::initializer_list<std::string_view> header)
    : file_(file), columns_(header.size()) {
  bool first = true;
  for (std::string_view h : header) {
    if (!first) file_.put(',');
    file_.write(h);
    first = false;
  }
  file_.put('\n');
}

CsvWriter::CsvWriter(OutputFile& file, const std::vector<std::string>& header)
    : file_(file), columns_(header.size()) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (i > 0) file_.put(',');
    file_.write(header[i]);
  }
  file_.put('\n');
}

CsvWriter& CsvWriter::operator<<(std::string_view field) {
  if (in_row_++ > 0) file_.put(',');
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) {
    file_.write(field);
    return *this;
  }
  file_.put('"');
  for (char c : field) {
    if (c == '"') file_.put('"');
    file_.put(c);
  }
  file_.put('"');
  return *this;
}

CsvWriter& CsvWriter::operator<<(int64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
  return *this << std::string_view(buf);
}

void CsvWriter::end() {
  if (in_row_ != columns_)
    throw std::logic_error(file_.relative() + ": row has " + std::to_string(in_row_) +
                           " fields, header has " + std::to_string(columns_));
  file_.put('\n');
  file_.countRecord();
  in_row_ = 0;
}

std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string jsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

}  // namespace hearth::synth
