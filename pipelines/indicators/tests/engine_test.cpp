// Incremental evaluation: what evaluate() reports as records arrive, change and go.

#include "pipelines/indicators/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "pipelines/indicators/cross_service_indicators.hpp"
#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/registry.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

IndicatorEngine newEngine() {
  return IndicatorEngine(configFor(financialYearStarting(2024)), shippedBankHolidays(),
                         testPostcodes());
}

const IndicatorValue* find(const std::vector<IndicatorValue>& values, std::string_view id,
                           std::string_view breakdown = "", std::string_view value = "") {
  const auto it = std::find_if(values.begin(), values.end(), [&](const IndicatorValue& v) {
    return v.indicator_id == id && v.breakdown_name == breakdown && v.breakdown_value == value;
  });
  return it == values.end() ? nullptr : &*it;
}

// A person's list of one kind keeps its records in arrival order through growth, removal, copy
// and move.
TEST(EvidenceList, KeepsOrderThroughGrowthRemovalCopyAndMove) {
  const std::vector<std::string> ids = {"a#1", "b#2", "c#3", "d#4", "e#5"};
  const std::vector<canonical::Exclusion> records(ids.size());
  EvidenceList<canonical::Exclusion> list;
  EXPECT_TRUE(list.empty());
  for (size_t i = 0; i < ids.size(); ++i) list.push_back({ids[i], &records[i]});
  ASSERT_EQ(list.size(), 5u);
  const auto next = list.erase(list.begin() + 2);
  EXPECT_EQ(next->evidence_id, "d#4");
  EXPECT_EQ(next->record, &records[3]);
  std::vector<std::string_view> order;
  for (const auto& item : list) order.push_back(item.evidence_id);
  EXPECT_EQ(order, (std::vector<std::string_view>{"a#1", "b#2", "d#4", "e#5"}));
  EvidenceList<canonical::Exclusion> copy = list;
  EXPECT_EQ(copy.size(), 4u);
  EXPECT_EQ(copy.back().record, &records[4]);
  EvidenceList<canonical::Exclusion> moved = std::move(list);
  EXPECT_TRUE(list.empty());  // NOLINT(bugprone-use-after-move): a moved-from list is empty
  EXPECT_EQ(moved.front().evidence_id, "a#1");
  EXPECT_EQ(moved.front().record, &records[0]);
  EXPECT_EQ(sizeof(list), sizeof(void*));
  EXPECT_EQ(sizeof(Evidenced<canonical::Exclusion>), 3 * sizeof(void*));
}

// A record given with an owner is kept alive by the person's records until it is removed; one
// given without is the caller's to keep.
TEST(PersonRecords, KeepsARecordsOwnerUntilItIsRemoved) {
  struct Block {
    canonical::Exclusion record;
    std::string evidence_id;
  };
  const auto owned = std::make_shared<const Block>(Block{{}, "owned#1"});
  const canonical::Exclusion unowned;
  PersonRecords person;
  ASSERT_TRUE(person.add(owned->evidence_id, owned->record, owned));
  ASSERT_TRUE(person.add("unowned#2", unowned, nullptr));
  EXPECT_EQ(owned.use_count(), 2);
  EXPECT_EQ(person.exclusions.size(), 2u);
  EXPECT_EQ(person.exclusions[1].record, &unowned);

  PersonRecords copy = person;  // a copy keeps the owner too
  EXPECT_EQ(owned.use_count(), 3);
  EXPECT_TRUE(copy.remove("owned#1"));
  EXPECT_EQ(owned.use_count(), 2);
  EXPECT_TRUE(person.remove("unowned#2"));
  EXPECT_EQ(owned.use_count(), 2);  // not its record
  EXPECT_TRUE(person.remove("owned#1"));
  EXPECT_EQ(owned.use_count(), 1);
  EXPECT_TRUE(person.empty());
  EXPECT_FALSE(person.remove("owned#1"));
}

