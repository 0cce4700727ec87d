#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/validation/finding.hpp"

namespace hearth::pipelines::validation {

/// The department's message for a 903 rule code ("103"), or empty if Hearth does not know it.
std::string_view ssda903RuleMessage(std::string_view rule);

/// Appends a query for 903 rule `rule` against `record`'s provenance. Its location is left to
/// the caller, which knows where the record was read (RecordReader::finish gives it).
void addSsda903Finding(std::vector<Finding>& out, const canonical::Provenance& record,
                       std::string_view rule, std::string_view field,
                       Severity severity = Severity::kQuery);

/// Rules that need only the record itself. They work on canonical records, so they apply to a
/// child whichever source described them.
void checkClaEpisode(const canonical::ClaEpisode& episode, std::vector<Finding>& out);
void checkPerson(const canonical::Person& person, std::vector<Finding>& out);
void checkCareLeaverStatus(const canonical::CareLeaverStatus& status, std::vector<Finding>& out);
void checkMissingEpisode(const canonical::MissingEpisode& missing, std::vector<Finding>& out);

/// One child's records of one return, grouped so that rules across records can run.
struct ChildReturn {
  const canonical::Person* person = nullptr;
  std::vector<const canonical::ClaEpisode*> episodes;
  std::vector<const canonical::CareLeaverStatus*> care_leaver;
  std::vector<const canonical::MissingEpisode*> missing;
};

/// Groups records by subject (system and local id); records other than the four kinds above
/// are ignored. Pointers refer into `records`.
std::map<std::string, ChildReturn> groupByChild(std::span<const canonical::Record> records);

/// Rules across a child's records: episode sequence and overlap, ages from the header's birth
/// date, care-leaver and missing periods against the child. Single-record rules are not rerun.
std::vector<Finding> validateChildReturn(const ChildReturn& child);

}  // namespace hearth::pipelines::validation
