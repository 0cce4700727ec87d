#include "connectors/ssda903/ssda903_xml.hpp"

#include <algorithm>
#include <new>

#include "connectors/common/expat_parser.hpp"

namespace hearth::connectors::ssda903 {
namespace {

constexpr std::string_view kRoot = "EXPSSDA903";
// One CHILD is held in memory at a time; a longer text in one element makes it a reject.
constexpr size_t kMaxTextBytes = common::kMaxElementTextBytes;
constexpr size_t kFeedBytes = size_t{1} << 16;

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// A table element of the current CHILD while it is gathered.
struct Row {
  const TableSpec* table = nullptr;
  uint64_t line = 0;
  std::vector<std::pair<std::string, std::string>> values;  // by CSV column name
  bool keep_empty = false;  // a record even without values: a UASC row made by the flag alone

  const std::string* find(std::string_view name) const {
    for (const auto& [column, value] : values) {
      if (column == name) return &value;
    }
    return nullptr;
  }
  void add(std::string_view name, std::string_view value) {
    for (auto& [column, existing] : values) {
      if (column == name) {
        existing += ',';
        existing += value;
        return;
      }
    }
    values.emplace_back(std::string(name), std::string(value));
  }
};

}  // namespace

struct XmlReturnParser::State {
  explicit State(XmlSink& out) : sink(out), parser(common::makeExpatParser(*this)) {}

  void characters(const XML_Char* chars, int length) {
    common::appendElementText(text, text_too_long, chars, length);
  }

  void start(std::string_view name) {
    if (path.empty() && name != kRoot) {
      status = Status::kUnexpectedRoot;
      stopped = true;
      XML_StopParser(parser.get(), XML_FALSE);
      return;
    }
    if (!has_child.empty()) has_child.back() = true;
    path.emplace_back(name);
    has_child.push_back(false);
    text.clear();
    if (path.size() == 2 && name == "CHILD") {
      rows.clear();
      open_rows.clear();
      text_too_long = false;
      child_line = XML_GetCurrentLineNumber(parser.get());
    } else if (path.size() == 3 && path[1] == "CHILD") {
      openRow(name);
    } else if (path.size() == 4 && path[1] == "CHILD" && path[2] == "HEADER" && name != "HEADER") {
      // The DfE return nests the child's reviews (AREVIEW), missing periods (AMISSING), OC2,
      // PERMANENCE and AD_PLACED inside HEADER, beside the header's own leaves.
      openRow(name);
    }
  }

  void openRow(std::string_view name) {
    if (const TableSpec* table = tableForElement(name)) {
      rows.push_back(Row{table, XML_GetCurrentLineNumber(parser.get()), {}, false});
      open_rows.push_back({rows.size() - 1, path.size()});
    }
  }

  void end(std::string_view) {
    // Expat may still report the end of the element whose start stopped the parser (an
    // unexpected root), which was never pushed.
    if (path.empty()) return;
    const bool closes_row = !open_rows.empty() && open_rows.back().depth == path.size();
    if (closes_row && !has_child.back() && open_rows.size() > 1) {
      // A leaf inside HEADER that shares a table's name (the UASC flag) is a header value.
      rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(open_rows.back().row));
      open_rows.pop_back();
      addLeaf();
    } else {
      if (!has_child.back() && !open_rows.empty() && path.size() > open_rows.back().depth) {
        addLeaf();
      }
      if (closes_row) open_rows.pop_back();
    }
    text.clear();
    if (path.size() == 2 && path[1] == "CHILD") finishChild();
    path.pop_back();
    has_child.pop_back();
  }

  void addLeaf() {
    const std::string_view value = trim(text);
    if (!value.empty()) rows[open_rows.back().row].add(columnForElement(path.back()), value);
  }

