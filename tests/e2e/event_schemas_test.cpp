// Every event the daemon publishes matches its JSON Schema in config/schemas: a small synthetic
// council goes through all of config/demo.yaml's connectors, identity and indicators, and each
// event on each topic is checked twice: the CloudEvents envelope against cloudevent.v1.json, and
// its `data` against the schema its `type` names. Meanwhile an independent consumer
// (cloudevents_check.py) reads them all again, Kafka headers included, and validates each with
// python3-jsonschema, so that Hearth's own validator is not the only judge of its own output.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "daemon/config/json_schema.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Each event type, the topic it belongs on, and the schema of its data.
struct EventType {
  std::string type;
  std::string topic;
  std::string schema_file;
};

const std::vector<EventType> kEventTypes = {
    {"uk.gov.hearth.record.v1", "hearth.records", "hearth.record.v1.json"},
    {"uk.gov.hearth.canonical.v1", "hearth.records", "hearth.canonical.v1.json"},
    {"uk.gov.hearth.reject.v1", "hearth.rejects", "hearth.reject.v1.json"},
    {"uk.gov.hearth.identity.v1", "hearth.identity", "hearth.identity.v1.json"},
    {"uk.gov.hearth.person.view.v1", "hearth.person.view", "hearth.person.view.v1.json"},
    {"uk.gov.hearth.indicator.value.v1", "hearth.indicator.values",
     "hearth.indicator.value.v1.json"},
    {"uk.gov.hearth.indicator.fact.v1", "hearth.indicator.facts", "hearth.indicator.fact.v1.json"},
    {"uk.gov.hearth.indicator.cycle.v1", "hearth.indicator.values",
     "hearth.indicator.cycle.v1.json"},
};

const std::vector<std::string> kTopics = {"hearth.records",          "hearth.rejects",
                                          "hearth.identity",         "hearth.person.view",
                                          "hearth.indicator.values", "hearth.indicator.facts"};

hearth::config::JsonSchema schemaOf(json schema, const std::string& name) {
  auto parsed = hearth::config::JsonSchema::fromJson(std::move(schema));
  if (!parsed) throw std::runtime_error(name + ": " + parsed.error().message);
  return std::move(parsed).value();
}

json loadSchemaJson(const std::string& name) {
  const auto path = std::filesystem::path(HEARTH_SOURCE_DIR) / "config/schemas" / name;
  if (!std::filesystem::exists(path)) throw std::runtime_error(name + ": no such schema");
  return json::parse(readFile(path));
}

// A data schema, and each object form in its $defs on its own. The validator can only say that a
// value matches none of a oneOf's forms; the form it comes closest to says what is wrong.
struct DataSchema {
  hearth::config::JsonSchema whole;
  std::vector<std::pair<std::string, hearth::config::JsonSchema>> forms;

  explicit DataSchema(const std::string& name) : DataSchema(loadSchemaJson(name), name) {}
  DataSchema(const json& root, const std::string& name) : whole(schemaOf(root, name)) {
    if (!root.contains("$defs")) return;
    for (const auto& [def, schema] : root.at("$defs").items()) {
      if (schema.value("type", json()) != "object") continue;
      forms.emplace_back(def, schemaOf({{"$defs", root.at("$defs")}, {"$ref", "#/$defs/" + def}},
                                       name + "#/$defs/" + def));
    }
  }

  std::vector<std::string> validate(const json& data) const {
    std::vector<std::string> problems;
    for (const auto& error : whole.validate(data)) {
      problems.push_back("/data" + error.toString());
      if (error.message != "does not match any of the allowed forms") continue;
      const json& value = data.at(json::json_pointer(error.pointer));
      const std::pair<std::string, hearth::config::JsonSchema>* closest = nullptr;
      std::vector<hearth::config::SchemaError> closest_errors;
      for (const auto& form : forms) {
        auto errors = form.second.validate(value);
        if (closest == nullptr || errors.size() < closest_errors.size()) {
          closest = &form;
          closest_errors = std::move(errors);
        }
      }
      for (size_t i = 0; i < closest_errors.size() && i < 3; ++i) {
        problems.push_back("  closest form " + closest->first + ": /data" + error.pointer +
                           closest_errors[i].toString());
      }
    }
    return problems;
  }
};

