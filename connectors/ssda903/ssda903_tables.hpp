#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::connectors::ssda903 {

/// One table of the SSDA903 return: its stream, its CSV columns in the order the DfE specifies
/// them, the columns forming its source key, and the elements that hold it in the XML return.
struct TableSpec {
  std::string_view stream;  // the CSV table name in lower case: "episodes"
  std::vector<std::string_view> columns;
  std::vector<std::string_view> key;
  std::vector<std::string_view> xml_elements;  // children of CHILD: "EPISODE"
  /// Its columns that the DfE's XML layout writes directly in HEADER, without a table element
  /// (the care leaver, UASC and adoption items); empty for the other tables.
  std::vector<std::string_view> header_leaves = {};
};

/// Every table, longest stream name first (so "sw_episodes.csv" is not taken for "episodes").
const std::vector<TableSpec>& tables();

/// The table a stream name names, or null.
const TableSpec* findTable(std::string_view stream);

/// The table whose default file name `file_name` has, case-insensitively: "<stream>.csv", or
/// "<anything>_<stream>.csv" such as "SSDA903_2020_episodes.csv"; null if none.
const TableSpec* tableForFileName(std::string_view file_name);

/// The table an element directly below CHILD holds, or null.
const TableSpec* tableForElement(std::string_view element);

/// The CSV column an XML element stands for: CHILDID is CHILD, PL is PLACE, others keep their
/// name.
std::string_view columnForElement(std::string_view element);

}  // namespace hearth::connectors::ssda903
