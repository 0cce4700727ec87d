#include "pipelines/canonical/json.hpp"

#include "pipelines/common/json_writer.hpp"

namespace hearth::pipelines::canonical {
namespace {

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ~ObjectWriter() { out_.push_back('}'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    appendJsonString(out_, name);
    out_.push_back(':');
  }
  void text(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    key(name);
    appendJsonString(out_, value);
  }
  void date(std::string_view name, const std::optional<Date>& value) {
    if (!value) return;
    key(name);
    out_.push_back('"');  // a date needs no escaping
    appendIsoDate(out_, *value);
    out_.push_back('"');
  }
  void flag(std::string_view name, const std::optional<bool>& value) {
    if (!value) return;
    key(name);
    out_ += *value ? "true" : "false";
  }
  void integer(std::string_view name, int value) {
    if (value == 0) return;
    key(name);
    appendJsonInt(out_, value);
  }
  void count(std::string_view name, const std::optional<int>& value) {
    if (!value) return;
    key(name);
    appendJsonInt(out_, *value);
  }
  void number(std::string_view name, const std::optional<double>& value) {
    if (!value) return;
    key(name);
    appendJsonDouble(out_, *value);
  }
  void texts(std::string_view name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    key(name);
    out_.push_back('[');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out_.push_back(',');
      appendJsonString(out_, values[i]);
    }
    out_.push_back(']');
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
  bool first_ = true;
};

std::string_view sexCode(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "M";
    case Sex::kFemale:
      return "F";
    case Sex::kUnknown:
      return "U";
    case Sex::kIndeterminate:
      return "I";
    case Sex::kNotRecorded:
      break;
  }
  return "";
}

void writeIdentifier(std::string& out, const Identifier& id) {
  ObjectWriter w(out);
  w.text("scheme", id.scheme);
  w.text("value", id.value);
  w.text("source", id.source);
  w.text("verification", id.verification);
}

void writeCodes(ObjectWriter& w, std::string_view name, const std::vector<std::string>& codes) {
  if (codes.empty()) return;
  w.key(name);
  w.out().push_back('[');
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i != 0) w.out().push_back(',');
    appendJsonString(w.out(), codes[i]);
  }
  w.out().push_back(']');
}

class FieldWriter {
 public:
  FieldWriter(ObjectWriter& w, bool personal_dates_as_month)
      : w_(w), months_(personal_dates_as_month) {}

