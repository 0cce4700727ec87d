#include "connectors/cin_census/cin_parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "connectors/common/expat_parser.hpp"

namespace hearth::connectors::cin_census {
namespace {

// A longer text inside one element makes its child a reject: the parser keeps one child in
// memory, and this bounds it.
constexpr size_t kMaxTextBytes = common::kMaxElementTextBytes;
// Bytes handed to expat at a time, so that a huge buffer never becomes one huge parse call.
constexpr size_t kFeedBytes = size_t{1} << 16;

enum StreamIndex : size_t {
  kChild,
  kCinEpisode,
  kAssessment,
  kCinPlan,
  kSection47,
  kCpPlan,
  kPreProceedings,
  kStreamCount
};

// The elements that open a record, below the element named in `parent`.
struct RecordElement {
  std::string_view element;
  std::string_view parent;
  StreamIndex stream;
};
constexpr std::array<RecordElement, 6> kRecordElements = {{
    {"CINdetails", "Child", kCinEpisode},
    {"Assessments", "CINdetails", kAssessment},
    {"CINPlanDates", "CINdetails", kCinPlan},
    {"Section47", "CINdetails", kSection47},
    {"ChildProtectionPlans", "CINdetails", kCpPlan},
    {"PreProceedingsandFGDM", "CINdetails", kPreProceedings},  // from 2025/26
}};

// Containers of a repeated element, and the one field their values are joined into. Both
// spellings of the assessment factors occur: FactorsIdentifiedAtAssessment/AssessmentFactors in
// the files councils send, AssessmentFactors/AssessmentFactor in older specifications.
struct ListContainer {
  std::string_view element;
  std::string_view field;
};
constexpr std::array<ListContainer, 4> kListContainers = {{
    {"Disabilities", "Disabilities"},
    {"FactorsIdentifiedAtAssessment", "AssessmentFactors"},
    {"AssessmentFactors", "AssessmentFactors"},
    {"Reviews", "CPPreviewDates"},
}};

constexpr std::array<std::string_view, 3> kHeaderFields = {"collection_year", "ReferenceDate",
                                                           "LEA"};

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// A record being gathered while its element is open.
struct Building {
  StreamIndex stream = kChild;
  uint64_t line = 0;
  size_t episode = 0;  // ordinal of its CINdetails in the child, from 1; 0 for the child record
  std::vector<std::pair<std::string, std::string>> values;

