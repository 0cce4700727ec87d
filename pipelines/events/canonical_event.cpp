#include "pipelines/events/canonical_event.hpp"

#include <optional>
#include <type_traits>
#include <vector>

#include "pipelines/canonical/json.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/privacy/field_policy.hpp"
#include "pipelines/privacy/identifier_form.hpp"

namespace hearth::pipelines {
namespace {

canonical::Identifier publishableIdentifier(const canonical::Identifier& id,
                                            Pseudonymiser& pseudonymiser) {
  const std::string value = normaliseIdentifier(identifierFormOf(id.scheme), id.value);
  return {id.scheme, value.empty() ? std::string() : pseudonymiser.pseudonym(id.scheme, value),
          id.source, id.verification};
}

// "Encounter/123" read by `connector`: the key of the events of the raw record it names.
std::string referencePseudonym(Pseudonymiser& pseudonymiser, std::string_view connector,
                               const std::string& reference) {
  if (reference.empty()) return {};
  const size_t slash = reference.find('/');
  const std::string_view type = slash == std::string::npos
                                    ? std::string_view()
                                    : std::string_view(reference).substr(0, slash);
  return pseudonymiser.pseudonym(std::string(connector) + "/" + std::string(type), reference);
}

// A fresh Person built from the fields that may be published, rather than a copy with the
// sensitive ones cleared: a field added to the model later stays inside until it is listed here.
canonical::Person publishablePerson(const canonical::Person& r, Pseudonymiser& pseudonymiser) {
  canonical::Person p;
  p.provenance = r.provenance;
  p.subject = r.subject;
  for (const auto& id : r.identifiers)
    p.identifiers.push_back(publishableIdentifier(id, pseudonymiser));
  p.birth_date = r.birth_date;  // cut to the month when encoded
  p.expected_birth_date = r.expected_birth_date;
  p.sex = r.sex;
  p.ethnicity = r.ethnicity;
  p.postcode = postcodeSector(r.postcode);
  p.death_date = r.death_date;
  p.is_mother = r.is_mother;
  p.first_child_birth_date = r.first_child_birth_date;
  p.upn_unknown_reason = r.upn_unknown_reason;
  if (!r.family_id.empty()) p.family_id = pseudonymiser.pseudonym("family", r.family_id);
  return p;
}

// Case, household, placement and event references are local ids of the source system: they leave
// as pseudonyms, so consumers can still join the records of one case or group.
template <class T>
T withReferencesPseudonymised(const T& record, Pseudonymiser& pseudonymiser) {
  T copy = record;
  const std::string domain = "reference/" + record.subject.system;
  auto hide = [&](auto& value) {
    if (!value.empty()) value = pseudonymiser.pseudonym(domain, value);
  };
  if constexpr (requires { copy.case_ref; }) hide(copy.case_ref);
  if constexpr (requires { copy.household; }) hide(copy.household);
  if constexpr (requires { copy.previous_case_ref; }) hide(copy.previous_case_ref);
  if constexpr (requires { copy.placement_ref; }) hide(copy.placement_ref);
  if constexpr (requires { copy.group; }) hide(copy.group);
  if constexpr (requires { copy.reference; }) hide(copy.reference);
  return copy;
}

// SEN2 table ids, by which a return's rows name each other: each module that names a row gives
// it the same pseudonym, so consumers can still join them.
std::vector<std::string*> tableIds(canonical::EhcRequest& r) { return {&r.request}; }
std::vector<std::string*> tableIds(canonical::EhcAssessment& r) {
  return {&r.assessment, &r.request};
}
std::vector<std::string*> tableIds(canonical::EhcNamedPlan& r) { return {&r.plan, &r.assessment}; }
std::vector<std::string*> tableIds(canonical::EhcActivePlan& r) {
  return {&r.active_plan, &r.request};
}
std::vector<std::string*> tableIds(canonical::EhcPlacement& r) { return {&r.owner}; }
std::vector<std::string*> tableIds(canonical::SenNeed& r) { return {&r.active_plan}; }

template <class T>
T withTableIdsPseudonymised(const T& record, Pseudonymiser& pseudonymiser) {
  T copy = record;
  const std::string domain = "reference/" + record.subject.system;
  for (std::string* id : tableIds(copy)) {
    if (!id->empty()) *id = pseudonymiser.pseudonym(domain, *id);
  }
  return copy;
}

}  // namespace

std::string subjectPseudonym(const Pseudonymiser& pseudonymiser,
                             const canonical::Subject& subject) {
  return pseudonymiser.pseudonym("subject/" + subject.system, subject.value);
}

std::string subjectPseudonym(const Pseudonymiser& pseudonymiser, std::string_view subject_key) {
  const size_t slash = subject_key.find('/');
  if (slash == std::string_view::npos) return pseudonymiser.pseudonym("subject/", subject_key);
  return pseudonymiser.pseudonym("subject/" + std::string(subject_key.substr(0, slash)),
                                 subject_key.substr(slash + 1));
}

namespace {

// The record as it may be published, but for its subject: a copy with its references and
// identifiers pseudonymised and its postcodes cut to the sector; none for the kinds published as
// they are, which need no copy.
std::optional<canonical::Record> rewritten(const canonical::Record& record,
                                           Pseudonymiser& pseudonymiser,
                                           std::string_view connector) {
  return std::visit(
      [&](const auto& r) -> std::optional<canonical::Record> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, canonical::Person>) {
          return publishablePerson(r, pseudonymiser);
        } else if constexpr (std::is_same_v<T, canonical::LinkedIdentifier>) {
          T copy = r;
          copy.identifier = publishableIdentifier(r.identifier, pseudonymiser);
          return copy;
        } else if constexpr (std::is_same_v<T, canonical::HospitalAdmission>) {
          // Resource ids are the trust's record keys: joinable, but not published as such.
          T copy = r;
          copy.encounter = referencePseudonym(pseudonymiser, connector, r.encounter);
          for (auto& d : copy.diagnoses) {
            d.condition = referencePseudonym(pseudonymiser, connector, d.condition);
          }
          return copy;
        } else if constexpr (std::is_same_v<T, canonical::Diagnosis>) {
          T copy = r;
          copy.encounter = referencePseudonym(pseudonymiser, connector, r.encounter);
          return copy;
        } else if constexpr (std::is_same_v<T, canonical::SubjectLink>) {
          T copy = r;
          copy.same_as.value = subjectPseudonym(pseudonymiser, r.same_as);
          return copy;
        } else if constexpr (requires(T & t) { tableIds(t); }) {
          return withTableIdsPseudonymised(r, pseudonymiser);
        } else if constexpr (
            requires { r.case_ref; } || requires { r.group; } || requires { r.reference; }) {
          return withReferencesPseudonymised(r, pseudonymiser);
        } else if constexpr (std::is_same_v<T, canonical::ClaEpisode>) {
          T copy = r;
          copy.home_postcode = postcodeSector(r.home_postcode);
          copy.placement_postcode = postcodeSector(r.placement_postcode);
          return copy;
        } else {
          return std::nullopt;
        }
      },
      record);
}

}  // namespace

