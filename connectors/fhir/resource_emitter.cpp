#include "connectors/fhir/resource_emitter.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "common/source_timestamp.hpp"
#include "common/time_zone.hpp"

namespace hearth::connectors::fhir {
namespace {

// How much of a rejected line a reject carries.
constexpr size_t kMaxRawBytes = 4096;

std::string_view truncateText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t length = limit;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return text.substr(0, length);
}

int64_t instantMs(std::string_view text) {
  if (text.empty()) return 0;
  return parseSourceTimestampMs(text, TimeZone::utc()).value_or(0);
}

bool isAnnounced(const std::vector<std::string>& announced, std::string_view type) {
  return announced.empty() ||
         std::find(announced.begin(), announced.end(), type) != announced.end();
}

}  // namespace

ResourceEmitter::ResourceEmitter(const sdk::HostApi& host, const sdk::Emitter& emitter,
                                 size_t max_line_bytes)
    : host_(host), emitter_(emitter), max_line_bytes_(max_line_bytes) {}

void ResourceEmitter::locate(std::string_view source, uint64_t line) {
  location_.assign(source);
  location_ += ':';
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof(digits), line);
  location_.append(digits, written.ptr);
}

hearth_status ResourceEmitter::reject(std::string_view stream, std::string_view reason,
                                      std::string_view message, std::string_view location,
                                      std::string_view raw) {
  ++rejects_;
  host_.counterAdd("fhir_rejects", 1);
  return emitter_.reject({.stream = stream,
                          .source_key = {},
                          .reason_code = reason,
                          .message = message,
                          .location = location,
                          .raw = truncateText(raw, kMaxRawBytes)});
}

bool ResourceEmitter::isStale(int64_t last_updated_ms) {
  if (!drop_duplicates_) return false;
  auto [it, inserted] = newest_.try_emplace(key_, last_updated_ms);
  if (inserted) return false;
  if (last_updated_ms > it->second) {
    it->second = last_updated_ms;
    return false;
  }
  ++duplicates_;
  host_.counterAdd("fhir_duplicates_dropped", 1);
  return true;
}

std::optional<hearth_status> ResourceEmitter::screen(const Line& line, std::string_view source) {
  // Blank lines separate nothing in NDJSON; they are tolerated, not rejected.
  if (!line.too_long && line.text.find_first_not_of(" \t\r") == std::string_view::npos) {
    return HEARTH_OK;
  }
  locate(source, line.number);
  if (!line.too_long) return std::nullopt;
  message_ = "the line is " + std::to_string(line.length) + " bytes long, over the " +
             std::to_string(max_line_bytes_) + " allowed (max_line_bytes)";
  return reject({}, reasonCode(LineProblem::kTooLong), message_, location_, line.text);
}

hearth_status ResourceEmitter::resourceLine(const Line& line, std::string_view source,
                                            const std::vector<std::string>& announced) {
  if (std::optional<hearth_status> done = screen(line, source)) return *done;
  const LineProblem problem = parser_.parse(line.text);
  if (problem != LineProblem::kNone) {
    return reject({}, reasonCode(problem), parser_.message(), location_, line.text);
  }
  const ResourceHead& head = parser_.head();
  if (!isAnnounced(announced, head.resource_type)) {
    message_ = "a " + std::string(head.resource_type) +
               " in a file the manifest announced as holding " + announced.front();
    return reject(head.resource_type, "fhir.unexpected_type", message_, location_, line.text);
  }
  return emitParsed(line.text, location_);
}

hearth_status ResourceEmitter::resource(std::string_view json, std::string_view location) {
  const LineProblem problem = parser_.parse(json);
  if (problem != LineProblem::kNone) {
    return reject({}, reasonCode(problem), parser_.message(), location, json);
  }
  return emitParsed(json, location);
}

hearth_status ResourceEmitter::emitParsed(std::string_view json, std::string_view location) {
  const ResourceHead& head = parser_.head();
  key_.assign(head.resource_type);
  key_ += '/';
  key_ += head.id;
  const int64_t time_ms = instantMs(head.last_updated);
  if (isStale(time_ms)) return HEARTH_OK;
  hearth_field fields[2] = {sdk::field("resource", json),
                            sdk::field("last_updated", head.last_updated, HEARTH_FIELD_TIMESTAMP)};
  const size_t field_count = head.last_updated.empty() ? 1 : 2;
  ++records_;
  ++per_type_[std::string(head.resource_type)];
  return emitter_.record({.stream = head.resource_type,
                          .source_key = key_,
                          .source_time_ms = time_ms,
                          .location = location,
                          .fields = {fields, field_count}});
}

hearth_status ResourceEmitter::deletedLine(const Line& line, std::string_view source) {
  if (std::optional<hearth_status> done = screen(line, source)) return *done;
  const std::vector<std::string> references = parser_.deletedReferences(line.text);
  if (references.empty()) {
    return reject({}, "fhir.bad_deleted_entry", parser_.message(), location_, line.text);
  }
  for (const std::string& reference : references) {
    const std::string_view type = std::string_view(reference).substr(0, reference.find('/'));
    const hearth_field fields[2] = {sdk::field("resource", ""),
                                    sdk::field("deleted", "true", HEARTH_FIELD_BOOL)};
    ++records_;
    if (const hearth_status status = emitter_.record({.stream = type,
                                                      .source_key = reference,
                                                      .source_time_ms = 0,
                                                      .location = location_,
                                                      .fields = fields});
        status != HEARTH_OK) {
      return status;
    }
  }
  return HEARTH_OK;
}

uint64_t ResourceEmitter::resourcesOf(std::string_view type) const {
  const auto it = per_type_.find(std::string(type));
  return it == per_type_.end() ? 0 : it->second;
}

}  // namespace hearth::connectors::fhir
