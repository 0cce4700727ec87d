// libFuzzer target for the record decoders behind every normalised connector: raw records of any
// layout of the registry (the 903 return, the CIN census, the SSD tables, ...) and of a layout
// written as data (a connector's mapping:, with its date formats and code maps) into canonical
// records.
//
// Input: the first byte picks the source layout and stream (any of the registry); the rest is the
// record, one "name=value" per line ("name" alone is a NULL). Besides crashes and sanitizer reports
// it checks what must hold for any record: every finding has a code, a record with a reject finding
// gives no canonical record, and each canonical record encodes, privately, without a full birth
// date.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/canonical/json.hpp"
#include "pipelines/events/canonical_event.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/mapping.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace {

namespace normalise = hearth::pipelines::normalise;
using hearth::pipelines::FieldView;
using hearth::pipelines::RawRecordView;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

struct Target {
  const normalise::Layout* layout;
  std::string_view stream;
};

// A mapping reading every kind of canonical field: formatted and ISO dates, codes through a
// code map and from a statutory list, flags, counts, postcodes and checked identifiers.
const std::shared_ptr<const normalise::Layout>& mappedLayout() {
  static const std::shared_ptr<const normalise::Layout> kLayout = [] {
    normalise::RecordRule episode{.kind = "cla_episode", .subject = "id"};
    episode.fields = {{.target = "start", .from = "start", .date_format = "%d-%b-%Y %H:%M"},
                      {.target = "end", .from = "end"},
                      {.target = "legal_status", .from = "ls", .codes = {{"care", "C2"}}},
                      {.target = "placement_type", .from = "place"},
                      {.target = "home_postcode", .from = "postcode"}};
    normalise::RecordRule person{.kind = "person", .subject = "id"};
    person.fields = {{.target = "birth_date", .from = "dob", .date_format = "%d/%m/%Y"},
                     {.target = "sex", .from = "sex", .codes = {{"Female", "F"}}},
                     {.target = "given_name", .from = "name"}};
    person.identifiers = {{.scheme = "nhs", .from = "nhs"}, {.scheme = "upn", .from = "upn"}};
    normalise::RecordRule neet{.kind = "neet_status", .subject = "id"};
    neet.fields = {{.target = "academic_age", .from = "age"}, {.target = "send", .from = "send"}};
    return normalise::mappedLayout(
        {{{.stream = "rows", .records = {episode, person, neet}, .ignore = {"note"}}}}, "mapping");
  }();
  return kLayout;
}

// Every stream of every layout of the registry, and the mapped one: a layout is covered once it
// is registered.
const std::vector<Target>& targets() {
  static const std::vector<Target> kTargets = [] {
    std::vector<Target> all{{mappedLayout().get(), "rows"}};
    for (const normalise::Layout* layout : normalise::layouts()) {
      for (const normalise::StreamLayout& stream : layout->streams) {
        all.push_back({layout, stream.fields.stream});
      }
    }
    return all;
  }();
  return kTargets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Target& target = targets()[data[0] % targets().size()];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<FieldView> fields;
  for (size_t at = 0; at <= text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    const size_t equals = line.find('=');
    if (!line.empty()) {
      fields.push_back(equals == std::string_view::npos
                           ? FieldView{line, {}, true}
                           : FieldView{line.substr(0, equals), line.substr(equals + 1), false});
    }
    at = end + 1;
  }

  normalise::NormaliseContext context;
  context.layout = target.layout->name;
  context.connector = "fuzz";
  context.source_system = "fuzz_system";
  context.today = hearth::pipelines::canonical::Date{std::chrono::year{2025}, std::chrono::month{6},
                                                     std::chrono::day{1}};
  context.default_collection_year = 2024;
  if (target.layout == mappedLayout().get()) context.mapped_layout = mappedLayout();
  const normalise::Normaliser normaliser(context);
  normalise::NormaliseOutput out;
  // Named as a blade export is, so that school census session lines know their census.
  const RawRecordView raw{target.stream, "key-1", "2025_spring_fuzz.csv:1", 0, fields};
  const size_t produced = normaliser.normalise(raw, out);
  require(produced == out.records.size());

  bool rejected = false;
  for (const auto& finding : out.findings) {
    require(!finding.code.empty());
    rejected = rejected || finding.severity == hearth::pipelines::validation::Severity::kReject;
  }
  require(!rejected || out.records.empty());

  hearth::pipelines::Pseudonymiser pseudonymiser("a-fuzzing-key-of-at-least-32-characters", "f1");
  hearth::pipelines::CanonicalEventEncoder encoder({"fuzz", "fuzz", "1"}, pseudonymiser, "1");
  hearth::pipelines::EncodedEvent event;
  for (size_t i = 0; i < out.records.size(); ++i) {
    require(!hearth::pipelines::canonical::toJson(out.records[i]).empty());
    encoder.encode(out.records[i], "fuzz:1", i, 0, event);
    // Published birth dates are "YYYY-MM": the closing quote follows seven characters on.
    constexpr std::string_view kBirth = "\"birth_date\":\"";
    const size_t birth = event.payload.find(kBirth);
    require(birth == std::string::npos || event.payload[birth + kBirth.size() + 7] == '"');
  }
  return 0;
}