// The facts of one indicator: a record can place a person in several.
std::vector<IndicatorFact> factsOf(const Evaluation& evaluation, std::string_view id) {
  std::vector<IndicatorFact> out;
  for (const IndicatorFact& fact : evaluation.facts) {
    if (fact.indicator_id == id) out.push_back(fact);
  }
  return out;
}

TEST(IndicatorEngine, FirstEvaluationPublishesEveryHeadline) {
  IndicatorEngine engine = newEngine();
  const Evaluation first = engine.evaluate();
  EXPECT_EQ(first.values.size(), indicatorRegistry().size());
  EXPECT_TRUE(first.facts.empty());
  EXPECT_TRUE(engine.evaluate().values.empty());
}

TEST(IndicatorEngine, ReportsOnlyWhatChangedSinceTheLastCall) {
  IndicatorEngine engine = newEngine();
  engine.evaluate();
  engine.add(7, "p7", person(day(2020, 1, 1), canonical::Sex::kMale));
  engine.add(7, "plan7", cpPlan(day(2024, 6, 1), std::nullopt));
  const Evaluation after = engine.evaluate();
  const IndicatorValue* cp = find(after.values, "cp_plan_count");
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(cp->numerator, 1);
  EXPECT_NE(find(after.values, "cp_plan_count", "sex", "male"), nullptr);
  EXPECT_NE(find(after.values, "cp_plan_count", "age_band", "5-9"), nullptr);
  EXPECT_NE(find(after.values, "cp_plan_count", "local_area", "E05900001"), nullptr);
  EXPECT_EQ(find(after.values, "cla_count"), nullptr);
  const std::vector<IndicatorFact> facts = factsOf(after, "cp_plan_count");
  ASSERT_EQ(facts.size(), 1u);
  const IndicatorFact& fact = facts.front();
  EXPECT_EQ(fact.person, 7u);
  EXPECT_EQ(fact.indicator_id, "cp_plan_count");
  EXPECT_EQ(fact.change, FactChange::kEntered);
  EXPECT_EQ(fact.set, FactSet::kNumerator);
  EXPECT_EQ(fact.date, day(2024, 6, 1));
  EXPECT_EQ(fact.evidence_ids, std::vector<std::string>{"plan7"});
  EXPECT_EQ(after.persons_recomputed, 1u);
}

TEST(IndicatorEngine, RemovingTheEvidenceTakesThePersonOutAgain) {
  IndicatorEngine engine = newEngine();
  engine.add(7, "plan7", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.evaluate();
  EXPECT_TRUE(engine.remove("plan7"));
  const Evaluation after = engine.evaluate();
  ASSERT_NE(find(after.values, "cp_plan_count"), nullptr);
  EXPECT_EQ(find(after.values, "cp_plan_count")->numerator, 0);
  ASSERT_EQ(factsOf(after, "cp_plan_count").size(), 1u);
  EXPECT_EQ(factsOf(after, "cp_plan_count").front().change, FactChange::kLeft);
  EXPECT_EQ(engine.personCount(), 0u);
}

TEST(IndicatorEngine, CohortAndNumeratorAreSeparateFacts) {
  IndicatorEngine engine = newEngine();
  engine.add(3, "a", assessment(day(2024, 4, 26), day(2024, 7, 3)));  // 46 working days
  Evaluation e = engine.evaluate();
  ASSERT_EQ(e.facts.size(), 1u);
  EXPECT_EQ(e.facts.front().set, FactSet::kCohort);
  engine.add(3, "a", assessment(day(2024, 4, 26), day(2024, 7, 2)));  // corrected: 45
  e = engine.evaluate();
  ASSERT_EQ(e.facts.size(), 1u);
  EXPECT_EQ(e.facts.front().set, FactSet::kNumerator);
  EXPECT_EQ(e.facts.front().change, FactChange::kEntered);
  EXPECT_EQ(engine.recordCount(), 1u);  // the same evidence id replaced its first version
}

TEST(IndicatorEngine, RecordMovedToAnotherPersonFollowsIt) {
  IndicatorEngine engine = newEngine();
  engine.add(1, "plan", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.evaluate();
  engine.add(2, "plan", cpPlan(day(2024, 6, 1), std::nullopt));  // identity relinked it
  const Evaluation e = engine.evaluate();
  EXPECT_EQ(find(engine.values(true), "cp_plan_count")->numerator, 1);
  const std::vector<IndicatorFact> facts = factsOf(e, "cp_plan_count");
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].person, 1u);
  EXPECT_EQ(facts[0].change, FactChange::kLeft);
  EXPECT_EQ(facts[1].person, 2u);
  EXPECT_EQ(facts[1].change, FactChange::kEntered);
}