// Parses JSON keeping the first of repeated object keys, and reports the pointer of every repeat.
// A schema validator sees the parsed document, where a repeated key has silently replaced the
// first (nlohmann, like most parsers, keeps the last): the repeat itself must be caught here.
json parseReportingRepeatedKeys(std::string_view text, std::vector<std::string>& repeated) {
  struct Frame {
    bool is_array = false;
    size_t next_index = 0;
    std::string key;  // the key whose value comes next, in an object
    std::set<std::string> keys;
    std::string pointer;
  };
  std::vector<Frame> frames;
  auto nextToken = [&frames]() -> std::string {
    Frame& frame = frames.back();
    return frame.is_array ? std::to_string(frame.next_index++) : frame.key;
  };
  return json::parse(text, [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        std::string pointer =
            frames.empty() ? "" : hearth::config::childPointer(frames.back().pointer, nextToken());
        frames.push_back(
            {event == json::parse_event_t::array_start, 0, {}, {}, std::move(pointer)});
        return true;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames.pop_back();
        return true;
      case json::parse_event_t::key: {
        Frame& frame = frames.back();
        frame.key = parsed.get<std::string>();
        if (frame.keys.insert(frame.key).second) return true;
        repeated.push_back(hearth::config::childPointer(frame.pointer, frame.key));
        return false;  // drop the repeat: the first value is the one the encoder meant
      }
      case json::parse_event_t::value:
        if (!frames.empty() && frames.back().is_array) ++frames.back().next_index;
        return true;
    }
    return true;
  });
}

// A string member of an event, or "" when the event is not an object or the member no string.
std::string stringMember(const json& event, const char* name) {
  if (!event.is_object()) return "";
  const auto it = event.find(name);
  return it != event.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string truncated(std::string_view text, size_t limit = 600) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "... (" + std::to_string(text.size()) + " bytes)";
}

