#include "pipelines/events/record_event.hpp"

#include "pipelines/common/json_writer.hpp"

namespace hearth::pipelines {

std::string EventOrigin::sourceUri(std::string_view producer) const {
  std::string uri = "/hearth/";
  if (!area_code.empty()) uri.append(area_code).push_back('/');
  return uri.append(producer);
}

std::string EventOrigin::dataSchema(std::string_view type) const {
  constexpr std::string_view kTypePrefix = "uk.gov.";
  if (type.starts_with(kTypePrefix)) type.remove_prefix(kTypePrefix.size());
  return schema_base_url + std::string(type) + ".json";
}

namespace {

// The parts of a CloudEvents header around its id, subject and time; appendEventHeader() and
// EventHeaderWriter write the same header from them.
constexpr std::string_view kBeforeId = R"({"specversion":"1.0","id":")";
constexpr std::string_view kBeforeTime = R"(,"time":)";

// `","source":...,"type":"...","subject":`: what follows the id up to the subject.
void appendAfterId(std::string& out, std::string_view source_uri, std::string_view type) {
  out.append(R"(","source":)");
  appendJsonString(out, source_uri);
  out.append(R"(,"type":")").append(type).append(R"(","subject":)");
}

// `,"datacontenttype":...,"dataschema":...,"data":{`: what follows the time.
void appendAfterTime(std::string& out, std::string_view data_schema) {
  out.append(R"(,"datacontenttype":"application/json","dataschema":)");
  appendJsonString(out, data_schema);
  out.append(R"(,"data":{)");
}

}  // namespace

void appendEventHeader(std::string& out, std::string_view id, std::string_view source_uri,
                       std::string_view type, std::string_view data_schema,
                       std::string_view subject, int64_t now_ms) {
  out.append(kBeforeId).append(id);
  appendAfterId(out, source_uri, type);
  appendJsonString(out, subject);
  out.append(kBeforeTime);
  appendJsonTimestampMs(out, now_ms);
  appendAfterTime(out, data_schema);
}

void appendProvenanceStart(std::string& out, const SourceInfo& source) {
  out.append(R"({"connector":)");
  appendJsonString(out, source.connector);
  out.append(R"(,"plugin":)");
  appendJsonString(out, source.plugin);
  out.append(R"(,"plugin_version":)");
  appendJsonString(out, source.plugin_version);
}

EventHeaderWriter::EventHeaderWriter(std::string_view source_uri, std::string_view type,
                                     std::string_view data_schema) {
  appendAfterId(after_id_, source_uri, type);
  appendAfterTime(after_time_, data_schema);
}

void EventHeaderWriter::append(std::string& out, std::string_view id, std::string_view subject_json,
                               int64_t now_ms) {
  if (now_ms != time_ms_) {
    time_ms_ = now_ms;
    time_json_.clear();
    appendJsonTimestampMs(time_json_, now_ms);
  }
  out.append(kBeforeId).append(id).append(after_id_).append(subject_json);
  out.append(kBeforeTime).append(time_json_).append(after_time_);
}

RecordEventEncoder::RecordEventEncoder(SourceInfo source, Pseudonymiser pseudonymiser,
                                       FieldPolicy policy, std::string rule_version)
    : source_(std::move(source)),
      source_uri_(source_.origin.sourceUri("connectors/" + source_.connector)),
      record_schema_(source_.origin.dataSchema(kRecordEventType)),
      reject_schema_(source_.origin.dataSchema(kRejectEventType)),
      record_header_(source_uri_, kRecordEventType, record_schema_),
      pseudonymiser_(std::move(pseudonymiser)),
      policy_(std::move(policy)),
      rule_version_(std::move(rule_version)) {
  // The same for every event of this encoder: written once.
  appendProvenanceStart(provenance_json_, source_);
  provenance_json_.append(R"(,"rule_version":)");
  appendJsonString(provenance_json_, rule_version_);
  provenance_json_.push_back('}');
}

const RecordEventEncoder::CachedAction& RecordEventEncoder::cachedAction(size_t index,
                                                                         std::string_view name) {
  if (index >= action_cache_.size()) action_cache_.resize(index + 1);
  CachedAction& cached = action_cache_[index];
  if (!cached.valid || cached.name != name) {
    const FieldPolicy::Decision decision = policy_.decide(name);
    cached = {std::string(name),
              FieldPolicy::normaliseName(name),
              decision.action,
              decision.form,
              true,
              {}};
    appendJsonString(cached.json_name, name);
    cached.json_name.push_back(':');
  }
  return cached;
}

