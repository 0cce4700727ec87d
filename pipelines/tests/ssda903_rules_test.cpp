#include "pipelines/validation/ssda903_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hearth::pipelines::validation {
namespace {

using canonical::ClaEpisode;
using canonical::Date;

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

ClaEpisode episode(Date start, std::optional<Date> end, std::string rne, std::string ls,
                   std::string place, std::string provider, std::string rec) {
  ClaEpisode e;
  e.provenance.collection_year = 2024;
  e.subject = {"cms", "C1"};
  e.start = start;
  e.end = end;
  e.reason_new_episode = std::move(rne);
  e.legal_status = std::move(ls);
  e.placement_type = std::move(place);
  e.placement_provider = std::move(provider);
  e.reason_ceased = std::move(rec);
  return e;
}

std::vector<std::string> codes(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.code);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Ssda903Rules, CleanEpisodeHasNoFindings) {
  std::vector<Finding> out;
  checkClaEpisode(episode(day(2024, 5, 1), day(2024, 9, 1), "S", "C2", "U3", "PR1", "E4A"), out);
  EXPECT_TRUE(out.empty());
}

TEST(Ssda903Rules, EndBeforeStartIs356AndCarriesTheMessage) {
  std::vector<Finding> out;
  checkClaEpisode(episode(day(2024, 5, 1), day(2024, 4, 20), "S", "C2", "U3", "PR1", "E4A"), out);
  ASSERT_EQ(codes(out), std::vector<std::string>{"903.356"});
  EXPECT_EQ(out[0].message,
            "The date the episode ceased is before the date the same episode started.");
}

TEST(Ssda903Rules, ShortBreakRules) {
  std::vector<Finding> out;
  auto e = episode(day(2024, 5, 1), day(2024, 5, 30), "S", "V3", "U1", "PR1", "E8");
  e.home_postcode = "M1 1AE";
  checkClaEpisode(e, out);
  EXPECT_EQ(codes(out), (std::vector<std::string>{"903.365", "903.384", "903.398"}));
}

TEST(Ssda903Rules, ProviderAndPlacementCombinations) {
  std::vector<Finding> out;
  checkClaEpisode(episode(day(2024, 5, 1), std::nullopt, "S", "C2", "K2", "PR0", ""), out);
  checkClaEpisode(episode(day(2024, 5, 1), std::nullopt, "S", "C2", "P1", "PR4", ""), out);
  checkClaEpisode(episode(day(2024, 5, 1), std::nullopt, "P", "C2", "T2", "PR1", ""), out);
  EXPECT_EQ(codes(out), (std::vector<std::string>{"903.213", "903.530", "903.550"}));
}

TEST(Ssda903Rules, OverlappingAndOpenEpisodesAcrossAChild) {
  canonical::Person person;
  person.birth_date = day(2012, 1, 1);
  const auto first = episode(day(2024, 5, 1), std::nullopt, "S", "C2", "U3", "PR1", "");
  const auto second = episode(day(2024, 6, 1), day(2024, 6, 20), "P", "C2", "U3", "PR1", "X1");
  ChildReturn child;
  child.person = &person;
  child.episodes = {&second, &first};
  // The first is open but followed (142); the second does not start on an end (433), and its
  // X1 has nothing continuing it (388).
  EXPECT_EQ(codes(validateChildReturn(child)),
            (std::vector<std::string>{"903.142", "903.388", "903.433"}));
}

TEST(Ssda903Rules, AgesComeFromTheHeaderBirthDate) {
  canonical::Person person;
  person.birth_date = day(2017, 1, 1);
  const auto e = episode(day(2024, 5, 1), day(2024, 6, 1), "S", "J1", "K3", "PR1", "E17");
  ChildReturn child;
  child.person = &person;
  child.episodes = {&e};
  // Seven years old: youth-justice status (358), supported accommodation (371), staying put (460).
  EXPECT_EQ(codes(validateChildReturn(child)),
            (std::vector<std::string>{"903.358", "903.371", "903.460"}));
}

TEST(Ssda903Rules, EpisodeBeforeBirthIs302) {
  canonical::Person person;
  person.birth_date = day(2024, 6, 1);
  const auto e = episode(day(2024, 5, 1), std::nullopt, "S", "C2", "U3", "PR1", "");
  ChildReturn child;
  child.person = &person;
  child.episodes = {&e};
  EXPECT_EQ(codes(validateChildReturn(child)), (std::vector<std::string>{"903.302"}));
}

TEST(Ssda903Rules, CareLeaverInTouchNeedsActivityAndAccommodation) {
  canonical::CareLeaverStatus s;
  s.in_touch = "YES";
  s.activity = "0";
  s.accommodation = "U";
  std::vector<Finding> out;
  checkCareLeaverStatus(s, out);
  s.in_touch = "DIED";
  checkCareLeaverStatus(s, out);
  EXPECT_EQ(codes(out), (std::vector<std::string>{"903.344", "903.345"}));
}

TEST(Ssda903Rules, MissingPeriodsMustNotOverlap) {
  canonical::MissingEpisode a;
  a.start = day(2024, 5, 1);
  a.end = day(2024, 5, 10);
  canonical::MissingEpisode b = a;
  b.start = day(2024, 5, 9);
  ChildReturn child;
  child.missing = {&a, &b};
  EXPECT_EQ(codes(validateChildReturn(child)), (std::vector<std::string>{"903.574"}));
}

}  // namespace
}  // namespace hearth::pipelines::validation