  void finishChild() {
    ++children;
    if (text_too_long) {
      reject(nullptr, "xml.value_too_long",
             "an element of the CHILD holds more than " + std::to_string(kMaxTextBytes) +
                 " bytes of text; the CHILD is skipped",
             child_line);
      return;
    }
    size_t header = rows.size();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].table->stream == "header") header = i;
    }
    if (header < rows.size()) liftHeaderLeaves(header);
    for (const Row& row : rows) {
      if (row.values.empty() && !row.keep_empty) continue;
      if (!emit(row, header < rows.size() ? &rows[header] : nullptr)) return;
    }
  }

  // The DfE's XML layout writes the care leaver (IN_TOUCH, ACTIV, ACCOM), UASC (DUC) and
  // adoption (DATE_INT ... LS_ADOPTR) items directly in HEADER: they become the child's row of
  // their table, as its CSV file would hold it, and leave the header. A CHILD that also has the
  // table's own element keeps that row, and those leaves stay on the header. A UASC flag of 1
  // makes a UASC row without a DUC: the child is in the UASC table, still unaccompanied.
  void liftHeaderLeaves(size_t header) {
    for (const TableSpec& table : tables()) {
      if (table.header_leaves.empty()) continue;
      const bool has_element = std::any_of(rows.begin(), rows.end(),
                                           [&](const Row& row) { return row.table == &table; });
      if (has_element) continue;
      Row lifted{&table, rows[header].line, {}, false};
      auto& values = rows[header].values;
      for (auto it = values.begin(); it != values.end();) {
        const auto& leaves = table.header_leaves;
        if (std::find(leaves.begin(), leaves.end(), it->first) == leaves.end()) {
          ++it;
          continue;
        }
        lifted.values.push_back(std::move(*it));
        it = values.erase(it);
      }
      const std::string* flag = table.stream == "uasc" ? rows[header].find("UASC") : nullptr;
      lifted.keep_empty = flag != nullptr && *flag == "1";
      if (lifted.values.empty() && !lifted.keep_empty) continue;
      rows.push_back(std::move(lifted));
    }
  }

  bool emit(const Row& row, const Row* header) {
    const TableSpec& table = *row.table;
    record.table = &table;
    record.line = row.line;
    record.fields.clear();
    for (const std::string_view column : table.columns) {
      const std::string* value = row.find(column);
      const bool inherited = column == "CHILD" || column == "DOB" || column == "SEX";
      if (value == nullptr && inherited && header != nullptr) value = header->find(column);
      record.fields.emplace_back(std::string(column), value == nullptr
                                                          ? std::nullopt
                                                          : std::optional<std::string>(*value));
    }
    for (const auto& [name, value] : row.values) {
      if (std::find(table.columns.begin(), table.columns.end(), name) == table.columns.end()) {
        record.fields.emplace_back(name, value);
      }
    }
    record.key.clear();
    for (size_t i = 0; i < table.key.size(); ++i) {
      const auto column = std::find(table.columns.begin(), table.columns.end(), table.key[i]);
      const auto& value = record.fields[static_cast<size_t>(column - table.columns.begin())].second;
      if (!value) {
        return reject(
            &table, "xml.missing_key",
            "key element for column '" + std::string(table.key[i]) + "' is empty or absent",
            row.line);
      }
      if (i > 0) record.key += '|';
      record.key += *value;
    }
    return keepGoing(sink.onRecord(record));
  }

  bool reject(const TableSpec* table, std::string_view reason, std::string message, uint64_t line) {
    return keepGoing(sink.onReject(XmlReject{table, reason, std::move(message), line, 0}));
  }

  bool keepGoing(bool accepted) {
    if (!accepted && !stopped) {
      stopped = true;
      status = Status::kStopped;
      XML_StopParser(parser.get(), XML_FALSE);
    }
    return accepted;
  }

  XmlSink& sink;
  common::ExpatParser parser;
  Status status = Status::kOk;
  bool stopped = false;
  std::vector<std::string> path;
  std::vector<bool> has_child;
  std::string text;
  bool text_too_long = false;
  uint64_t child_line = 0;
  std::vector<Row> rows;  // the current CHILD's table elements, in document order
  struct OpenRow {
    size_t row;    // index into rows
    size_t depth;  // path length of its element
  };
  std::vector<OpenRow> open_rows;  // the table elements the parser is inside, outermost first
  uint64_t children = 0;
  XmlRecord record;  // reused for every record
};

XmlReturnParser::XmlReturnParser(XmlSink& sink) : state_(std::make_unique<State>(sink)) {}
XmlReturnParser::~XmlReturnParser() = default;

XmlReturnParser::Status XmlReturnParser::feed(std::string_view bytes, bool final) {
  State& state = *state_;
  if (state.status != Status::kOk) return state.status;
  do {
    const size_t take = std::min(bytes.size(), kFeedBytes);
    const bool last = final && take == bytes.size();
    const XML_Status parsed = XML_Parse(state.parser.get(), bytes.data(), static_cast<int>(take),
                                        last ? XML_TRUE : XML_FALSE);
    bytes.remove_prefix(take);
    if (parsed == XML_STATUS_OK) continue;
    if (state.stopped) return state.status;
    const XML_Error code = XML_GetErrorCode(state.parser.get());
    state.status = Status::kMalformed;
    const char* what = XML_ErrorString(code);
    XmlReject reject{nullptr, "xml.malformed",
                     std::string("not well-formed XML: ") +
                         (what == nullptr ? "unknown error" : what) +
                         "; the children before it were read, the rest of the file is skipped",
                     XML_GetCurrentLineNumber(state.parser.get()),
                     XML_GetCurrentColumnNumber(state.parser.get()) + 1};
    state.sink.onReject(reject);
    return state.status;
  } while (!bytes.empty());
  return Status::kOk;
}

uint64_t XmlReturnParser::children() const { return state_->children; }

}  // namespace hearth::connectors::ssda903
