#include "daemon/app/layout_tests.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/app/commands.hpp"
#include "daemon/config/json_schema.hpp"
#include "daemon/config/mapping_config.hpp"
#include "daemon/config/yaml_json.hpp"
#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::daemon::app {
namespace {

namespace fs = std::filesystem;
namespace normalise = pipelines::normalise;
using nlohmann::json;

// Fields that name or date a person: a failure says they differ, never what they hold, so that
// the output of a test run on a real row is as safe to paste as a log.
bool isPersonal(const std::string& field) {
  static const std::set<std::string> kPersonal = {"given_name",
                                                  "family_name",
                                                  "former_family_name",
                                                  "birth_date",
                                                  "expected_birth_date",
                                                  "death_date",
                                                  "first_child_birth_date",
                                                  "postcode",
                                                  "uprn",
                                                  "identifiers",
                                                  "identifier",
                                                  "home_postcode",
                                                  "placement_postcode"};
  return kPersonal.contains(field);
}

// YAML types plain scalars (2024, true); sources send text, so expectations compare as text.
std::string asText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool sameValue(const json& actual, const json& expected) {
  if (actual.is_string() || expected.is_string()) {
    return actual.is_string() && asText(actual) == asText(expected);
  }
  return actual == expected;
}

// What makes the file's normaliser, or why it cannot be made.
Result<normalise::NormaliseContext> contextOf(const json& root, const fs::path& file) {
  normalise::NormaliseContext context;
  context.today = pipelines::canonical::todayUtc();
  if (root.contains("layout") == root.contains("config")) {
    return makeError("layout_test.invalid", "give either layout: or config: with connector:");
  }
  std::string time_zone = "Europe/London";
  if (root.contains("layout")) {
    context.layout = asText(root.at("layout"));
    if (normalise::findLayout(context.layout) == nullptr) {
      return makeError("layout_test.invalid", "no layout is named " + context.layout);
    }
    context.source_system = context.layout;
  } else {
    const fs::path config = file.parent_path() / asText(root.at("config"));
    auto normalisation = config::connectorNormalisation(config, root.value("connector", ""));
    if (!normalisation) return normalisation.error();
    context.layout = normalisation->kind;
    context.source_system = normalisation->source_system;
    context.default_collection_year = normalisation->collection_year;
    time_zone = normalisation->time_zone;
    if (context.layout == config::kMappingKind) {
      context.mapped_layout = normalise::mappedLayout(
          config::mappingFromJson(normalisation->mapping, "/mapping"), context.layout);
    } else if (normalise::findLayout(context.layout) == nullptr) {
      return makeError("layout_test.invalid", "no layout is named " + context.layout);
    }
  }
  if (root.contains("source_system")) context.source_system = asText(root.at("source_system"));
  if (root.contains("collection_year") && root.at("collection_year").is_number_integer()) {
    context.default_collection_year = root.at("collection_year").get<int>();
  }
  if (root.contains("today")) {
    const auto today = pipelines::canonical::parseIsoDate(asText(root.at("today")));
    if (!today) return makeError("layout_test.invalid", "today is not a YYYY-MM-DD date");
    context.today = *today;
  }
  std::optional<TimeZone> zone = TimeZone::find(time_zone);
  if (!zone) return makeError("layout_test.invalid", "no time zone is named " + time_zone);
  context.time_zone = std::move(*zone);
  return context;
}

// The differences between what a row made and what the test expects of it, one line each.
std::vector<std::string> differences(const normalise::NormaliseOutput& out, const json& expect) {
  std::vector<std::string> found;
  const json records = expect.value("records", json::array());
  if (records.size() != out.records.size()) {
    found.push_back("made " + std::to_string(out.records.size()) + " records, expected " +
                    std::to_string(records.size()));
  }
  for (size_t i = 0; i < records.size() && i < out.records.size(); ++i) {
    const json actual =
        json::parse(pipelines::canonical::toJson(out.records[i], {.include_provenance = false}));
    const std::string which =
        "record " + std::to_string(i + 1) + " (" + actual.value("kind", std::string()) + ")";
    for (const auto& [field, value] : records[i].items()) {
      if (!actual.contains(field)) {
        found.push_back(which + ": has no " + field + ", expected " +
                        (isPersonal(field) ? "a value" : value.dump()));
      } else if (!sameValue(actual.at(field), value)) {
        found.push_back(which + ": " + field +
                        (isPersonal(field)
                             ? " differs from what is expected"
                             : " is " + actual.at(field).dump() + ", expected " + value.dump()));
      }
    }
  }
  const json findings = expect.value("findings", json::array());
  if (findings.size() != out.findings.size()) {
    std::string codes;
    for (const auto& f : out.findings) codes += (codes.empty() ? "" : ", ") + f.code;
    found.push_back("made " + std::to_string(out.findings.size()) + " findings (" + codes +
                    "), expected " + std::to_string(findings.size()));
  }
  for (size_t i = 0; i < findings.size() && i < out.findings.size(); ++i) {
    const auto& actual = out.findings[i];
    const json fields = {
        {"code", actual.code},
        {"field", actual.field},
        {"severity",
         actual.severity == pipelines::validation::Severity::kReject ? "reject" : "query"},
        {"message", actual.message}};
    for (const auto& [key, value] : findings[i].items()) {
      if (!fields.contains(key)) {
        found.push_back("finding " + std::to_string(i + 1) + ": has no " + key +
                        " (code, field, severity, message)");
      } else if (!sameValue(fields.at(key), value)) {
        found.push_back("finding " + std::to_string(i + 1) + ": " + key + " is " +
                        fields.at(key).dump() + ", expected " + value.dump());
      }
    }
  }
  if (expect.contains("unmapped")) {
    std::set<std::string> actual(out.unmapped.begin(), out.unmapped.end());
    std::set<std::string> wanted;
    for (const json& name : expect.at("unmapped")) wanted.insert(asText(name));
    if (actual != wanted) {
      std::string list;
      for (const auto& name : actual) list += (list.empty() ? "" : ", ") + name;
      found.push_back("unmapped fields are [" + list + "]");
    }
  }
  return found;
}

}  // namespace