TEST(IndicatorEngine, PersonAttributesFollowTheMajorityThenTheSmallestEvidenceId) {
  IndicatorEngine engine = newEngine();
  engine.add(1, "b-cin", person(day(2015, 1, 1), canonical::Sex::kMale));
  engine.add(1, "a-903", person(day(2015, 1, 1), canonical::Sex::kFemale));
  engine.add(1, "plan", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.evaluate();
  EXPECT_NE(find(engine.values(), "cp_plan_count", "sex", "female"), nullptr);
  engine.add(1, "c-ssd", person(day(2015, 1, 1), canonical::Sex::kMale));
  const Evaluation e = engine.evaluate();
  EXPECT_EQ(find(e.values, "cp_plan_count", "sex", "female")->numerator, 0);
  EXPECT_EQ(find(e.values, "cp_plan_count", "sex", "male")->numerator, 1);
  EXPECT_TRUE(e.facts.empty());  // the person stayed in; only the breakdown moved
}

TEST(IndicatorEngine, EarlyHelpCountsFamiliesOnce) {
  IndicatorEngine engine = newEngine();
  for (PersonKey k = 1; k <= 3; ++k) {
    canonical::Person p = person(day(2015, 1, 1));
    p.family_id = k == 3 ? "F2" : "F1";
    engine.add(k, "p" + std::to_string(k), p);
    engine.add(k, "h" + std::to_string(k), earlyHelp(day(2024, 6, 1), std::nullopt));
  }
  engine.evaluate();
  EXPECT_EQ(find(engine.values(), "early_help_open")->numerator, 3);
  EXPECT_EQ(find(engine.values(), "early_help_open", "count_of", "families")->numerator, 2);
  engine.remove("h3");
  engine.evaluate();
  EXPECT_EQ(find(engine.values(), "early_help_open", "count_of", "families")->numerator, 1);
}

TEST(IndicatorEngine, KindsNoIndicatorReadsAreNotKept) {
  IndicatorEngine engine = newEngine();
  canonical::MissingEpisode missing;
  missing.start = day(2024, 6, 1);
  EXPECT_FALSE(engine.add(1, "m", missing));
  EXPECT_EQ(engine.recordCount(), 0u);
  EXPECT_EQ(engine.personCount(), 0u);
}

// A run of records filed together (addAll, which looks the next ones up while it files one) leaves
// the engine as filing them one at a time does: a person keyed 0, several records a person, an
// evidence id given again for another person within the run, and a kind no indicator reads.
TEST(IndicatorEngine, FilesARunOfRecordsAsOneAtATime) {
  struct Given {
    PersonKey person;
    std::string evidence_id;
    canonical::Record record;
  };
  std::vector<Given> given;
  for (PersonKey p = 0; p < 40; ++p) {
    const std::string id = std::to_string(p);
    given.push_back({p, "p" + id, person(day(2010 + static_cast<int>(p % 8), 1, 1))});
    given.push_back({p, "plan" + id, cpPlan(day(2024, 6, 1 + p % 20), std::nullopt)});
    if (p % 3 == 0) {
      given.push_back({p, "a" + id, assessment(day(2024, 4, 26), day(2024, 7, 3 - p % 2))});
    }
    canonical::MissingEpisode missing;
    missing.start = day(2024, 6, 1);
    if (p % 5 == 0) given.push_back({p, "m" + id, missing});
  }
  // Identity moved two plans within the run: the later copy stands.
  given.push_back({39, "plan3", cpPlan(day(2024, 6, 4), std::nullopt)});
  given.push_back({0, "plan38", cpPlan(day(2024, 6, 19), day(2024, 9, 1))});

  for (const size_t run : {size_t{1}, size_t{2}, size_t{5}, given.size()}) {
    IndicatorEngine one_at_a_time = newEngine();
    for (const Given& g : given) one_at_a_time.add(g.person, g.evidence_id, g.record, nullptr);
    IndicatorEngine in_runs = newEngine();
    std::vector<IndicatorEngine::Filing> filings;
    for (size_t n = 0; n < given.size(); ++n) {
      filings.push_back({given[n].person, given[n].evidence_id, given[n].record});
      if (filings.size() == run || n + 1 == given.size()) {
        in_runs.addAll(filings);
        filings.clear();
      }
    }
    EXPECT_EQ(in_runs.recordCount(), one_at_a_time.recordCount()) << "runs of " << run;
    EXPECT_EQ(in_runs.personCount(), one_at_a_time.personCount()) << "runs of " << run;
    const Evaluation expected = one_at_a_time.evaluate();
    const Evaluation got = in_runs.evaluate();
    EXPECT_EQ(got.values, expected.values) << "runs of " << run;
    EXPECT_EQ(got.facts, expected.facts) << "runs of " << run;
    EXPECT_EQ(got.persons_recomputed, expected.persons_recomputed) << "runs of " << run;
  }
  // What was checked is not empty: persons 3 and 38 lost their plans to 39 (one child with two
  // open plans) and to 0 (a plan ended before the period's end).
  IndicatorEngine engine = newEngine();
  std::vector<IndicatorEngine::Filing> all;
  for (const Given& g : given) all.push_back({g.person, g.evidence_id, g.record});
  engine.addAll(all);
  EXPECT_EQ(engine.personCount(), 40u);
  EXPECT_EQ(engine.recordCount(), 40u + 40u + 14u);
  EXPECT_EQ(find(engine.evaluate().values, "cp_plan_count")->numerator, 38);
}

TEST(IndicatorEngine, EvaluatesEveryConfiguredPeriod) {
  EngineConfig config = configFor(financialYearStarting(2024));
  config.periods.push_back(snapshot(day(2024, 9, 30)));
  IndicatorEngine engine(config, shippedBankHolidays(), testPostcodes());
  engine.add(1, "plan", cpPlan(day(2024, 6, 1), day(2024, 12, 1)));
  engine.evaluate();
  for (const IndicatorValue& v : engine.values(true)) {
    if (v.indicator_id != "cp_plan_count") continue;
    EXPECT_EQ(v.numerator, v.period.kind == PeriodKind::kSnapshot ? 1 : 0) << v.period.label;
  }
}

cn::HouseholdMember member(std::string local_id, std::string group, std::string relationship) {
  cn::HouseholdMember m;
  m.subject = {"housing", std::move(local_id)};
  m.group = std::move(group);
  m.relationship = std::move(relationship);
  return m;
}

cn::TemporaryAccommodation placement(std::string case_ref, Date start) {
  cn::TemporaryAccommodation t;
  t.subject = {"housing", "HC1/1"};
  t.case_ref = std::move(case_ref);
  t.placement_ref = "TA1";
  t.start = start;
  return t;
}

// The child on a plan is a member of the case; the placement is filed under the applicant.
TEST(IndicatorEngine, AChildCountsInTheTemporaryAccommodationOfTheirHouseholdsCase) {
  IndicatorEngine engine = newEngine();
  engine.add(1, "applicant-member", member("HC1/1", "HC1", "Main applicant"));
  engine.add(2, "child-member", member("HC1/2", "HC1", "Child"));
  engine.add(2, "plan", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.add(3, "other-member", member("HC2/1", "HC2", "Main applicant"));
  engine.evaluate();
  engine.add(1, "ta", placement("HC1", day(2025, 1, 10)));
  engine.add(3, "ta-other-case", placement("HC2", day(2025, 1, 10)));
  const Evaluation placed = engine.evaluate();
  const IndicatorValue* value = find(placed.values, "cp_children_in_temporary_accommodation");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->numerator, 1);
  EXPECT_EQ(value->denominator, 1);
  const auto fact = std::find_if(placed.facts.begin(), placed.facts.end(), [](const auto& f) {
    return f.indicator_id == "cp_children_in_temporary_accommodation";
  });
  ASSERT_NE(fact, placed.facts.end());
  EXPECT_EQ(fact->person, 2u);
  EXPECT_EQ(fact->evidence_ids, std::vector<std::string>{"ta"});

  // The placement withdrawn, or the child no longer a member: out again.
  engine.remove("ta");
  EXPECT_EQ(find(engine.evaluate().values, "cp_children_in_temporary_accommodation")->numerator, 0);
  engine.add(1, "ta", placement("HC1", day(2025, 1, 10)));
  EXPECT_EQ(find(engine.evaluate().values, "cp_children_in_temporary_accommodation")->numerator, 1);
  engine.remove("child-member");
  EXPECT_EQ(find(engine.evaluate().values, "cp_children_in_temporary_accommodation")->numerator, 0);
}

// An evaluation works out people's outcomes on several threads (in batches, a share each), and
// households make one person's view read another's records: whatever the threads, the same values
// and facts, in the same order. Three thousand people fill several batches.
// 3,000 people with plans, assessments and households of four, some in temporary accommodation.
void fillWithHouseholds(IndicatorEngine& engine) {
  for (PersonKey p = 0; p < 3000; ++p) {
    const std::string id = std::to_string(p);
    engine.add(p, "p" + id, person(day(2008 + static_cast<int>(p % 12), 1 + p % 12, 1)));
    if (p % 2 == 0) engine.add(p, "plan" + id, cpPlan(day(2024, 6, 1 + p % 20), std::nullopt));
    if (p % 3 == 0) {
      engine.add(p, "a" + id, assessment(day(2024, 4, 26), day(2024, 7, 3 - p % 2)));
    }
    // Households of four: the first is the main applicant, placed in temporary accommodation.
    const std::string group = "HC" + std::to_string(p / 4);
    const bool applicant = p % 4 == 0;
    engine.add(p, "m" + id,
               member(group + "/" + id, group, applicant ? "Main applicant" : "Child"));
    if (applicant && p % 8 == 0) engine.add(p, "ta" + id, placement(group, day(2025, 1, 10)));
  }
}

// Plans and placements withdrawn, and late plans, across fillWithHouseholds()'s people.
void changeSome(IndicatorEngine& engine) {
  for (PersonKey p = 0; p < 3000; p += 7) engine.remove("plan" + std::to_string(p));
  for (PersonKey p = 0; p < 3000; p += 16) engine.remove("ta" + std::to_string(p));
  for (PersonKey p = 1; p < 3000; p += 10) {
    engine.add(p, "late" + std::to_string(p), cpPlan(day(2024, 9, 1), day(2025, 2, 1)));
  }
}

TEST(IndicatorEngine, EvaluatesTheSameOnAnyNumberOfThreads) {
  auto engineWith = [](unsigned threads) {
    EngineConfig config = configFor(financialYearStarting(2024));
    config.evaluate_threads = threads;
    return IndicatorEngine(config, shippedBankHolidays(), testPostcodes());
  };
  IndicatorEngine alone = engineWith(1);
  fillWithHouseholds(alone);
  const Evaluation first = alone.evaluate();
  changeSome(alone);
  const Evaluation second = alone.evaluate();
  // What is compared is not empty.
  EXPECT_EQ(first.persons_recomputed, 3000u);
  EXPECT_EQ(find(first.values, "cp_plan_count")->numerator, 1500);
  EXPECT_GT(find(first.values, "cp_children_in_temporary_accommodation")->numerator, 0);
  EXPECT_GT(second.facts.size(), 100u);
  for (const unsigned threads : {2u, 3u}) {
    IndicatorEngine shared = engineWith(threads);
    fillWithHouseholds(shared);
    const Evaluation got_first = shared.evaluate();
    EXPECT_EQ(got_first.values, first.values) << threads << " threads";
    EXPECT_EQ(got_first.facts, first.facts) << threads << " threads";
    changeSome(shared);
    const Evaluation got_second = shared.evaluate();
    EXPECT_EQ(got_second.values, second.values) << threads << " threads";
    EXPECT_EQ(got_second.facts, second.facts) << threads << " threads";
    EXPECT_EQ(got_second.persons_recomputed, second.persons_recomputed) << threads << " threads";
    EXPECT_EQ(shared.values(), alone.values()) << threads << " threads";
  }
}

// An engine told its next evaluation is its last keeps no outcomes for a later one, and reports
// what an engine that goes on would, first evaluation or not; then it files nothing more.
TEST(IndicatorEngine, ALastEvaluationReportsWhatAnyOtherWouldThenFilesNothing) {
  IndicatorEngine going_on = newEngine();
  fillWithHouseholds(going_on);
  const Evaluation first = going_on.evaluate();
  changeSome(going_on);
  const Evaluation second = going_on.evaluate();
  ASSERT_GT(first.facts.size(), 1000u);
  ASSERT_GT(second.facts.size(), 100u);

  IndicatorEngine first_is_last = newEngine();
  fillWithHouseholds(first_is_last);
  first_is_last.finishWithNextEvaluation();
  const Evaluation only = first_is_last.evaluate();
  EXPECT_EQ(only.values, first.values);
  EXPECT_EQ(only.facts, first.facts);
  EXPECT_EQ(only.persons_recomputed, first.persons_recomputed);

  IndicatorEngine second_is_last = newEngine();
  fillWithHouseholds(second_is_last);
  second_is_last.evaluate();
  changeSome(second_is_last);
  const size_t records = second_is_last.recordCount();
  second_is_last.finishWithNextEvaluation();
  EXPECT_EQ(second_is_last.recordCount(), records);
  const Evaluation last = second_is_last.evaluate();
  EXPECT_EQ(last.values, second.values);
  EXPECT_EQ(last.facts, second.facts);
  EXPECT_EQ(second_is_last.values(), going_on.values());

  EXPECT_THROW(second_is_last.add(1, "late-again", cpPlan(day(2024, 9, 1), std::nullopt)),
               std::logic_error);
  EXPECT_THROW(second_is_last.remove("p1"), std::logic_error);
  const Evaluation after = second_is_last.evaluate();
  EXPECT_TRUE(after.values.empty());
  EXPECT_TRUE(after.facts.empty());
  EXPECT_EQ(second_is_last.values(), going_on.values());
}

TEST(IndicatorEngine, ACareLeaverMemberOfACaseOwedADutyIsCounted) {
  IndicatorEngine engine = newEngine();
  engine.add(5, "p5", person(day(2004, 9, 1)));  // 20 in the year
  engine.add(5, "status", careLeaver(day(2024, 9, 20), "YES", true));
  engine.add(5, "membership", member("HC7/2", "HC7", "Partner"));
  cn::HomelessnessDuty duty;
  duty.subject = {"housing", "HC7/1"};
  duty.case_ref = "HC7";
  duty.duty = "prevention";
  duty.start = day(2024, 11, 2);
  engine.add(6, "duty", duty);
  engine.add(6, "applicant", member("HC7/1", "HC7", "Main applicant"));
  const Evaluation e = engine.evaluate();
  const IndicatorValue* value = find(e.values, "care_leavers_19_21_owed_homelessness_duty");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->numerator, 1);
  EXPECT_EQ(value->denominator, 1);
}

