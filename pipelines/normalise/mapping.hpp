#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/layout.hpp"

namespace hearth::pipelines::normalise {

// A declarative mapping: a layout written as data (a connector's `mapping:`), for a local source
// that no layout of the registry covers. Each stream of the source makes one or more canonical
// records of a kind the model has, field by field. Every `where` is the place the rule was
// written (a JSON Pointer into the configuration), so that problems can name file and line.

/// One canonical field, filled from a source field or a constant.
struct FieldRule {
  std::string target = {};  // the canonical field ("start")
  std::string from = {};    // the source field; empty when `constant` is given
  std::string constant = {};
  /// For date fields: "iso" (the default: YYYY-MM-DD, a time allowed after it) or a pattern of
  /// %d, %m, %b (Jan), %Y, %H, %M, %S and literal characters ("%d/%m/%Y").
  std::string date_format = {};
  /// Source value -> canonical value; a value not in a non-empty map is a query.
  std::map<std::string, std::string, std::less<>> codes = {};
  std::string where = {};
};

/// An identifier of the person a record names, with its scheme's check.
struct IdentifierRule {
  std::string scheme = {};  // nhs, upn, former_upn, uln, or a local scheme of the council's own
  std::string from = {};
  std::string where = {};
};

/// One canonical record each source record of the stream makes.
struct RecordRule {
  std::string kind = {};     // "early_help_episode", "person", ...
  std::string subject = {};  // the source field holding the local id of the person it is about
  std::vector<FieldRule> fields = {};
  std::vector<IdentifierRule> identifiers = {};  // person only
  std::string where = {};
};

struct StreamRule {
  std::string stream = {};
  std::vector<RecordRule> records = {};
  std::vector<std::string> ignore = {};  // source fields left out on purpose
  std::string where = {};
};

struct Mapping {
  std::vector<StreamRule> streams = {};
};

/// A rule the canonical model refuses, at the place it was written.
struct MappingProblem {
  std::string where = {};
  std::string message = {};
};

/// Checks a mapping against the canonical model: known kinds and fields, each field filled
/// once, date formats that parse, code maps whose values are codes of the field's list,
/// identifier schemes Hearth knows how to check. Empty when the mapping is sound.
std::vector<MappingProblem> checkMapping(const Mapping& mapping);

/// The layout a sound mapping describes, named `name` (metrics label its fields with it).
/// Throws std::invalid_argument for a mapping checkMapping refuses.
std::shared_ptr<const Layout> mappedLayout(const Mapping& mapping, std::string name);

/// The record kinds a mapping may make, and the fields of one ("" when the kind is unknown).
std::vector<std::string_view> mappableKinds();
std::vector<std::string_view> mappableFields(std::string_view kind);

}  // namespace hearth::pipelines::normalise
