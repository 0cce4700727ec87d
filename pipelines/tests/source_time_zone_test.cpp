// Source date-times with an explicit offset become calendar dates on the source's clock.
#include <gtest/gtest.h>

#include <variant>

#include "pipelines/canonical/date.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines {
namespace {

using canonical::Date;
using canonical::parseIsoDate;

TimeZone london() { return TimeZone::find("Europe/London").value_or(TimeZone::utc()); }

Date day(int year, unsigned month, unsigned d) {
  return Date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{d}};
}

TEST(SourceDates, AnInstantLateInTheEveningIsTheNextDayInLondonInSummer) {
  EXPECT_EQ(parseIsoDate("2024-05-01T23:30:00Z", london()), day(2024, 5, 2));
  EXPECT_EQ(parseIsoDate("2024-05-01T22:59:59Z", london()), day(2024, 5, 1));
  EXPECT_EQ(parseIsoDate("2024-05-01 23:30:00.000 +00:00", london()), day(2024, 5, 2));
  EXPECT_EQ(parseIsoDate("2024-05-02T00:30:00+01:00", london()), day(2024, 5, 2));
  EXPECT_EQ(parseIsoDate("2024-05-01T23:30:00Z", TimeZone::utc()), day(2024, 5, 1));
}

TEST(SourceDates, InWinterLondonIsOnUtc) {
  EXPECT_EQ(parseIsoDate("2024-12-01T23:30:00Z", london()), day(2024, 12, 1));
  EXPECT_EQ(parseIsoDate("2024-12-01T23:30:00-02:00", london()), day(2024, 12, 2));
}

TEST(SourceDates, AWallClockTimeIsAlreadyLocal) {
  EXPECT_EQ(parseIsoDate("2024-05-01T23:30:00", london()), day(2024, 5, 1));
  EXPECT_EQ(parseIsoDate("2024-05-01 00:30:00.000", london()), day(2024, 5, 1));
  EXPECT_EQ(parseIsoDate("2024-05-01", london()), day(2024, 5, 1));
  EXPECT_EQ(parseIsoDate("2024-05-01Tsomething", london()), day(2024, 5, 1));
  EXPECT_FALSE(parseIsoDate("2024-02-30T10:00:00Z", london()).has_value());
}

TEST(SourceDates, TheHoursAroundBothClockChangesFallOnTheirLocalDay) {
  // 2024: forward at 01:00 UTC on 31 March, back at 01:00 UTC on 27 October.
  EXPECT_EQ(parseIsoDate("2024-03-30T23:30:00Z", london()), day(2024, 3, 30));
  EXPECT_EQ(parseIsoDate("2024-03-31T23:30:00Z", london()), day(2024, 4, 1));
  EXPECT_EQ(parseIsoDate("2024-10-26T23:30:00Z", london()), day(2024, 10, 27));
  EXPECT_EQ(parseIsoDate("2024-10-27T23:30:00Z", london()), day(2024, 10, 27));
}

normalise::NormaliseOutput contact(const TimeZone& zone, std::string_view received,
                                   std::string_view outcome) {
  const normalise::Normaliser normaliser(
      normalise::NormaliseContext{.layout = "trust_ssd",
                                  .connector = "ssd",
                                  .source_system = "trust_cms",
                                  .today = day(2025, 6, 1),
                                  .default_collection_year = 2024,
                                  .time_zone = zone});
  const std::vector<FieldView> fields = {{"cont_person_id", "C7"},
                                         {"cont_contact_date", received},
                                         {"cont_contact_source_code", "3E"},
                                         {"cont_contact_outcome_json", outcome}};
  normalise::NormaliseOutput out;
  normaliser.normalise(
      {.stream = "ssd_contacts", .source_key = "k1", .location = "test:1", .fields = fields}, out);
  return out;
}

TEST(SourceDates, DatesAreWrittenAsFourDigitYearMonthAndDay) {
  using std::chrono::month;
  using std::chrono::year;
  using D = std::chrono::day;
  EXPECT_EQ(canonical::formatIsoDate(Date{year{2025}, month{3}, D{31}}), "2025-03-31");
  EXPECT_EQ(canonical::formatIsoDate(Date{year{1999}, month{12}, D{1}}), "1999-12-01");
  EXPECT_EQ(canonical::formatIsoDate(Date{year{7}, month{1}, D{9}}), "0007-01-09");
  EXPECT_EQ(canonical::formatIsoDate(Date{year{12345}, month{6}, D{15}}), "12345-06-15");
  EXPECT_EQ(canonical::formatIsoDate(Date{year{-44}, month{3}, D{15}}), "-044-03-15");
  for (const char* text : {"2024-02-29", "2000-01-01", "9999-12-31", "0001-10-10"}) {
    EXPECT_EQ(canonical::formatIsoDate(*parseIsoDate(text)), text);
  }
  std::string out = "at ";
  canonical::appendIsoDate(out, Date{year{2024}, month{10}, D{3}});
  EXPECT_EQ(out, "at 2024-10-03");
}

// The contact decision is what referral_decision_1wd measures: a decision at 23:30 UTC on a
// summer evening was made the next day in the council's office.
TEST(SourceDates, SsdContactDatesAreTakenOnTheSourcesClock) {
  const auto out = contact(london(), "2024-07-04T23:15:00Z",
                           R"({"OUTCOME":"NFA","DECISION_DATETIME":"2024-07-05T23:30:00Z"})");
  ASSERT_EQ(out.records.size(), 1u);
  const auto& c = std::get<canonical::Contact>(out.records[0]);
  EXPECT_EQ(c.received, day(2024, 7, 5));
  EXPECT_EQ(c.decided, day(2024, 7, 6));

  const auto winter =
      contact(london(), "2024-01-04T23:15:00Z", R"({"DECISION_DATETIME":"2024-01-05T23:30:00Z"})");
  ASSERT_EQ(winter.records.size(), 1u);
  EXPECT_EQ(std::get<canonical::Contact>(winter.records[0]).received, day(2024, 1, 4));
  EXPECT_EQ(std::get<canonical::Contact>(winter.records[0]).decided, day(2024, 1, 5));
}

}  // namespace
}  // namespace hearth::pipelines