  const std::string* find(std::string_view name) const {
    for (const auto& [field, value] : values) {
      if (field == name) return &value;
    }
    return nullptr;
  }
  // A repeated element adds its value to the list, comma-separated.
  void add(std::string_view name, std::string_view value) {
    for (auto& [field, existing] : values) {
      if (field == name) {
        existing += ',';
        existing += value;
        return;
      }
    }
    values.emplace_back(std::string(name), std::string(value));
  }
};

}  // namespace

const std::vector<CinStreamSpec>& cinStreams() {
  static const std::vector<CinStreamSpec> kStreams = {
      {"child",
       {"LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate",
        "Sex", "sex_element", "PersonDeathDate", "Ethnicity", "Disabilities"}},
      {"cin_episode",
       {"LAchildID", "episode", "CINreferralDate", "ReferralSource", "PrimaryNeedCode",
        "CINclosureDate", "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA"}},
      {"assessment",
       {"LAchildID", "episode", "CINreferralDate", "AssessmentActualStartDate",
        "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "AssessmentFactors"}},
      {"cin_plan",
       {"LAchildID", "episode", "CINreferralDate", "CINPlanStartDate", "CINPlanEndDate"}},
      {"section47",
       {"LAchildID", "episode", "CINreferralDate", "S47ActualStartDate", "InitialCPCtarget",
        "DateOfInitialCPC", "ICPCnotRequired"}},
      {"cp_plan",
       {"LAchildID", "episode", "CINreferralDate", "CPPstartDate", "CPPendDate",
        "InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP",
        "CPPreviewDates"}},
      {"pre_proceedings",
       {"LAchildID", "episode", "CINreferralDate", "PPStartDate", "LBPSentDate", "FGDMMeetingOffer",
        "FGDMMeetingFac", "InitialPPMeetingDate", "ReviewMeetingsCount", "StepDecisionDate",
        "PPOutcome", "CourtAppDate", "LetterInitCPDate"}},
  };
  return kStreams;
}

struct CinParser::State {
  explicit State(CinSink& out) : sink(out), parser(common::makeExpatParser(*this)) {}

  void characters(const XML_Char* chars, int length) {
    common::appendElementText(text, text_too_long, chars, length);
  }

  void start(std::string_view name) {
    if (!has_child.empty()) has_child.back() = true;
    path.emplace_back(name);
    // Taken after the push: a view taken before it dangles once the vector reallocates.
    const std::string_view parent =
        path.size() >= 2 ? std::string_view(path[path.size() - 2]) : std::string_view();
    has_child.push_back(false);
    text.clear();
    const uint64_t line = XML_GetCurrentLineNumber(parser.get());
    if (!in_child) {
      if (name == "Child" && parent == "Children") beginChild(line);
      return;
    }
    for (const RecordElement& record : kRecordElements) {
      if (record.element != name || record.parent != parent) continue;
      if (record.stream == kCinEpisode) ++episodes;
      pending.push_back(Building{record.stream, line, episodes, {}});
      open.push_back(pending.size() - 1);
      open_depth.push_back(path.size());
      return;
    }
  }

  void end(std::string_view name) {
    if (!has_child.back()) leaf(name, trim(text));
    text.clear();
    if (in_child) {
      if (!open_depth.empty() && open_depth.back() == path.size()) {
        open.pop_back();
        open_depth.pop_back();
      } else if (path.size() == child_depth) {
        finishChild();
      }
    }
    path.pop_back();
    has_child.pop_back();
  }

  void leaf(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (!in_child) {
      if (std::find(path.begin(), path.end(), "Header") == path.end()) return;
      if (name == "Year") header[0] = value;
      if (name == "ReferenceDate") header[1] = value;
      if (name == "LEA") header[2] = value;
      return;
    }
    Building& target = open.empty() ? child : pending[open.back()];
    std::string_view field = name;
    const std::string_view parent = path.size() >= 2 ? path[path.size() - 2] : std::string_view();
    for (const ListContainer& list : kListContainers) {
      if (list.element == parent) field = list.field;
    }
    if (name == "GenderCurrent" || name == "Sex") {
      // One field for both spellings; the element's name tells validation which code list
      // applies (GenderCurrent before 2025/26, Sex from then).
      target.add("Sex", value);
      target.add("sex_element", name);
      return;
    }
    target.add(field, value);
  }

  void beginChild(uint64_t line) {
    in_child = true;
    child_depth = path.size();
    child = Building{kChild, line, 0, {}};
    pending.clear();
    open.clear();
    open_depth.clear();
    episodes = 0;
    text_too_long = false;
  }

  void finishChild() {
    in_child = false;
    ++children;
    if (text_too_long) {
      reject("cin.value_too_long",
             "an element of the child holds more than " + std::to_string(kMaxTextBytes) +
                 " bytes of text; the child is skipped",
             child.line);
      return;
    }
    const std::string* id = child.find("LAchildID");
    if (id == nullptr) {
      reject("cin.missing_child_id", "child has no LAchildID; its records are skipped", child.line);
      return;
    }
    const std::string child_id = *id;
    if (!emit(child, child_id, child_id, "")) return;
    std::array<size_t, kStreamCount> ordinal{};
    std::string referral_date;
    for (const Building& record : pending) {
      if (record.stream == kCinEpisode) {
        const std::string* date = record.find("CINreferralDate");
        referral_date = date == nullptr ? std::string() : *date;
      }
      const size_t index = record.stream == kCinEpisode ? record.episode : ++ordinal[record.stream];
      const std::string key = child_id + "|" + referral_date + "|" + std::to_string(index);
      if (!emit(record, key, child_id, referral_date)) return;
    }
  }

  bool emit(const Building& building, const std::string& key, const std::string& child_id,
            const std::string& referral_date) {
    const CinStreamSpec& spec = cinStreams()[building.stream];
    record.stream = spec.stream;
    record.key = key;
    record.line = building.line;
    record.fields.clear();
    for (const std::string_view name : spec.fields) {
      std::optional<std::string> value;
      if (name == "LAchildID") {
        value = child_id;
      } else if (name == "episode") {
        value = std::to_string(building.episode);
      } else if (name == "CINreferralDate" && building.stream != kCinEpisode) {
        if (!referral_date.empty()) value = referral_date;
      } else if (const std::string* found = building.find(name)) {
        value = *found;
      }
      record.fields.emplace_back(std::string(name), std::move(value));
    }
    for (const auto& [name, value] : building.values) {
      const bool known =
          std::find(spec.fields.begin(), spec.fields.end(), name) != spec.fields.end();
      if (!known) record.fields.emplace_back(name, value);
    }
    for (size_t i = 0; i < kHeaderFields.size(); ++i) {
      record.fields.emplace_back(std::string(kHeaderFields[i]), header[i]);
    }
    return keepGoing(sink.onRecord(record));
  }

  void reject(std::string_view reason, std::string message, uint64_t line) {
    keepGoing(sink.onReject(CinReject{reason, std::move(message), line, 0}));
  }

  bool keepGoing(bool accepted) {
    if (!accepted && !stopped) {
      stopped = true;
      XML_StopParser(parser.get(), XML_FALSE);
    }
    return accepted;
  }

  CinSink& sink;
  common::ExpatParser parser;
  Status status = Status::kOk;
  bool stopped = false;
  std::vector<std::string> path;  // names of the open elements
  std::vector<bool> has_child;    // per open element: has it had an element inside it?
  std::string text;               // text of the innermost open element so far
  bool text_too_long = false;
  std::array<std::optional<std::string>, 3> header;  // Year, ReferenceDate, LEA

  bool in_child = false;
  size_t child_depth = 0;
  Building child;
  std::vector<Building> pending;   // the child's other records, in document order
  std::vector<size_t> open;        // indices into pending of the open record elements
  std::vector<size_t> open_depth;  // their depths in path
  size_t episodes = 0;
  uint64_t children = 0;
  CinRecord record;  // reused for every record
};

CinParser::CinParser(CinSink& sink) : state_(std::make_unique<State>(sink)) {}
CinParser::~CinParser() = default;

CinParser::Status CinParser::feed(std::string_view bytes, bool final) {
  State& state = *state_;
  if (state.status != Status::kOk) return state.status;
  do {
    const size_t take = std::min(bytes.size(), kFeedBytes);
    const bool last = final && take == bytes.size();
    const XML_Status parsed = XML_Parse(state.parser.get(), bytes.data(), static_cast<int>(take),
                                        last ? XML_TRUE : XML_FALSE);
    bytes.remove_prefix(take);
    if (parsed == XML_STATUS_OK) continue;
    if (state.stopped) return state.status = Status::kStopped;
    const XML_Error code = XML_GetErrorCode(state.parser.get());
    state.status = Status::kMalformed;
    const char* what = XML_ErrorString(code);
    CinReject reject{"xml.malformed",
                     std::string("not well-formed XML: ") +
                         (what == nullptr ? "unknown error" : what) +
                         "; the children before it were read, the rest of the file is skipped",
                     XML_GetCurrentLineNumber(state.parser.get()),
                     XML_GetCurrentColumnNumber(state.parser.get()) + 1};
    if (!state.sink.onReject(reject)) state.stopped = true;
    return state.status;
  } while (!bytes.empty());
  return Status::kOk;
}

uint64_t CinParser::children() const { return state_->children; }

}  // namespace hearth::connectors::cin_census
