#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hearth::connectors::cin_census {

/// One record of the census, built from one element of a child: a `child`, a `cin_episode`
/// (CINdetails), an `assessment`, a `cin_plan`, a `section47`, a `cp_plan` or a
/// `pre_proceedings` (PreProceedingsandFGDM).
struct CinRecord {
  std::string_view stream;
  std::string key;
  uint64_t line = 0;  // line of the element the record comes from
  /// Fields in a fixed order per stream, then any elements the stream does not know, then the
  /// header's values; nullopt is an element that is absent or empty.
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;
};

/// A child that cannot become records, or a document that stops being XML.
struct CinReject {
  std::string_view reason_code;  // "cin.missing_child_id", "xml.malformed"
  std::string message;
  uint64_t line = 0;
  uint64_t column = 0;
};

/// Receives what the parser finds; returning false stops the parse.
class CinSink {
 public:
  virtual ~CinSink() = default;
  virtual bool onRecord(const CinRecord& record) = 0;
  virtual bool onReject(const CinReject& reject) = 0;
};

/// The streams and the fixed part of their field lists, in the order records carry them.
struct CinStreamSpec {
  std::string_view stream;
  std::vector<std::string_view> fields;
};
const std::vector<CinStreamSpec>& cinStreams();

/// Streams a CIN census document with expat, keeping only the child being read in memory: each
/// child's records go to the sink when its </Child> closes. A document that stops being
/// well-formed XML ends the parse with one xml.malformed reject (expat cannot resynchronise);
/// the children before it stay emitted.
class CinParser {
 public:
  enum class Status { kOk, kMalformed, kStopped };

  explicit CinParser(CinSink& sink);
  ~CinParser();
  CinParser(const CinParser&) = delete;
  CinParser& operator=(const CinParser&) = delete;

  /// Parses the next bytes of the document; `final` says the document ends with them. After
  /// kMalformed or kStopped, further calls do nothing and return the same status.
  Status feed(std::string_view bytes, bool final);

  uint64_t children() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hearth::connectors::cin_census
