#pragma once

#include <string>
#include <string_view>

namespace hearth::pipelines::validation {

enum class Severity {
  kReject,  // the record cannot be used; it goes to the rejects topic instead of downstream
  kQuery,   // the record goes on, and the finding is published beside it for the data owner
};

/// One broken rule, with where the record came from. `code` is the department's rule code
/// prefixed by its return ("903.103") or a Hearth code ("date.future").
struct Finding {
  std::string code;
  std::string message;
  std::string field;
  Severity severity = Severity::kQuery;
  std::string stream;
  std::string source_key;
  std::string location;
  int year_applied = -1;  // the code-list version applied, for code-list findings
};

}  // namespace hearth::pipelines::validation
