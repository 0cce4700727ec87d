// `hearthd read`: what a configured connector emits, as JSON lines on stdout, like Airbyte's read
// or Vector's tap. By default each line is the event the daemon would publish (pseudonymised by
// the same encoders); --raw shows the source's own values, for the operator's eyes only.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/app/commands.hpp"
#include "daemon/app/normalise_contexts.hpp"
#include "pipelines/canonical/json.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/events/canonical_event.hpp"
#include "pipelines/events/record_event.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "pipelines/privacy/field_policy.hpp"
#include "pipelines/privacy/pseudonymiser.hpp"
#include "plugins/host/connector_instance.hpp"

namespace hearth::daemon::app {
namespace {

namespace normalise = pipelines::normalise;

std::string_view view(hearth_str s) { return {s.data, s.len}; }

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes each record (and with --canonical what normalisation makes of it) as a JSON line, and
// stops the read once `limit` records of the stream asked for were written.
class ReadPrinter : public host::RecordSink {
 public:
  ReadPrinter(const ReadOptions& options, pipelines::SourceInfo source,
              pipelines::Pseudonymiser pseudonymiser,
              std::optional<normalise::NormaliseContext> context)
      : options_(options),
        pseudonymiser_(pseudonymiser),
        raw_encoder_(source, pseudonymiser, pipelines::FieldPolicy(), "1"),
        canonical_encoder_(source, pseudonymiser, "1") {
    if (context) normaliser_.emplace(std::move(*context));
  }

  hearth_status onRecord(const hearth_record& record) override {
    const std::string_view stream = view(record.stream);
    if (!options_.stream.empty() && stream != options_.stream) return HEARTH_OK;
    if (options_.limit > 0 && written_ >= options_.limit) return HEARTH_CANCELLED;
    fields_.clear();
    for (size_t i = 0; i < record.field_count; ++i) {
      const hearth_field& f = record.fields[i];
      fields_.push_back({view(f.name), view(f.value), f.type == HEARTH_FIELD_NULL});
    }
    const pipelines::RawRecordView raw{stream, view(record.source_key), view(record.location),
                                       record.source_time_ms, fields_};
    if (options_.canonical && normaliser_) {
      printCanonical(raw);
    } else {
      printRaw(raw);
    }
    ++written_;
    return HEARTH_OK;
  }

  hearth_status onReject(const hearth_reject& reject) override {
    if (!options_.stream.empty() && view(reject.stream) != options_.stream) return HEARTH_OK;
    // A reject carries the source's text: only its reason and place are shown without --raw.
    std::string line = R"({"reject":{"stream":)";
    pipelines::appendJsonString(line, view(reject.stream));
    line += R"(,"reason":)";
    pipelines::appendJsonString(line, view(reject.reason_code));
    line += R"(,"location":)";
    pipelines::appendJsonStringLossy(line, view(reject.location));
    if (options_.raw) {
      line += R"(,"message":)";
      pipelines::appendJsonStringLossy(line, view(reject.message));
      line += R"(,"raw":)";
      pipelines::appendJsonStringLossy(line, view(reject.raw));
    }
    std::cout << line << "}}\n";
    return HEARTH_OK;
  }

  hearth_status onCheckpoint(std::string_view) override {
    return options_.limit > 0 && written_ >= options_.limit ? HEARTH_CANCELLED : HEARTH_OK;
  }

  size_t written() const { return written_; }

 private:
  void printRaw(const pipelines::RawRecordView& raw) {
    if (!options_.raw) {
      raw_encoder_.encode(raw, nowMs(), encoded_);
      std::cout << encoded_.payload << '\n';
      return;
    }
    std::string line = R"({"stream":)";
    pipelines::appendJsonString(line, raw.stream);
    line += R"(,"source_key":)";
    pipelines::appendJsonStringLossy(line, raw.source_key);
    line += R"(,"location":)";
    pipelines::appendJsonStringLossy(line, raw.location);
    line += R"(,"fields":{)";
    for (size_t i = 0; i < raw.fields.size(); ++i) {
      if (i != 0) line.push_back(',');
      pipelines::appendJsonStringLossy(line, raw.fields[i].name);
      line.push_back(':');
      if (raw.fields[i].is_null) {
        line += "null";
      } else {
        pipelines::appendJsonStringLossy(line, raw.fields[i].value);
      }
    }
    std::cout << line << "}}\n";
  }

