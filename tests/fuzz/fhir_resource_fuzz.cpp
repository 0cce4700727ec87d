// libFuzzer target for the FHIR layout: one resource's JSON text into canonical records.
//
// Input: the first byte picks the stream (Patient, Encounter, Condition) and whether the record
// is a deletion; the rest is the resource. Besides crashes and sanitizer reports it checks what
// must hold for any resource: every finding has a code and names its element, a reject gives no
// record, a deletion gives nothing else, and each record encodes, publishably.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipelines/canonical/json.hpp"
#include "pipelines/events/canonical_event.hpp"
#include "pipelines/normalise/fhir.hpp"

namespace {

namespace fhir = hearth::pipelines::normalise::fhir;
namespace canonical = hearth::pipelines::canonical;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

constexpr std::string_view kStreams[] = {"Patient", "Encounter", "Condition", "RelatedPerson"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view stream = kStreams[data[0] % std::size(kStreams)];
  const bool deleted = (data[0] & 0x80) != 0;
  const std::string_view resource(reinterpret_cast<const char*>(data + 1), size - 1);

  fhir::ResourceContext context;
  context.provenance.origin = canonical::Origin("trust", "fuzz", stream);
  context.provenance.source_key = std::string(stream) + "/1";
  context.location = "fuzz.ndjson:1";
  context.today =
      canonical::Date{std::chrono::year{2025}, std::chrono::month{6}, std::chrono::day{1}};
  hearth::pipelines::normalise::NormaliseOutput out;
  const size_t made = fhir::normaliseResource(context, resource, deleted ? "true" : "", out);

  require(made == out.records.size());
  if (deleted) require(out.withdrawn && out.records.empty() && out.findings.empty());
  bool rejected = false;
  for (const auto& finding : out.findings) {
    require(!finding.code.empty() && !finding.field.empty());
    rejected = rejected || finding.severity == hearth::pipelines::validation::Severity::kReject;
  }
  if (rejected) require(out.records.empty());

  static hearth::pipelines::Pseudonymiser pseudonymiser("a-fuzzing-key-of-at-least-32-characters",
                                                        "f1");
  for (const canonical::Record& record : out.records) {
    require(!canonical::toJson(record).empty());
    const canonical::Record shown = hearth::pipelines::publishable(record, pseudonymiser, "fuzz");
    require(
        !canonical::toJson(shown, {.include_provenance = false, .personal_dates_as_month = true})
             .empty());
  }
  return 0;
}
