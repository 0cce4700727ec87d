#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hearth::connectors::trust_ssd {

/// How far one table has been read.
struct TableCursor {
  /// Timestamp mode: the timestamp and id of the last row read, as the source printed them. The
  /// id is empty when that row's id was NULL.
  std::optional<std::string> timestamp;
  std::optional<std::string> id;
  /// Full-read mode: a pass is under way and continues after `id`; once it ends, `id` is cleared
  /// and this records when (host clock, ms), so the next pass waits for its interval.
  int64_t full_read_done_ms = 0;

  friend bool operator==(const TableCursor&, const TableCursor&) = default;
};

/// The connector's checkpoint token: a TableCursor per table, as a small JSON document:
/// {"version":1,"tables":{"<table>":{"ts":"2024-05-01 09:30:00","id":"E123"}, "<table>":
/// {"id":"P77"}, "<table>":{"done_ms":1714555200000}}}.
class Checkpoint {
 public:
  /// Reads a token; the empty token is the empty checkpoint.
  static Result<Checkpoint> parse(std::string_view token);
  std::string serialize() const;

  /// The cursor of a table, created empty if need be.
  TableCursor& cursor(std::string_view table);
  const TableCursor* find(std::string_view table) const;

 private:
  std::map<std::string, TableCursor, std::less<>> tables_;
};

/// `timestamp` moved back by `seconds`, printed "YYYY-MM-DD HH:MM:SS" with the original
/// fraction dropped; nullopt when `timestamp` cannot be read. The arithmetic is on the wall
/// clock the source printed, as its cursor compares the stored values: no time zone applies.
std::optional<std::string> subtractSeconds(std::string_view timestamp, int64_t seconds);

}  // namespace hearth::connectors::trust_ssd
