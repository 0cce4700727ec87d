#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/derive/steps.hpp"
#include "daemon/derive/tests/synthetic_persons.hpp"
#include "pipelines/identity/tests/synthetic_population.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
namespace id = pipelines::identity;

// A subject per generated record; every seventh also holds a second Person record that
// disagrees with the first on its postcode, so its summary has a tie to break.
struct Subjects {
  std::deque<canonical::Person> persons;  // stable addresses for SubjectInfo::persons
  std::deque<std::string> keys;           // ... and for SubjectInfo::key
  std::vector<SubjectInfo> subjects;
};

Subjects makeSubjects(const std::vector<id::PersonRecord>& records) {
  Subjects out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const id::PersonRecord& r = records[i];
    canonical::Person person = testing::personOf(r);
    SubjectInfo subject;
    subject.key = out.keys.emplace_back(r.source_system + "/" + r.local_id);
    subject.persons.push_back(&out.persons.emplace_back(std::move(person)));
    if (i % 7 == 0) {
      canonical::Person moved = out.persons.back();
      moved.postcode = "ZZ9 9ZZ";
      subject.persons.push_back(&out.persons.emplace_back(std::move(moved)));
    }
    out.subjects.push_back(std::move(subject));
  }
  return out;
}

struct Resolution {
  std::map<std::string, std::string> person_of;  // subject key -> smallest key of its person
  std::set<std::pair<std::string, std::string>> links;
  std::set<std::pair<std::string, std::string>> reviews;
};

Resolution summarise(const std::vector<SubjectInfo>& subjects, const IdentityOutcome& outcome) {
  Resolution resolution;
  std::map<uint32_t, std::string> smallest;
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    std::string& key = smallest[outcome.person_of_subject[s]];
    if (key.empty() || subjects[s].key < key) key = std::string(subjects[s].key);
  }
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    resolution.person_of[std::string(subjects[s].key)] = smallest[outcome.person_of_subject[s]];
  }
  for (const PairOutcome& pair : outcome.pairs) {
    const auto [a, b] = std::minmax(subjects[pair.a].key, subjects[pair.b].key);
    (pair.linked ? resolution.links : resolution.reviews).emplace(a, b);
  }
  return resolution;
}

Resolution resolveAll(const std::vector<SubjectInfo>& subjects) {
  IdentityResolver resolver(config::IdentityConfig{});
  return summarise(subjects, resolver.resolve(subjects, {}));
}

std::string reasonsOf(const IdentityResolver& resolver, const IdentityOutcome& outcome) {
  std::string reasons;
  for (const PairOutcome& pair : outcome.pairs) {
    resolver.appendReasonsJson(reasons, pair);
    reasons.push_back('\n');
  }
  return reasons;
}

// The derive hands identity its subjects in the order of the source records it holds; any
// change to how it holds them must not move a person, a link or a review pair.
TEST(IdentityStep, SubjectsInAnotherOrderResolveToTheSamePersonsLinksAndReviews) {
  id::testing::PopulationOptions options;
  options.people = 3000;
  options.duplicates = 700;
  const Subjects given = makeSubjects(id::testing::generatePopulation(options).records);

  std::vector<SubjectInfo> reversed(given.subjects.rbegin(), given.subjects.rend());
  for (SubjectInfo& subject : reversed) {
    std::reverse(subject.persons.begin(), subject.persons.end());
  }

  const Resolution first = resolveAll(given.subjects);
  const Resolution second = resolveAll(reversed);
  ASSERT_EQ(first.person_of.size(), given.subjects.size());
  EXPECT_EQ(first.person_of, second.person_of);
  EXPECT_EQ(first.links, second.links);
  EXPECT_EQ(first.reviews, second.reviews);
  // Duplicates were found (the population has 700), so there was something to keep the same.
  std::set<std::string> persons;
  for (const auto& [subject, person] : first.person_of) persons.insert(person);
  EXPECT_LT(persons.size(), given.subjects.size() - 500);
  EXPECT_GT(first.links.size(), 500u);
}