  void operator()(const Person& r) {
    w_.key("identifiers");
    w_.out().push_back('[');
    for (size_t i = 0; i < r.identifiers.size(); ++i) {
      if (i != 0) w_.out().push_back(',');
      writeIdentifier(w_.out(), r.identifiers[i]);
    }
    w_.out().push_back(']');
    personalDate("birth_date", r.birth_date);
    personalDate("expected_birth_date", r.expected_birth_date);
    w_.text("sex", sexCode(r.sex));
    w_.text("ethnicity", r.ethnicity);
    w_.text("postcode", r.postcode);
    personalDate("death_date", r.death_date);
    w_.flag("is_mother", r.is_mother);
    personalDate("first_child_birth_date", r.first_child_birth_date);
    w_.text("upn_unknown_reason", r.upn_unknown_reason);
    w_.text("given_name", r.given_name);
    w_.text("family_name", r.family_name);
    w_.text("former_family_name", r.former_family_name);
    w_.text("uprn", r.uprn);
    w_.text("family_id", r.family_id);
  }
  void operator()(const LinkedIdentifier& r) {
    w_.key("identifier");
    writeIdentifier(w_.out(), r.identifier);
  }
  void operator()(const Contact& r) {
    w_.date("received", r.received);
    w_.text("source", r.source);
    w_.date("decided", r.decided);
  }
  void operator()(const Referral& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("source", r.source);
    w_.flag("no_further_action", r.no_further_action);
    w_.text("primary_need", r.primary_need);
    w_.text("closure_reason", r.closure_reason);
  }
  void operator()(const Assessment& r) {
    w_.date("start", r.start);
    w_.date("authorised", r.authorised);
    writeCodes(w_, "factors", r.factors);
  }
  void operator()(const Section47& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.flag("conference_not_required", r.conference_not_required);
  }
  void operator()(const InitialCpConference& r) {
    w_.date("date", r.date);
    w_.date("target", r.target);
  }
  void operator()(const CpPlan& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("initial_category", r.initial_category);
    w_.text("latest_category", r.latest_category);
  }
  void operator()(const CinPlan& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
  }
  void operator()(const ClaEpisode& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("reason_new_episode", r.reason_new_episode);
    w_.text("legal_status", r.legal_status);
    w_.text("category_of_need", r.category_of_need);
    w_.text("placement_type", r.placement_type);
    w_.text("placement_provider", r.placement_provider);
    w_.text("reason_ceased", r.reason_ceased);
    w_.text("reason_place_change", r.reason_place_change);
    w_.text("home_postcode", r.home_postcode);
    w_.text("placement_postcode", r.placement_postcode);
    w_.text("urn", r.urn);
  }
  void operator()(const MissingEpisode& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("missing_type", r.kind);  // "kind" names the record kind
  }
  void operator()(const CareLeaverStatus& r) {
    w_.text("in_touch", r.in_touch);
    w_.text("activity", r.activity);
    w_.text("accommodation", r.accommodation);
    w_.flag("accommodation_suitable", r.accommodation_suitable);
    w_.date("latest_contact", r.latest_contact);
  }
  void operator()(const EarlyHelpEpisode& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("reason", r.reason);
    w_.text("end_reason", r.end_reason);
  }
  void operator()(const PreProceedings& r) {
    w_.date("start", r.start);
    w_.date("letter_before_proceedings", r.letter_before_proceedings);
    w_.flag("fgdm_offered", r.fgdm_offered);
    w_.flag("fgdm_facilitated", r.fgdm_facilitated);
    w_.date("initial_meeting", r.initial_meeting);
    w_.count("review_meetings", r.review_meetings);
    w_.date("step_decision", r.step_decision);
    w_.text("outcome", r.outcome);
    w_.date("court_application", r.court_application);
    w_.date("care_proceedings_letter", r.care_proceedings_letter);
  }
  void operator()(const HomelessnessCase& r) {
    w_.text("case_ref", r.case_ref);
    w_.text("household", r.household);
    w_.date("application", r.application);
    w_.date("assessment", r.assessment);
    w_.flag("prevention_duty_owed", r.prevention_duty_owed);
    w_.flag("relief_duty_owed", r.relief_duty_owed);
    w_.text("reason", r.reason);
    w_.flag("sleeping_rough", r.sleeping_rough);
    w_.text("previous_case_ref", r.previous_case_ref);
  }
  void operator()(const HomelessnessDuty& r) {
    w_.text("case_ref", r.case_ref);
    w_.text("duty", r.duty);
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("outcome", r.outcome);
  }
  void operator()(const TemporaryAccommodation& r) {
    w_.text("case_ref", r.case_ref);
    w_.text("placement_ref", r.placement_ref);
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("type", r.type);
    w_.flag("with_children", r.with_children);
    w_.flag("out_of_district", r.out_of_district);
  }
  void operator()(const HouseholdMember& r) {
    w_.text("group", r.group);
    w_.text("relationship", r.relationship);
    w_.date("start", r.start);
    w_.date("end", r.end);
  }
  void operator()(const RoughSleepingContact& r) {
    w_.date("date", r.date);
    w_.text("area", r.area);
  }
  void operator()(const AdultCareEvent& r) {
    w_.text("event_type", r.event_type);
    w_.text("reference", r.reference);
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("outcome", r.outcome);
    w_.text("service_type", r.service_type);
    w_.text("service_component", r.service_component);
    w_.text("delivery_mechanism", r.delivery_mechanism);
    w_.text("client_type", r.client_type);
    w_.text("support_reason", r.support_reason);
    w_.date("submitted", r.submitted);
  }
  void operator()(const AdultCareSurveyResponse& r) {
    w_.text("survey_year", r.survey_year);
    w_.count("q7a", r.q7a);
    w_.count("q7b", r.q7b);
    w_.count("stratum", r.stratum);
  }
  void operator()(const HospitalAdmission& r) {
    w_.text("encounter", r.encounter);
    w_.text("encounter_class", r.encounter_class);
    w_.text("admission_method", r.admission_method);
    w_.date("admitted", r.admitted);
    w_.date("discharged", r.discharged);
    if (r.diagnoses.empty()) return;
    w_.key("diagnoses");
    w_.out().push_back('[');
    for (size_t i = 0; i < r.diagnoses.size(); ++i) {
      if (i != 0) w_.out().push_back(',');
      ObjectWriter d(w_.out());
      d.text("condition", r.diagnoses[i].condition);
      d.integer("rank", r.diagnoses[i].rank);
    }
    w_.out().push_back(']');
  }
  void operator()(const Diagnosis& r) {
    w_.text("encounter", r.encounter);
    writeCodes(w_, "icd10", r.icd10);
    writeCodes(w_, "snomed", r.snomed);
    w_.date("recorded", r.recorded);
  }
  void operator()(const Exclusion& r) {
    w_.date("start", r.start);
    w_.text("category", r.category);
    w_.number("sessions", r.sessions);
    w_.texts("reasons", r.reasons);
    w_.flag("on_roll", r.on_roll);
  }
  void operator()(const Attendance& r) {
    w_.date("census", r.census);
    w_.text("reason", r.reason);
    w_.number("sessions", r.sessions);
    w_.flag("on_roll", r.on_roll);
  }
  void operator()(const SenProvision& r) {
    w_.date("census", r.census);
    w_.text("provision", r.provision);
  }
  void operator()(const MissingEducation& r) {
    w_.date("start", r.start);
    w_.date("end", r.end);
    w_.text("reason", r.reason);
  }
  void operator()(const NeetStatus& r) {
    w_.date("month_end", r.month_end);
    w_.text("activity", r.activity);
    w_.date("activity_start", r.activity_start);
    w_.count("academic_age", r.academic_age);
    w_.flag("send", r.send);
    w_.flag("care_leaver", r.care_leaver);
  }
  void operator()(const Ks4Result& r) {
    w_.text("urn", r.urn);
    grade("english", r.english);
    grade("maths", r.maths);
  }
  void operator()(const SubjectLink& r) {
    w_.key("same_as");
    ObjectWriter s(w_.out());
    s.text("system", r.same_as.system);
    s.text("value", r.same_as.value);
  }
  void operator()(const EhcRequest& r) {
    w_.text("request", r.request);
    w_.date("received", r.received);
    w_.date("decided", r.decided);
    w_.text("outcome", r.outcome);
  }
  void operator()(const EhcAssessment& r) {
    w_.text("assessment", r.assessment);
    w_.text("request", r.request);
    w_.date("decided", r.decided);
    w_.text("outcome", r.outcome);
    w_.flag("week20_exception", r.week20_exception);
  }
  void operator()(const EhcNamedPlan& r) {
    w_.text("plan", r.plan);
    w_.text("assessment", r.assessment);
    w_.date("start", r.start);
    w_.date("ceased", r.ceased);
    w_.text("cease_reason", r.cease_reason);
  }
  void operator()(const EhcActivePlan& r) {
    w_.text("active_plan", r.active_plan);
    w_.text("request", r.request);
    w_.date("last_review", r.last_review);
  }
  void operator()(const EhcPlacement& r) {
    w_.text("owner", r.owner);
    w_.flag("active", r.active);
    w_.text("urn", r.urn);
    w_.text("ukprn", r.ukprn);
    w_.text("setting", r.setting);
    w_.count("rank", r.rank);
    w_.date("entry", r.entry);
    w_.date("leaving", r.leaving);
  }
  void operator()(const SenNeed& r) {
    w_.text("active_plan", r.active_plan);
    w_.text("type", r.type);
    w_.count("rank", r.rank);
  }
  void operator()(const EarlyYearsFunding& r) {
    w_.date("census", r.census);
    w_.text("setting", r.setting);
    w_.number("funded_hours", r.funded_hours);
    w_.number("extended_hours", r.extended_hours);
    w_.number("hours_at_setting", r.hours_at_setting);
    w_.text("basis", r.basis);
    w_.flag("pupil_premium", r.pupil_premium);
  }
  void operator()(const TwoYearOldEligibility& r) { w_.integer("list_year", r.list_year); }
  void operator()(const CensusSchool& r) {
    w_.text("census_return", r.census_return);
    w_.date("census", r.census);
    w_.text("urn", r.urn);
    w_.text("laestab", r.laestab);
    w_.text("phase", r.phase);
  }
  void operator()(const Enrolment& r) {
    w_.text("census_return", r.census_return);
    w_.date("census", r.census);
    w_.flag("on_roll", r.on_roll);
    w_.date("entry", r.entry);
    w_.date("leaving", r.leaving);
  }