// Ids of the form "<event key>#<which>" name one of several records behind one event: a fact
// cites the event, once, however many of its records placed the person; an id without '#' whole.
TEST(IndicatorEngine, AFactCitesEachEventOfItsEvidenceOnce) {
  IndicatorEngine engine = newEngine();
  engine.evaluate();
  engine.add(7, "person#0", person(day(2020, 1, 1), canonical::Sex::kMale));
  // One plan as three records: two behind one event, one behind another source's.
  engine.add(7, "ssd-plans#1", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.add(7, "ssd-plans#2", cpPlan(day(2024, 6, 1), std::nullopt));
  engine.add(7, "cin-plan", cpPlan(day(2024, 6, 1), std::nullopt));
  const std::vector<IndicatorFact> facts = factsOf(engine.evaluate(), "cp_plan_count");
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_THAT(facts[0].evidence_ids, ::testing::UnorderedElementsAre("ssd-plans", "cin-plan"));
  EXPECT_EQ(find(engine.values(true), "cp_plan_count")->numerator, 1);
  // Leaving cites them the same way.
  engine.remove("ssd-plans#1");
  engine.remove("ssd-plans#2");
  engine.remove("cin-plan");
  const std::vector<IndicatorFact> left = factsOf(engine.evaluate(), "cp_plan_count");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].change, FactChange::kLeft);
  EXPECT_THAT(left[0].evidence_ids, ::testing::UnorderedElementsAre("ssd-plans", "cin-plan"));
}

