#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hearth::connectors::fhir {

/// How far one NDJSON file of a directory was read.
struct FileProgress {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t offset = 0;  // byte offset of the next line
  uint64_t line = 1;    // its number
  friend bool operator==(const FileProgress&, const FileProgress&) = default;
};

/// How far one file of an export's manifest was processed.
struct DownloadProgress {
  uint64_t next_line = 1;  // lines before it were emitted
  bool done = false;
  friend bool operator==(const DownloadProgress&, const DownloadProgress&) = default;
};

/// The Bulk Data export in flight, if any, and where the next one starts.
struct BulkState {
  std::string since;  // _since of the next kick-off: the last complete export's transactionTime
  std::string status_url;  // the job being polled or downloaded; empty: none
  int64_t kicked_off_ms = 0;
  std::string transaction_time;                   // of the job, once its manifest was read
  std::map<std::string, DownloadProgress> files;  // by URL, once the manifest was read
  friend bool operator==(const BulkState&, const BulkState&) = default;
};

/// One resource type's paged search.
struct SearchState {
  std::string window_start;  // _lastUpdated lower bound of the window being read (inclusive)
  std::string next_url;      // the page to fetch next inside the window; empty: its first page
  friend bool operator==(const SearchState&, const SearchState&) = default;
};

/// The connector's checkpoint: one part per mode, serialised as one JSON object.
struct Checkpoint {
  std::map<std::string, FileProgress> files;  // directory mode, by file name
  BulkState bulk;
  std::map<std::string, SearchState> search;  // by resource type

  std::string serialize() const;
  /// Reads serialize()'s output; empty text is a fresh start.
  static Result<Checkpoint> parse(std::string_view text);
};

}  // namespace hearth::connectors::fhir
