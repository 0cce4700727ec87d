#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/ssda903/ssda903_tables.hpp"

namespace hearth::connectors::ssda903 {

/// One table row found in the XML return, with its fields named and ordered as the CSV file of
/// the same table names them: the table's columns (nullopt when absent or empty), then any
/// elements the table does not know, by their own names.
struct XmlRecord {
  const TableSpec* table = nullptr;
  std::string key;
  uint64_t line = 0;  // line of the table's element
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;
};

/// Input the mapping cannot turn into a record.
struct XmlReject {
  const TableSpec* table = nullptr;  // null for xml.malformed
  std::string_view reason_code;      // "xml.malformed", "xml.missing_key", "xml.unexpected_root"
  std::string message;
  uint64_t line = 0;
  uint64_t column = 0;  // 0 when the reject is about a whole element
};

/// Receives what the parser finds; returning false stops the parse.
class XmlSink {
 public:
  virtual ~XmlSink() = default;
  virtual bool onRecord(const XmlRecord& record) = 0;
  virtual bool onReject(const XmlReject& reject) = 0;
};

/// Streams an SSDA903 XML return (root EXPSSDA903, one CHILD per child) with expat and maps
/// each CHILD's elements to the records its CSV files would hold, so that the same child gives
/// the same records either way. Each CHILD's records go to the sink when </CHILD> closes.
///
/// The mapping: HEADER is `header`, CHILDID is CHILD; EPISODE is `episodes`, PL is PLACE;
/// UASC, REVIEW, OC2, OC3, AD1, PLACED_FOR_ADOPTION (or PLACED_ADOPTION), PREVIOUS_PERMANENCE
/// (or PERMANENCE), MISSING, SW_EPISODE (or SW_EPISODES) and DOLO hold the other tables. Every
/// record takes CHILD from HEADER/CHILDID, and DOB and SEX from HEADER when its table has those
/// columns and its element does not. The DfE's own layout writes the OC3, UASC and AD1 items as
/// leaves of HEADER, without their table element: they make the child's row of that table. An
/// element repeated inside one table element is joined with ','. Empty table elements give no
/// record.
class XmlReturnParser {
 public:
  enum class Status { kOk, kMalformed, kUnexpectedRoot, kStopped };

  explicit XmlReturnParser(XmlSink& sink);
  ~XmlReturnParser();
  XmlReturnParser(const XmlReturnParser&) = delete;
  XmlReturnParser& operator=(const XmlReturnParser&) = delete;

  /// Parses the next bytes; `final` says the document ends with them. Once the status is not
  /// kOk, further calls do nothing and return it.
  Status feed(std::string_view bytes, bool final);

  uint64_t children() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hearth::connectors::ssda903