TEST(EventSchemas, EveryPublishedEventMatchesTheSchemaOfItsType) {
  TempDir dir;
  const auto council = dir.path() / "council";
  // The default mess rate: mistyped codes and impossible dates give rejects and queries.
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "9", "--scale", "0.01", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  // The synthetic council has no 2025/26 census items yet: one return of that year gives the
  // pre_proceedings records their events.
  const auto census_2026 = dir.path() / "cin_2026";
  std::filesystem::create_directories(census_2026);
  std::ofstream(census_2026 / "cin_census_2026.xml") << R"(<Message>
<Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>
<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails><Source><LEA>999</LEA></Source></Header>
<Children><Child>
<ChildIdentifiers><LAchildID>PP0001</LAchildID><PersonBirthDate>2016-02-11</PersonBirthDate>
<Sex>F</Sex></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
<CINdetails><CINreferralDate>2025-04-07</CINreferralDate><ReferralSource>1A</ReferralSource>
<PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
<PreProceedingsandFGDM><PPStartDate>2025-06-02</PPStartDate><LBPSentDate>2025-06-05</LBPSentDate>
<FGDMMeetingOffer>true</FGDMMeetingOffer><FGDMMeetingFac>true</FGDMMeetingFac>
<InitialPPMeetingDate>2025-06-19</InitialPPMeetingDate><ReviewMeetingsCount>2</ReviewMeetingsCount>
<StepDecisionDate>2025-10-01</StepDecisionDate><PPOutcome>C</PPOutcome>
<CourtAppDate>2025-10-20</CourtAppDate><LetterInitCPDate>2025-10-21</LetterInitCPDate>
</PreProceedingsandFGDM></CINdetails>
</Child></Children></Message>
)";

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = demoConnectors(council) +
                            "  - name: trust_cin_2026\n    plugin: cin_census\n"
                            "    normalise: {kind: cin_census, source_system: trust_cms}\n"
                            "    settings:\n      directory: " +
                            census_2026.string() + "\n";
  options.extra_yaml =
      "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
      "  postcode_lookup: " +
      (council / "reference/postcode_lookup.csv").string() +
      "\n  population_estimates: " + (council / "reference/population_estimates.csv").string() +
      "\n";
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(180s), 0) << daemon.process().stderrText();

  // The same events as a CloudEvents consumer reads them, by code that shares nothing with
  // Hearth's: kcat with the Kafka headers, Python's json and python3-jsonschema (2020-12). It
  // runs while Hearth's own validator below reads them too.
  std::vector<std::string> args = {
      std::string(HEARTH_SOURCE_DIR) + "/tests/e2e/cloudevents_check.py",
      "--bootstrap",
      kafka.bootstrap(),
      "--schemas",
      std::string(HEARTH_SOURCE_DIR) + "/config/schemas",
      "--area-code",
      "E06000062",
      "--kcat",
      HEARTH_KCAT_PATH};
  args.insert(args.end(), kTopics.begin(), kTopics.end());
  ChildProcess check(HEARTH_SYSTEM_PYTHON3, args, dir.path(), "cloudevents_check");

  const auto envelope_schema = schemaOf(loadSchemaJson("cloudevent.v1.json"), "cloudevent.v1.json");
  std::map<std::string, DataSchema> data_schemas;
  std::map<std::string, std::string> topic_of_type;
  for (const EventType& t : kEventTypes) {
    data_schemas.emplace(t.type, DataSchema(t.schema_file));
    topic_of_type.emplace(t.type, t.topic);
  }

  // The first few failing events of each type, so that one broken type does not hide another.
  constexpr size_t kEventsShownPerType = 3;
  constexpr size_t kProblemsShownPerEvent = 6;
  std::map<std::string, std::vector<std::string>> failures_of_type;
  std::map<std::string, size_t> failing_events_of_type;
  std::map<std::string, size_t> events_of_type;
  std::map<std::string, size_t> canonical_kinds;
  for (const std::string& topic : kTopics) {
    consumeAll(kafka.bootstrap(), topic, [&](std::string_view, std::string_view payload) {
      // A null value on the compacted person view topic is a tombstone, not an event.
      if (payload.empty() && topic == "hearth.person.view") return;
      std::vector<std::string> problems;  // "pointer: message" of this event
      std::vector<std::string> repeated;
      json event;
      try {
        event = parseReportingRepeatedKeys(payload, repeated);
      } catch (const json::exception& e) {
        problems.push_back(std::string("not JSON: ") + e.what());
      }
      const std::string type = stringMember(event, "type");
      ++events_of_type[type];
      if (type == "uk.gov.hearth.canonical.v1") ++canonical_kinds[stringMember(event, "subject")];
      for (const std::string& pointer : repeated) problems.push_back(pointer + ": repeated key");
      if (problems.empty()) {
        for (const auto& error : envelope_schema.validate(event)) {
          problems.push_back("envelope " + error.toString());
        }
        const auto schema = data_schemas.find(type);
        if (schema == data_schemas.end()) {
          problems.push_back("/type: no schema for the type " + type);
        } else {
          if (topic_of_type.at(type) != topic) problems.push_back("/type: not a type of " + topic);
          if (event.contains("data")) {
            for (std::string& problem : schema->second.validate(event.at("data"))) {
              problems.push_back(std::move(problem));
            }
          }
        }
      }
      if (problems.empty()) return;
      ++failing_events_of_type[type];
      std::vector<std::string>& failures = failures_of_type[type];
      if (failures.size() == kEventsShownPerType) return;
      std::string failure = "on " + topic + ":\n";
      for (size_t i = 0; i < problems.size() && i < kProblemsShownPerEvent; ++i) {
        failure += "  " + problems[i] + "\n";
      }
      failures.push_back(failure + "  in " + truncated(payload) + "\n");
    });
  }

  for (const auto& [type, failing] : failing_events_of_type) {
    std::string shown;
    for (const std::string& failure : failures_of_type[type]) shown += failure;
    ADD_FAILURE() << failing << " events of type " << (type.empty() ? "(none)" : type)
                  << " break their schema; the first errors:\n"
                  << shown;
  }
  for (const EventType& t : kEventTypes) {
    EXPECT_GT(events_of_type[t.type], 0u) << "no " << t.type << " event was published";
  }
  EXPECT_EQ(canonical_kinds["pre_proceedings"], 1u);
  for (const auto& [type, count] : events_of_type) {
    EXPECT_TRUE(data_schemas.contains(type))
        << count << " events of a type without a schema: " << (type.empty() ? "(none)" : type);
  }
  std::cout << "events by type:";
  for (const auto& [type, count] : events_of_type) std::cout << ' ' << type << '=' << count;

  EXPECT_EQ(check.wait(300s), 0) << check.stdoutText() << check.stderrText();
  std::cout << "\nindependent check: " << check.stdoutText();
}

}  // namespace
}  // namespace hearth::testing
