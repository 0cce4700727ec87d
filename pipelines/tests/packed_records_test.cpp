#include "pipelines/canonical/packed_records.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hearth::pipelines::canonical {
namespace {

// Names past CompactString's room in place, so that packing moves heap text and dropping the
// pack frees it.
const std::string kLongName = "a family name longer than a compact string holds in place";

Person pupil() {
  Person p;
  p.provenance = Provenance{Origin("school_census", "census", "pupil_on_roll"), "P1", 2024};
  p.subject = Subject{"school_census", "UPN-A"};
  p.identifiers.push_back(Identifier{"upn", "A123456789012", "school_census"});
  p.family_name = kLongName;
  p.birth_date = Date{std::chrono::year{2015}, std::chrono::month{3}, std::chrono::day{9}};
  return p;
}

Attendance attendance(std::string reason, double sessions) {
  Attendance a;
  a.subject = Subject{"school_census", "UPN-A"};
  a.reason = std::move(reason);
  a.sessions = sessions;
  return a;
}

TEST(PackedRecords, HoldsRecordsOfMixedKindsInOrderAndAsTheyWere) {
  std::vector<Record> records = {pupil(), attendance("#", 180), attendance("I", 4.5),
                                 HouseholdMember{{}, {"hclic", "C7"}, "HH1042", kLongName, {}, {}}};
  const PackedRecords packed(records);
  ASSERT_EQ(packed.size(), 4u);
  EXPECT_TRUE(packed[0].holds<Person>());
  EXPECT_EQ(packed[0].index(), Record(pupil()).index());
  const Person* person = packed[0].get_if<Person>();
  ASSERT_NE(person, nullptr);
  EXPECT_EQ(person->family_name.view(), kLongName);
  ASSERT_EQ(person->identifiers.size(), 1u);
  EXPECT_EQ(person->identifiers[0].value.view(), "A123456789012");
  EXPECT_EQ(person->provenance.stream(), "pupil_on_roll");
  EXPECT_EQ(packed[0].get_if<Attendance>(), nullptr);

  ASSERT_NE(packed[2].get_if<Attendance>(), nullptr);
  EXPECT_EQ(packed[2].get_if<Attendance>()->reason, "I");
  EXPECT_DOUBLE_EQ(*packed[2].get_if<Attendance>()->sessions, 4.5);
  EXPECT_EQ(packed[3].get_if<HouseholdMember>()->relationship, kLongName);
  EXPECT_EQ(subjectOf(packed[3]).value.view(), "C7");
  EXPECT_EQ(recordKind(packed[3]), "household_member");

  std::vector<std::string_view> kinds;
  for (const RecordRef record : packed) kinds.push_back(recordKind(record));
  EXPECT_EQ(kinds, (std::vector<std::string_view>{"person", "attendance", "attendance",
                                                  "household_member"}));
  // A copy is a Record of its own, equal field by field.
  const Record copy = packed[1].copy();
  ASSERT_TRUE(std::holds_alternative<Attendance>(copy));
  EXPECT_EQ(std::get<Attendance>(copy).reason, "#");
}

TEST(PackedRecords, TakesEachRecordAtItsOwnSize) {
  std::vector<Record> one = {attendance("#", 180)};
  const PackedRecords lone(one);
  EXPECT_EQ(lone.bytes(), sizeof(Attendance));  // no index for a lone record
  EXPECT_LT(lone.bytes(), sizeof(Record) / 2 + 8);

  std::vector<Record> three = {pupil(), attendance("#", 180), attendance("M", 2)};
  const PackedRecords row(three);
  EXPECT_LE(row.bytes(), sizeof(Person) + 2 * sizeof(Attendance) + 3 * 5 + 8);
  EXPECT_LT(row.bytes(), 3 * sizeof(Record));
}

TEST(PackedRecords, MovesLeaveNothingBehindAndNoneIsEmpty) {
  std::vector<Record> none;
  const PackedRecords empty(none);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.bytes(), 0u);
  EXPECT_EQ(empty.begin(), empty.end());

  std::vector<Record> records = {pupil(), attendance("#", 10)};
  PackedRecords a(records);
  PackedRecords b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved from, it holds nothing
  ASSERT_EQ(b.size(), 2u);
  PackedRecords c;
  c = std::move(b);
  EXPECT_EQ(c[0].get_if<Person>()->family_name.view(), kLongName);
  c = std::move(c);  // NOLINT(clang-diagnostic-self-move): keeps what it held
  EXPECT_EQ(c.size(), 2u);
}

TEST(PackedRecords, KeepsExtraBytesAfterTheRecords) {
  std::vector<Record> one = {attendance("#", 180)};
  const PackedRecords lone(one, "lone-extra");
  EXPECT_EQ(lone.extra(), "lone-extra");
  EXPECT_EQ(lone[0].get_if<Attendance>()->reason, "#");

  std::vector<Record> three = {pupil(), attendance("#", 180), attendance("M", 2)};
  std::vector<Record> again = three;
  const PackedRecords first(three);
  EXPECT_EQ(first.extra(), "");
  const size_t before = first.bytes();
  const std::string ids = "one id, two ids, three";
  const PackedRecords moved(again, ids);
  ASSERT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved.extra(), ids);
  EXPECT_EQ(moved[0].get_if<Person>()->family_name.view(), kLongName);
  EXPECT_EQ(moved[2].get_if<Attendance>()->reason, "M");
  EXPECT_GE(moved.bytes(), before + ids.size());
  EXPECT_LE(moved.bytes(), before + ids.size() + 8);
}

TEST(RecordRef, ViewsARecordOrOneOfItsKindsAlike) {
  const Record record = attendance("O", 3);
  const Attendance kind = attendance("O", 3);
  const RecordRef of_record = record;
  const RecordRef of_kind = kind;
  EXPECT_EQ(of_record.index(), of_kind.index());
  EXPECT_EQ(of_record.get_if<Attendance>(), &std::get<Attendance>(record));
  EXPECT_EQ(of_kind.get_if<Attendance>(), &kind);
  EXPECT_EQ(of_kind.visit([](const auto& r) { return r.subject.value.view(); }), "UPN-A");
}

}  // namespace
}  // namespace hearth::pipelines::canonical