// A child with a referral (social care) and SEN support on a census (SEND) has needs in two
// domains; the mother's adult social care service, read through her group, makes three. Her
// records arriving, leaving or the link going all move the child.
TEST(IndicatorEngine, AMothersAdultSocialCareIsAThirdNeedOfHerChild) {
  IndicatorEngine engine = newEngine();
  engine.add(1, "child", person(day(2015, 5, 1)));
  engine.add(1, "referral", referral(day(2024, 7, 1)));
  cn::SenProvision sen;
  sen.subject = {"school_census", "pupil-1"};
  sen.census = day(2024, 10, 3);
  sen.provision = "K";
  engine.add(1, "sen", sen);
  engine.add(2, "mother", person(day(1985, 2, 1)));
  cn::HouseholdMember child_of = member("pat-1", "mother/RelatedPerson/rel-1", "Child");
  child_of.subject.system = "nhft";
  cn::HouseholdMember mother_of =
      member("RelatedPerson/rel-1", "mother/RelatedPerson/rel-1", "Mother");
  mother_of.subject.system = "nhft";
  engine.add(1, "child-of", child_of);
  engine.add(2, "mother-of", mother_of);
  const auto needs = [&] {
    engine.evaluate();
    return find(engine.values(true), "family_multiple_needs")->numerator;
  };
  EXPECT_EQ(needs(), 0);
  EXPECT_EQ(find(engine.values(true), "family_multiple_needs")->denominator, 1);  // the child
  cn::AdultCareEvent service;
  service.subject = {"cld", "M1"};
  service.event_type = "Service";
  service.start = day(2023, 5, 1);
  engine.add(2, "service", service);
  const auto facts = factsOf(engine.evaluate(), "family_multiple_needs");
  EXPECT_EQ(find(engine.values(true), "family_multiple_needs")->numerator, 1);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].person, 1u);
  EXPECT_EQ(facts[0].evidence_ids, (std::vector<std::string>{"referral", "sen", "service"}));
  engine.remove("service");
  EXPECT_EQ(needs(), 0);
  engine.add(2, "service", service);
  EXPECT_EQ(needs(), 1);
  // Another relationship in the same group is no mother's.
  engine.remove("mother-of");
  mother_of.relationship = "Partner";
  engine.add(2, "mother-of", mother_of);
  EXPECT_EQ(needs(), 0);
}

TEST(CrossService, TheSpringCensusIsTheThirdThursdayOfJanuary) {
  EXPECT_EQ(cross::springCensusDay(financialYearStarting(2024)), day(2025, 1, 16));
  EXPECT_EQ(cross::springCensusDay(financialYearStarting(2025)), day(2026, 1, 15));
}

}  // namespace
}  // namespace hearth::pipelines::indicators