void RecordEventEncoder::encode(const RawRecordView& record, int64_t now_ms, EncodedEvent& out) {
  ids_.add(source_.connector);
  ids_.add(record.stream);
  ids_.add(record.source_key);
  for (const auto& field : record.fields) {
    ids_.add(field.name);
    ids_.add(field.is_null ? std::string_view("\0", 1) : field.value);
  }
  ids_.add(rule_version_);
  id_.clear();
  ids_.finishInto(id_);

  if (key_domain_stream_ != record.stream || key_domain_.empty()) {
    key_domain_stream_.assign(record.stream);
    key_domain_ = source_.connector + "/" + key_domain_stream_;
    stream_json_.clear();
    appendJsonString(stream_json_, record.stream);
  }
  out.key.clear();
  pseudonymiser_.appendPseudonym(out.key, key_domain_, record.source_key);

  std::string& p = out.payload;
  p.clear();
  record_header_.append(p, id_, stream_json_, now_ms);
  p.append(R"("stream":)");
  p.append(stream_json_);
  p.append(R"(,"key":")");
  p.append(out.key);
  p.append(R"(","source_time":)");
  if (record.source_time_ms != 0) {
    appendJsonTimestampMs(p, record.source_time_ms);
  } else {
    p.append("null");
  }
  p.append(R"(,"location":)");
  appendJsonString(p, record.location);
  p.append(R"(,"provenance":)");
  p.append(provenance_json_);
  p.append(R"(,"fields":{)");
  bool first = true;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const FieldView& field = record.fields[i];
    const CachedAction& decision = cachedAction(i, field.name);
    const FieldAction action = decision.action;
    if (action == FieldAction::kDrop) continue;
    if (!first) p.push_back(',');
    first = false;
    p.append(decision.json_name);
    if (field.is_null) {
      p.append("null");
      continue;
    }
    switch (action) {
      case FieldAction::kKeep:
        appendJsonString(p, field.value);
        break;
      case FieldAction::kPseudonymise: {
        const std::string value = normaliseIdentifier(decision.form, field.value);
        if (value.empty()) {
          p.append("null");
        } else {
          p.push_back('"');
          pseudonymiser_.appendPseudonym(p, decision.domain, value);
          p.push_back('"');
        }
        break;
      }
      case FieldAction::kBirthMonth: {
        const std::string month = birthMonth(field.value);
        month.empty() ? p.append("null") : (appendJsonString(p, month), p);
        break;
      }
      case FieldAction::kPostcodeSector: {
        const std::string sector = postcodeSector(field.value);
        sector.empty() ? p.append("null") : (appendJsonString(p, sector), p);
        break;
      }
      case FieldAction::kDrop:
        break;
    }
  }
  p.append("}}}");
}

void RecordEventEncoder::encodeReject(const RejectView& reject, int64_t now_ms, EncodedEvent& out) {
  ids_.add(source_.connector);
  ids_.add(reject.stream);
  ids_.add(reject.location);
  ids_.add(reject.reason_code);
  ids_.add(reject.raw);
  ids_.add(reject.field);
  id_.clear();
  ids_.finishInto(id_);

  out.key.assign(reject.source_key.empty() ? reject.location : reject.source_key);
  std::string& p = out.payload;
  p.clear();
  appendEventHeader(p, id_, source_uri_, kRejectEventType, reject_schema_, reject.stream, now_ms);
  p.append(R"("stream":)");
  appendJsonString(p, reject.stream);
  p.append(R"(,"source_key":)");
  appendJsonStringLossy(p, reject.source_key);
  p.append(R"(,"reason":)");
  appendJsonString(p, reject.reason_code);
  p.append(R"(,"severity":)");
  appendJsonString(p, reject.severity);
  if (!reject.field.empty()) {
    p.append(R"(,"field":)");
    appendJsonString(p, reject.field);
  }
  if (reject.code_list_year > 0) {
    p.append(R"(,"code_list_year":)");
    appendJsonInt(p, reject.code_list_year);
  }
  p.append(R"(,"message":)");
  appendJsonString(p, reject.message);
  p.append(R"(,"location":)");
  appendJsonString(p, reject.location);
  p.append(R"(,"raw":)");
  appendJsonStringLossy(p, reject.raw);
  p.append(R"(,"provenance":)");
  p.append(provenance_json_);
  p.append("}}");
}

}  // namespace hearth::pipelines