canonical::Record publishable(const canonical::Record& record, Pseudonymiser& pseudonymiser,
                              std::string_view connector) {
  std::optional<canonical::Record> out = rewritten(record, pseudonymiser, connector);
  if (!out) out = record;
  std::visit([&](auto& r) { r.subject.value = subjectPseudonym(pseudonymiser, r.subject); }, *out);
  return std::move(*out);
}

const std::string& RecentSubjectPseudonyms::of(const Pseudonymiser& pseudonymiser,
                                               const canonical::Subject& subject) {
  const std::string_view system = subject.system;
  const std::string_view value = subject.value;
  const size_t hash = std::hash<std::string_view>{}(value) ^ (system.size() * 0x9e3779b97f4a7c15);
  Slot& slot = slots_[hash % kSlots];
  if (slot.pseudonym.empty() || slot.value != value || slot.system != system ||
      slot.key != pseudonymiser.fingerprint()) {
    slot.key = pseudonymiser.fingerprint();
    slot.system.assign(system);
    slot.value.assign(value);
    slot.pseudonym = subjectPseudonym(pseudonymiser, subject);
  }
  return slot.pseudonym;
}

RecentSubjectPseudonyms& RecentSubjectPseudonyms::ofThisThread() {
  thread_local RecentSubjectPseudonyms table;
  return table;
}

CanonicalEventEncoder::CanonicalEventEncoder(SourceInfo source, Pseudonymiser pseudonymiser,
                                             std::string rule_version)
    : source_(std::move(source)),
      source_uri_(source_.origin.sourceUri("connectors/" + source_.connector)),
      data_schema_(source_.origin.dataSchema(kCanonicalEventType)),
      pseudonymiser_(std::move(pseudonymiser)),
      rule_version_(std::move(rule_version)),
      header_(source_uri_, kCanonicalEventType, data_schema_) {
  provenance_json_ = R"(,"provenance":)";
  appendProvenanceStart(provenance_json_, source_);
  provenance_json_.append(R"(,"source_system":)");
  rule_version_json_ = R"(,"rule_version":)";
  appendJsonString(rule_version_json_, rule_version_);
  rule_version_json_.append(R"(},"record":)");
}

void CanonicalEventEncoder::encode(const canonical::Record& record, std::string_view location,
                                   size_t index, int64_t now_ms, EncodedEvent& out) {
  // Most kinds are published as they are, with only their subject's value replaced by its
  // pseudonym as they are written: no copy of the record is made for them.
  const std::optional<canonical::Record> copy =
      rewritten(record, pseudonymiser_, source_.connector);
  const canonical::Record& shown = copy ? *copy : record;
  const std::string& subject =
      RecentSubjectPseudonyms::ofThisThread().of(pseudonymiser_, canonical::subjectOf(record));
  content_.clear();
  canonical::appendJson(
      content_, shown,
      {.include_provenance = false, .personal_dates_as_month = true, .subject_value = subject});
  const canonical::Provenance& provenance = canonical::provenanceOf(record);

  ids_.add(source_.connector);
  ids_.add(provenance.stream());
  ids_.add(provenance.source_key);
  ids_.add(std::to_string(index));
  ids_.add(content_);
  ids_.add(rule_version_);
  id_.clear();
  ids_.finishInto(id_);

  out.key = subject;
  std::string& p = out.payload;
  p.clear();
  // The event's subject is its record's kind: written as JSON once a kind, not once an event.
  std::string& kind_json = kind_json_[record.index()];
  if (kind_json.empty()) appendJsonString(kind_json, canonical::recordKind(record));
  header_.append(p, id_, kind_json, now_ms);
  p.append(R"("key":")");
  p.append(out.key);
  p.append(R"(","stream":)");
  appendJsonString(p, provenance.stream());
  p.append(R"(,"location":)");
  appendJsonString(p, location);
  p.append(R"(,"collection_year":)");
  if (provenance.collection_year != 0) {
    appendJsonInt(p, provenance.collection_year);
  } else {
    p.append("null");
  }
  p.append(provenance_json_);
  appendJsonString(p, provenance.source_system());
  p.append(rule_version_json_);
  p.append(content_);
  p.append("}}");
}

}  // namespace hearth::pipelines
