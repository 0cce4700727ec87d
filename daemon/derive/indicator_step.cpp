// The daemon's side of the indicator engine: reading its reference data (bank holidays,
// postcodes, population) from files, and feeding it only what changed.
#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "daemon/derive/steps.hpp"
#include "pipelines/indicators/csv_line.hpp"
#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/output.hpp"
#include "pipelines/indicators/population_estimates.hpp"

namespace hearth::daemon::derive {
namespace {

namespace ind = pipelines::indicators;

constexpr std::string_view kFactEventType = "uk.gov.hearth.indicator.fact.v1";

// The shipped list, found beside the binary's configuration when none is configured.
std::filesystem::path defaultBankHolidays() {
  for (const char* candidate :
       {"/etc/hearth/bank_holidays_england.csv", "/usr/share/hearth/bank_holidays_england.csv"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
#ifdef HEARTH_SOURCE_CONFIG_DIR
  return std::filesystem::path(HEARTH_SOURCE_CONFIG_DIR) / "bank_holidays_england.csv";
#else
  return {};
#endif
}

// The financial year ending on the configured day, or the latest one that has ended.
ind::Period reportingYear(const std::string& period_end) {
  if (const auto end = pipelines::canonical::parseIsoDate(period_end)) {
    return ind::financialYearStarting(static_cast<int>(end->year()) - 1);
  }
  const pipelines::canonical::Date today = pipelines::canonical::todayUtc();
  const int year = static_cast<int>(today.year());
  const bool ended_this_year = today.month() > std::chrono::March;
  return ind::financialYearStarting(ended_this_year ? year - 1 : year - 2);
}

// Residents aged 0-17 in the council's area for the reporting year, from an ONS-style file.
Result<ind::PopulationBase> childrenFromEstimates(const std::filesystem::path& path,
                                                  const std::string& area_code,
                                                  const ind::Period& period) {
  std::ifstream in(path);
  if (!in) return makeError("indicators.population", path.string() + ": cannot open");
  try {
    return ind::PopulationEstimates::fromCsv(in, path.string()).childrenFor(area_code, period);
  } catch (const std::invalid_argument& e) {
    return makeError("indicators.population", e.what());
  }
}

// A value's key on the topic: indicator, period, area and breakdown.
std::string valueKey(const ind::IndicatorValue& v) {
  return v.indicator_id + "|" + v.period.label + "|" + v.area +
         (v.breakdown_name.empty() ? std::string()
                                   : "|" + v.breakdown_name + "=" + v.breakdown_value);
}

class EngineStep final : public IndicatorStep {
 public:
  EngineStep(ind::IndicatorEngine engine, std::optional<ind::PopulationBase> population)
      : engine_(std::move(engine)), population_(std::move(population)) {}

  void file(const AttributedRecords& records, const std::vector<std::string>& removed) override {
    for (const std::string& evidence : removed) engine_.remove(evidence);
    engine_.reserve(records.count);
    // In runs, so that the engine looks up a run's records together (addAll). No owner: the
    // derive stage keeps the records (AttributedRecord).
    constexpr size_t kRun = 256;
    std::vector<ind::IndicatorEngine::Filing> run;
    run.reserve(kRun);
    for (size_t i = 0; i < records.count; ++i) {
      const AttributedRecord r = records.at(i);
      if (!r.changed) continue;
      run.push_back({r.person, r.evidence_id, r.record});
      if (run.size() == kRun) {
        engine_.addAll(run);
        run.clear();
      }
    }
    engine_.addAll(run);
  }

  void finishWithNextEvaluation() override { engine_.finishWithNextEvaluation(); }

  IndicatorChanges evaluate(const PersonPseudonyms& pseudonyms) override {
    return IndicatorChanges(engine_.evaluate(), &pseudonyms);
  }

  std::string valuesJson() const override {
    std::string out = "[";
    for (const ind::IndicatorValue& v : engine_.values()) {
      if (out.size() > 1) out.push_back(',');
      out.append(ind::toJson(v));
    }
    out.push_back(']');
    return out;
  }

  std::vector<std::pair<std::string, std::string>> snapshot() const override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const ind::IndicatorValue& v : engine_.values())
      out.emplace_back(valueKey(v), ind::toJson(v));
    std::sort(out.begin(), out.end());
    return out;
  }

  const ind::Period& period() const override { return engine_.periods().front(); }

  std::string table() const override { return ind::renderTable(engine_.values(true)); }

  const std::optional<ind::PopulationBase>& population() const override { return population_; }

 private:
  ind::IndicatorEngine engine_;
  std::optional<ind::PopulationBase> population_;
};

}  // namespace

bool IndicatorChanges::forEach(const std::function<bool(const IndicatorEvent&)>& publish) {
  IndicatorEvent event;
  event.topic = "indicator.values";
  event.type = kIndicatorValueEventType;
  for (const ind::IndicatorValue& v : evaluation_.values) {
    event.key = valueKey(v);
    event.digest_key = event.key;
    event.data_json = ind::toJson(v);
    if (!publish(event)) return false;
  }
  event.topic = "indicator.facts";
  event.type = kFactEventType;
  // Each fact is taken from the front as its event is made: the facts' room goes as they do.
  for (auto& facts = evaluation_.facts; !facts.empty(); facts.pop_front()) {
    ind::IndicatorFact& f = facts.front();
    const std::string_view* pseudonym = pseudonyms_->find(f.person);
    if (pseudonym == nullptr) continue;  // a person merged away since: its facts moved too
    event.key = *pseudonym;
    event.digest_key.assign(*pseudonym).append("|").append(f.indicator_id).append("|");
    event.digest_key.append(f.period.label).append("|").append(ind::factSetName(f.set));
    event.data_json = ind::toJson(f, *pseudonym);
    if (!publish(event)) return false;
  }
  evaluation_ = {};
  return true;
}

Result<ind::SchoolRegister> loadSchoolRegister(const config::IndicatorsConfig& config) {
  ind::SchoolRegister schools;
  try {
    if (!config.gias_establishments.empty()) {
      std::ifstream in(config.gias_establishments);
      if (!in) {
        return makeError("indicators.gias_establishments",
                         config.gias_establishments.string() + ": cannot open");
      }
      schools.addGias(in, config.gias_establishments.string());
    }
    for (const std::filesystem::path& path : config.ofsted_inspections) {
      std::ifstream in(path);
      if (!in) return makeError("indicators.ofsted_inspections", path.string() + ": cannot open");
      schools.addOfsted(in, path.string());
    }
  } catch (const std::exception& e) {
    return makeError("indicators.reference", e.what());
  }
  return schools;
}

Result<std::unique_ptr<IndicatorStep>> IndicatorStep::create(const config::IndicatorsConfig& config,
                                                             int suppression_threshold) {
  ind::EngineConfig engine;
  engine.periods.push_back(reportingYear(config.period_end));
  engine.suppression_threshold = suppression_threshold;
  engine.area_code = config.area_code;
  engine.population_0_17 = static_cast<double>(config.population_0_17);
  for (const auto& [family, rule] : config.disclosure) {
    engine.disclosure.emplace(family,
                              ind::DisclosureConvention{rule.suppression_threshold, rule.round_to});
  }
  auto schools = loadSchoolRegister(config);
  if (!schools) return schools.error();
  engine.schools = std::move(schools).value();
  std::optional<ind::PopulationBase> population;
  if (!config.population_estimates.empty()) {
    auto base =
        childrenFromEstimates(config.population_estimates, config.area_code, engine.periods[0]);
    if (!base) return base.error();
    engine.population_0_17 = base->children;
    engine.population_by_age = base->by_age;
    population = std::move(*base);
  }
  try {
    const std::filesystem::path holidays_path =
        config.bank_holidays.empty() ? defaultBankHolidays() : config.bank_holidays;
    std::ifstream holidays(holidays_path);
    if (!holidays) {
      return makeError("indicators.bank_holidays",
                       holidays_path.string() + ": cannot open the bank holiday list");
    }
    ind::WorkingDays working_days = ind::WorkingDays::fromCsv(holidays, holidays_path.string());
    ind::PostcodeLookup postcodes;
    if (!config.postcode_lookup.empty()) {
      std::ifstream lookup(config.postcode_lookup);
      if (!lookup) {
        return makeError("indicators.postcode_lookup",
                         config.postcode_lookup.string() + ": cannot open");
      }
      postcodes = ind::PostcodeLookup::fromCsv(lookup, config.postcode_lookup.string());
    }
    return std::unique_ptr<IndicatorStep>(new EngineStep(
        ind::IndicatorEngine(std::move(engine), std::move(working_days), std::move(postcodes)),
        std::move(population)));
  } catch (const std::exception& e) {
    return makeError("indicators.reference", e.what());
  }
}

}  // namespace hearth::daemon::derive