  void printCanonical(const pipelines::RawRecordView& raw) {
    output_.clear();
    normaliser_->normalise(raw, output_);
    if (output_.records.empty() && output_.findings.empty()) {
      printRaw(raw);  // a stream the layout does not cover is published field by field
      return;
    }
    for (size_t i = 0; i < output_.records.size(); ++i) {
      if (options_.raw) {
        std::cout << pipelines::canonical::toJson(output_.records[i], {.location = raw.location})
                  << '\n';
      } else {
        canonical_encoder_.encode(output_.records[i], raw.location, i, nowMs(), encoded_);
        std::cout << encoded_.payload << '\n';
      }
    }
    for (const auto& finding : output_.findings) {
      std::string line = R"({"finding":{"code":)";
      pipelines::appendJsonString(line, finding.code);
      line += R"(,"severity":)";
      line += finding.severity == pipelines::validation::Severity::kReject ? R"("reject")"
                                                                           : R"("query")";
      line += R"(,"field":)";
      pipelines::appendJsonStringLossy(line, finding.field);
      line += R"(,"message":)";
      pipelines::appendJsonStringLossy(line, finding.message);
      line += R"(,"stream":)";
      pipelines::appendJsonString(line, finding.stream);
      line += R"(,"location":)";
      pipelines::appendJsonStringLossy(line, finding.location);
      line += R"(,"source_key":)";
      if (options_.raw) {
        pipelines::appendJsonStringLossy(line, finding.source_key);
      } else {
        pipelines::appendJsonString(line,
                                    pseudonymiser_.pseudonym(finding.stream, finding.source_key));
      }
      std::cout << line << "}}\n";
    }
    for (std::string_view field : output_.unmapped) {
      std::string line = R"({"unmapped":{"stream":)";
      pipelines::appendJsonString(line, raw.stream);
      line += R"(,"field":)";
      pipelines::appendJsonStringLossy(line, field);
      std::cout << line << "}}\n";
    }
  }

  const ReadOptions& options_;
  pipelines::Pseudonymiser pseudonymiser_;
  pipelines::RecordEventEncoder raw_encoder_;
  pipelines::CanonicalEventEncoder canonical_encoder_;
  std::optional<normalise::Normaliser> normaliser_;
  normalise::NormaliseOutput output_;
  std::vector<pipelines::FieldView> fields_;
  pipelines::EncodedEvent encoded_;
  size_t written_ = 0;
};

}  // namespace

int readCommand(const std::filesystem::path& config_path, const std::string& connector,
                const ReadOptions& options) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  const config::ConnectorConfig* entry = nullptr;
  for (const auto& c : config->connectors) {
    if (c.name == connector) entry = &c;
  }
  if (entry == nullptr) {
    std::cerr << config_path.string() << ": no connector named \"" << connector << "\"\n";
    return kUsage;
  }
  if (options.canonical && entry->normalise.kind.empty()) {
    std::cerr << connector << ": has no normalise: section, so --canonical has nothing to show\n";
    return kUsage;
  }
  if (options.raw) {
    std::cerr << "hearthd read: --raw shows the source's own values, names and identifiers "
                 "included; keep the output out of logs, tickets and shared places\n";
  }
  auto created = connectorInstance(config_path, connector);
  if (!created) return kFailed;
  pipelines::Pseudonymiser pseudonymiser(config->privacy.pseudonym_key.reveal(),
                                         config->privacy.key_version);
  const pipelines::SourceInfo source{connector,
                                     created->plugin_name,
                                     created->plugin_version,
                                     {.area_code = config->indicators.area_code}};
  ReadPrinter printer(options, source, pseudonymiser, normaliseContext(*entry));
  // Always from the beginning: the daemon's checkpoint is neither read nor moved.
  auto outcome = created->connector->read("", printer);
  std::cout.flush();
  if (!outcome) {
    std::cerr << connector << ": read failed: " << outcome.error().message << '\n';
    return kFailed;
  }
  std::cerr << connector << ": " << printer.written() << " records shown\n";
  return kOk;
}

}  // namespace hearth::daemon::app