LayoutTestTally runLayoutTests(const fs::path& file, std::ostream& out) {
  LayoutTestTally tally;
  auto refuse = [&](int line, const std::string& why) {
    out << "ERROR " << file.string() << (line > 0 ? ":" + std::to_string(line) : "") << ": " << why
        << '\n';
    tally.file_refused = true;
    return tally;
  };
  std::ifstream in(file);
  if (!in) return refuse(0, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<config::LocatedError> errors;
  const std::optional<config::YamlDocument> document = config::parseYaml(text.str(), errors);
  if (!errors.empty()) return refuse(errors.front().where.line, errors.front().message);
  const json& root = document->value;
  if (!root.is_object() || !root.contains("tests") || !root.at("tests").is_array()) {
    return refuse(0, "has no tests: list");
  }
  Result<normalise::NormaliseContext> context = contextOf(root, file);
  if (!context) return refuse(0, context.error().message);
  const normalise::Normaliser normaliser(std::move(*context));

  const json& tests = root.at("tests");
  for (size_t i = 0; i < tests.size(); ++i) {
    const std::string pointer = config::childPointer("/tests", i);
    const int line = document->locate(pointer).line;
    const json& test = tests[i];
    const std::string name = test.is_object() ? test.value("name", "test " + std::to_string(i + 1))
                                              : "test " + std::to_string(i + 1);
    if (!test.is_object() || !test.contains("stream") || !test.contains("input") ||
        !test.at("input").is_object() || !test.contains("expect") ||
        !test.at("expect").is_object()) {
      out << "FAIL " << file.string() << ":" << line << " " << name
          << "\n       needs stream:, input: (field: value) and expect:\n";
      ++tally.failed;
      continue;
    }
    std::vector<std::string> values;
    const json& input = test.at("input");
    values.reserve(input.size());
    for (const auto& [field, value] : input.items()) values.push_back(asText(value));
    std::vector<pipelines::FieldView> fields;
    size_t at = 0;
    for (const auto& [field, value] : input.items()) {
      fields.push_back({field, value.is_null() ? std::string_view{} : values[at], value.is_null()});
      ++at;
    }
    const std::string stream = asText(test.at("stream"));
    const std::string location = file.filename().string() + ":" + std::to_string(line);
    normalise::NormaliseOutput output;
    normaliser.normalise(
        pipelines::RawRecordView{
            .stream = stream, .source_key = name, .location = location, .fields = fields},
        output);
    const std::vector<std::string> found = differences(output, test.at("expect"));
    out << (found.empty() ? "PASS " : "FAIL ") << file.string() << ":" << line << " " << name
        << '\n';
    for (const std::string& difference : found) out << "       " << difference << '\n';
    ++(found.empty() ? tally.passed : tally.failed);
  }
  return tally;
}

int testCommand(const std::vector<fs::path>& files) {
  LayoutTestTally total;
  for (const fs::path& file : files) {
    const LayoutTestTally tally = runLayoutTests(file, std::cout);
    total.passed += tally.passed;
    total.failed += tally.failed;
    total.file_refused = total.file_refused || tally.file_refused;
  }
  std::cout << total.passed << " passed, " << total.failed << " failed\n";
  if (total.file_refused) return kInvalid;
  return total.failed == 0 && total.passed > 0 ? kOk : kFailed;
}

}  // namespace hearth::daemon::app
