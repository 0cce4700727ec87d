#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::connectors::fhir {

/// One line of an NDJSON stream, its line break removed (LF or CRLF).
struct Line {
  std::string_view text;  // the line, or its first max_line_bytes when too_long
  uint64_t number = 0;    // 1-based
  uint64_t length = 0;    // the whole line's length, also when only a prefix is kept
  bool too_long = false;  // longer than the cap: text holds only its start
};

/// Splits a byte stream into lines without ever holding more than one capped line: bytes arrive
/// in chunks of any size, complete lines inside a chunk are handed out in place, and only a line
/// that straddles two chunks is copied. A line longer than the cap is reported (with its start)
/// and skipped to its end, so a 50 MB line costs the cap, not 50 MB.
class LineSplitter {
 public:
  /// `first_line` and `start_offset` place the first byte fed, when reading resumes mid-file.
  explicit LineSplitter(size_t max_line_bytes, uint64_t first_line = 1, uint64_t start_offset = 0)
      : max_line_bytes_(max_line_bytes), next_line_(first_line), consumed_(start_offset) {}

  /// Hands every line completed by `chunk` to `on_line(const Line&)`; stops early, returning
  /// false, when on_line does.
  template <typename OnLine>
  bool feed(std::string_view chunk, OnLine&& on_line);

  /// Hands out a last line that had no line break. Call once, at the end of the stream.
  template <typename OnLine>
  bool finish(OnLine&& on_line);

  /// The number the next line will get.
  uint64_t nextLine() const { return next_line_; }
  /// The stream offset just after the last line handed out: where to resume.
  uint64_t consumedBytes() const { return consumed_; }

 private:
  template <typename OnLine>
  bool deliver(std::string_view text, uint64_t length, bool too_long, OnLine&& on_line);

  size_t max_line_bytes_;
  uint64_t next_line_;
  uint64_t consumed_;
  std::string partial_;          // the start of a line that began in an earlier chunk
  uint64_t partial_length_ = 0;  // its full length so far, beyond the cap too
};

/// One page of a search: the entries' resources as their exact text, and the next page's link.
struct SearchPage {
  std::vector<std::string_view> resources;  // valid until the parser's next call
  std::string next_url;                     // link[relation=next], verbatim; empty on the last
};

/// What a line holds, as far as the connector needs to know.
struct ResourceHead {
  std::string_view resource_type;
  std::string_view id;
  std::string_view last_updated;  // meta.lastUpdated; empty when absent
};

/// Why a line is not a usable resource; kNone when it is.
enum class LineProblem { kNone, kInvalidJson, kNotAnObject, kNoResourceType, kNoId, kTooLong };

/// The stable reason code of a problem: "fhir.invalid_json".
std::string_view reasonCode(LineProblem problem);

/// Reads resourceType, id and meta.lastUpdated from a line with simdjson's on-demand parser,
/// walking the top level of the object to its end so that a line cut short or followed by
/// trailing text is refused. One parser per reader, reused line after line.
class ResourceParser {
 public:
  ResourceParser();
  ~ResourceParser();
  ResourceParser(const ResourceParser&) = delete;
  ResourceParser& operator=(const ResourceParser&) = delete;

  /// Parses `line`; head() is valid until the next call when it returns kNone. message() says
  /// what was wrong otherwise.
  LineProblem parse(std::string_view line);
  const ResourceHead& head() const { return head_; }
  const std::string& message() const { return message_; }

  /// The `Type/id` of every entry of a Bundle line from a Bulk Data `deleted` file (from
  /// entry.request.url, a query string dropped); empty with message() set when the line is not
  /// such a Bundle.
  std::vector<std::string> deletedReferences(std::string_view line);

  /// Reads a searchset Bundle; false with message() set when it is not one. Entries whose
  /// search.mode is `outcome` (the server's own notes) are left out.
  bool searchPage(std::string_view bundle, SearchPage& page);

 private:
  bool load(std::string_view line);

  struct State;
  std::unique_ptr<State> state_;
  ResourceHead head_;
  std::string message_;
};

template <typename OnLine>
bool LineSplitter::deliver(std::string_view text, uint64_t length, bool too_long,
                           OnLine&& on_line) {
  if (!too_long && !text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
    --length;
  }
  const Line line{text, next_line_++, length, too_long};
  return on_line(line);
}

template <typename OnLine>
bool LineSplitter::feed(std::string_view chunk, OnLine&& on_line) {
  while (!chunk.empty()) {
    const size_t newline = chunk.find('\n');
    const std::string_view piece = chunk.substr(0, newline);
    if (newline == std::string_view::npos) {
      // The line goes on in a later chunk: keep what fits under the cap, count the rest.
      if (partial_.size() < max_line_bytes_ + 1) {
        partial_.append(piece.substr(0, max_line_bytes_ + 1 - partial_.size()));
      }
      partial_length_ += piece.size();
      return true;
    }
    const uint64_t consumed_after = consumed_ + partial_length_ + newline + 1;
    bool carry_on;
    if (partial_length_ == 0) {
      const bool too_long = piece.size() > max_line_bytes_ &&
                            !(piece.size() == max_line_bytes_ + 1 && piece.back() == '\r');
      consumed_ = consumed_after;
      carry_on = deliver(too_long ? piece.substr(0, max_line_bytes_) : piece, piece.size(),
                         too_long, on_line);
    } else {
      if (partial_.size() < max_line_bytes_ + 1) {
        partial_.append(piece.substr(0, max_line_bytes_ + 1 - partial_.size()));
      }
      const uint64_t length = partial_length_ + piece.size();
      const bool too_long =
          length > max_line_bytes_ && !(length == max_line_bytes_ + 1 && partial_.back() == '\r');
      if (too_long) partial_.resize(max_line_bytes_);
      consumed_ = consumed_after;
      partial_length_ = 0;
      carry_on = deliver(partial_, length, too_long, on_line);
      partial_.clear();
    }
    chunk.remove_prefix(newline + 1);
    if (!carry_on) return false;
  }
  return true;
}

template <typename OnLine>
bool LineSplitter::finish(OnLine&& on_line) {
  if (partial_length_ == 0) return true;
  const uint64_t length = partial_length_;
  const bool too_long =
      length > max_line_bytes_ && !(length == max_line_bytes_ + 1 && partial_.back() == '\r');
  if (too_long) partial_.resize(max_line_bytes_);
  consumed_ += length;
  partial_length_ = 0;
  const bool carry_on = deliver(partial_, length, too_long, on_line);
  partial_.clear();
  return carry_on;
}

}  // namespace hearth::connectors::fhir
