#include "tests/synth/mess.hpp"

#include <algorithm>
#include <cstdio>

#include "tests/synth/identifiers.hpp"
#include "tests/synth/names.hpp"

namespace hearth::synth {

MessRates MessRates::scaled(double f) const {
  MessRates r = *this;
  for (double* p : {&r.name_typo, &r.nickname, &r.surname_variant, &r.dob_swap, &r.nhs_missing,
                    &r.nhs_mistyped, &r.upn_missing, &r.upn_mistyped, &r.postcode_moved,
                    &r.duplicate, &r.invalid_code, &r.impossible_date}) {
    *p = std::min(1.0, *p * f);
  }
  return r;
}

SourceContext::SourceContext(std::string source, const World& world, const MessRates& rates,
                             std::filesystem::path root)
    : source_(std::move(source)),
      world_(world),
      rates_(rates),
      root_(std::move(root)),
      rng_(world.options.seed, "mess:" + source_) {}

void SourceContext::truth(std::string_view file, std::string_view key, uint32_t person) {
  char id[16];
  std::snprintf(id, sizeof id, "P%07u", person);
  truth_rows_.append(source_).push_back(',');
  truth_rows_.append(file).push_back(',');
  truth_rows_.append(key).push_back(',');
  truth_rows_.append(id).push_back('\n');
  ++truth_count_;
}

void SourceContext::error(std::string_view file, std::string_view key, std::string_view kind,
                          std::string_view field, std::string_view truth,
                          std::string_view recorded) {
  auto csv = [&](std::string_view v) {
    if (v.find_first_of(",\"\n") == std::string_view::npos) {
      error_rows_.append(v);
      return;
    }
    error_rows_.push_back('"');
    for (char c : v) {
      if (c == '"') error_rows_.push_back('"');
      error_rows_.push_back(c);
    }
    error_rows_.push_back('"');
  };
  for (std::string_view v : {std::string_view(source_), file, key, kind, field, truth}) {
    csv(v);
    error_rows_.push_back(',');
  }
  csv(recorded);
  error_rows_.push_back('\n');
  ++error_count_;
}

static std::string mistypeDigits(Rng& rng, const std::string& value,
                                 bool (*valid)(std::string_view)) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::string out = value;
    const size_t i = rng.below(out.size() - 1);
    if (rng.chance(0.5) && out[i] != out[i + 1] && i > 0) {
      std::swap(out[i], out[i + 1]);
    } else {
      const size_t j = out.size() - 1 - rng.below(out.size() - 1);
      if (out[j] < '0' || out[j] > '9') continue;
      out[j] = static_cast<char>('0' + (out[j] - '0' + 1 + rng.below(9)) % 10);
    }
    if (!valid(out)) return out;
  }
  return value.substr(0, value.size() - 1);
}

RecordedPerson SourceContext::record(uint32_t person, std::string local_id, std::string_view file,
                                     Day on, bool has_upn_field, bool has_nhs_field) {
  const Person& p = world_.people[person];
  RecordedPerson r;
  r.person = person;
  r.local_id = std::move(local_id);
  r.forename = p.forename;
  r.surname = p.surname;
  r.dob = p.dob;
  r.nhs_number = p.nhs_number;
  r.upn = p.upn;
  r.address = world_.addressOn(person, on);
  const std::string& key = r.local_id;

  if (rng_.chance(rates_.nickname) && !nicknameOf(p.forename).empty()) {
    r.forename = std::string(nicknameOf(p.forename));
    error(file, key, "nickname", "forename", p.forename, r.forename);
  } else if (rng_.chance(rates_.name_typo)) {
    r.forename = typo(rng_, p.forename);
    error(file, key, "name_typo", "forename", p.forename, r.forename);
  }
  if (rng_.chance(rates_.surname_variant)) {
    const size_t hyphen = p.surname.find('-');
    if (hyphen != std::string::npos) {
      r.surname = rng_.chance(0.5) ? p.surname.substr(0, hyphen) : p.surname.substr(hyphen + 1);
      error(file, key, "surname_hyphen_dropped", "surname", p.surname, r.surname);
    } else if (!p.former_surname.empty()) {
      r.surname = p.former_surname;
      error(file, key, "surname_former", "surname", p.surname, r.surname);
    }
  } else if (rng_.chance(rates_.name_typo)) {
    r.surname = typo(rng_, p.surname);
    error(file, key, "name_typo", "surname", p.surname, r.surname);
  }
  if (rng_.chance(rates_.dob_swap)) {
    const Ymd d = civilFromDay(p.dob);
    if (d.day <= 12 && d.day != d.month) {
      r.dob = dayFromCivil(d.year, d.day, d.month);
      error(file, key, "dob_day_month_swapped", "dob", isoDate(p.dob), isoDate(r.dob));
    }
  }
  if (has_nhs_field) {
    if (rng_.chance(rates_.nhs_missing)) {
      r.nhs_number.clear();
      error(file, key, "nhs_missing", "nhs_number", p.nhs_number, "");
    } else if (rng_.chance(rates_.nhs_mistyped)) {
      r.nhs_number = mistypeDigits(rng_, p.nhs_number, isValidNhsNumber);
      error(file, key, "nhs_mistyped", "nhs_number", p.nhs_number, r.nhs_number);
    }
  }
  if (has_upn_field && !p.upn.empty()) {
    if (rng_.chance(rates_.upn_missing)) {
      r.upn.clear();
      error(file, key, "upn_missing", "upn", p.upn, "");
    } else if (rng_.chance(rates_.upn_mistyped)) {
      r.upn = mistypeDigits(rng_, p.upn, isValidUpn);
      error(file, key, "upn_mistyped", "upn", p.upn, r.upn);
    }
  }
  const Household& h = world_.households[p.household];
  if (h.previous_address != kNone && on >= h.moved_on && rng_.chance(rates_.postcode_moved)) {
    r.address = h.previous_address;
    error(file, key, "postcode_moved", "postcode",
          world_.postcodes[world_.addresses[h.address].postcode].code,
          world_.postcodes[world_.addresses[h.previous_address].postcode].code);
  }
  return r;
}

std::string SourceContext::code(std::string_view value, std::string_view invalid,
                                std::string_view file, std::string_view key,
                                std::string_view field) {
  if (value.empty() || !rng_.chance(rates_.invalid_code)) return std::string(value);
  error(file, key, "invalid_code", field, value, invalid);
  return std::string(invalid);
}

Day SourceContext::date(Day value, Day impossible, std::string_view file, std::string_view key,
                        std::string_view field) {
  if (value == kNoDay || !rng_.chance(rates_.impossible_date)) return value;
  error(file, key, "impossible_date", field, isoDate(value), isoDate(impossible));
  return impossible;
}

}  // namespace hearth::synth