// A link goes out as a decision only when it joined the two records' persons: a pair the model
// scored above the threshold but clustering kept apart (two valid NHS numbers, a reviewer's
// "not the same") is no decision that took effect, and a link naming one person's record and
// another's would contradict the person views.
TEST(IdentityStep, EveryLinkItReportsJoinsItsTwoSubjectsInOnePerson) {
  id::testing::PopulationOptions options;
  options.people = 3000;
  options.duplicates = 700;
  std::vector<id::PersonRecord> records = id::testing::generatePopulation(options).records;
  // Two people alike in all but their NHS numbers, and a record without one that matches both:
  // the model links it to each, and clustering keeps the two numbers apart, so one of the two
  // links joins nothing.
  id::PersonRecord first = records.front();
  first.source_system = "health";
  first.local_id = "alike-1";
  first.nhs_number = "9434765919";
  id::PersonRecord second = first;
  second.local_id = "alike-2";
  second.nhs_number = "9434765927";
  id::PersonRecord between = first;
  between.source_system = "housing";
  between.local_id = "alike-3";
  between.nhs_number.clear();
  records.push_back(first);
  records.push_back(second);
  records.push_back(between);
  const Subjects given = makeSubjects(records);
  IdentityResolver resolver(config::IdentityConfig{});
  const IdentityOutcome outcome = resolver.resolve(given.subjects, {});
  std::size_t links = 0;
  for (const PairOutcome& pair : outcome.pairs) {
    if (!pair.linked) continue;
    ++links;
    EXPECT_EQ(outcome.person_of_subject[pair.a], outcome.person_of_subject[pair.b])
        << given.subjects[pair.a].key << " and " << given.subjects[pair.b].key;
  }
  EXPECT_GT(links, 500u);
}

// The last evaluation of a one-shot run lets go of what only a later resolve builds on: the
// pairs it made are explained as before, and a resolve after all builds anew, to the same end.
TEST(IdentityStep, AfterItsIncrementalStateGoesPairsAreExplainedAndAResolveBuildsAnew) {
  id::testing::PopulationOptions options;
  options.people = 2000;
  options.duplicates = 500;
  const Subjects given = makeSubjects(id::testing::generatePopulation(options).records);

  IdentityResolver resolver(config::IdentityConfig{});
  const IdentityOutcome outcome = resolver.resolve(given.subjects, {});
  const std::string reasons = reasonsOf(resolver, outcome);
  ASSERT_GT(outcome.pairs.size(), 300u);
  ASSERT_NE(reasons.find("\"tier\""), std::string::npos);

  resolver.releaseIncrementalState();
  EXPECT_EQ(reasonsOf(resolver, outcome), reasons);

  const IdentityOutcome again = resolver.resolve(given.subjects, {});
  EXPECT_TRUE(again.rebuilt);
  const Resolution first = summarise(given.subjects, outcome);
  const Resolution second = summarise(given.subjects, again);
  EXPECT_EQ(second.person_of, first.person_of);
  EXPECT_EQ(second.links, first.links);
  EXPECT_EQ(second.reviews, first.reviews);
  // And it is incremental again: the same subjects once more give nothing new.
  const IdentityOutcome third = resolver.resolve(given.subjects, {});
  EXPECT_FALSE(third.rebuilt);
  EXPECT_EQ(summarise(given.subjects, third).person_of, first.person_of);
}

// A subject said to be the same as two others follows the one with the smaller key, in
// whichever order the links were held.
TEST(IdentityStep, ASubjectLinkedTwiceFollowsTheSmallerKeyInEitherOrder) {
  std::vector<SubjectInfo> subjects(3);
  subjects[0].key = "sen2/placement-1";
  subjects[1].key = "sen2/request-b";
  subjects[2].key = "sen2/request-a";
  for (const bool reversed : {false, true}) {
    IdentityOutcome outcome;
    outcome.person_of_subject = {0, 1, 2};
    outcome.persons = 3;
    std::vector<std::pair<uint32_t, uint32_t>> links = {{0, 1}, {0, 2}};
    if (reversed) std::reverse(links.begin(), links.end());
    followSubjectLinks(links, subjects, outcome);
    EXPECT_EQ(outcome.person_of_subject[0], outcome.person_of_subject[2]) << reversed;
    EXPECT_NE(outcome.person_of_subject[0], outcome.person_of_subject[1]) << reversed;
    EXPECT_EQ(outcome.persons, 2u) << reversed;
  }
}

}  // namespace
}  // namespace hearth::daemon::derive