 private:
  // A grade, or why there is none: {"grade": 5} or {"missing": "NE"}.
  void grade(std::string_view name, const Ks4Grade& g) {
    if (!g.grade && g.missing.empty()) return;
    w_.key(name);
    ObjectWriter o(w_.out());
    o.count("grade", g.grade);
    o.text("missing", g.missing);
  }

  // Dates that identify a person: the month only when publishing.
  void personalDate(std::string_view name, const std::optional<Date>& value) {
    if (!months_) {
      w_.date(name, value);
    } else if (value) {
      std::string month;
      appendIsoDate(month, *value);
      w_.text(name, std::string_view(month).substr(0, 7));
    }
  }

  ObjectWriter& w_;
  bool months_;
};

}  // namespace

std::string toJson(const Record& record, JsonOptions options) {
  std::string out;
  out.reserve(256);
  appendJson(out, record, options);
  return out;
}

void appendJson(std::string& out, const Record& record, JsonOptions options) {
  ObjectWriter w(out);
  w.text("kind", recordKind(record));
  const Subject& subject = subjectOf(record);
  w.key("subject");
  {
    ObjectWriter s(out);
    s.text("system", subject.system);
    s.text("value", options.subject_value.value_or(subject.value.view()));
  }
  if (options.include_provenance) {
    const Provenance& p = provenanceOf(record);
    w.key("provenance");
    ObjectWriter pw(out);
    pw.text("source_system", p.source_system());
    pw.text("connector", p.connector());
    pw.text("stream", p.stream());
    pw.text("source_key", p.source_key);
    if (options.location) pw.text("location", *options.location);
    pw.integer("collection_year", p.collection_year);
  }
  FieldWriter fields(w, options.personal_dates_as_month);
  std::visit(fields, record);
}

}  // namespace hearth::pipelines::canonical
