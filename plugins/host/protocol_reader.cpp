#include "plugins/host/protocol_reader.hpp"

#include <cstdio>

namespace hearth::host::protocol {
namespace {

using nlohmann::json;

// Deeper documents are refused before they are parsed: printing or freeing one recurses.
constexpr int kMaxDepth = 64;

bool tooDeep(std::string_view line) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

const json* member(const json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string stringMember(const json& object, std::string_view name) {
  const json* value = member(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// A field's value as the record's text: strings as they are, numbers and booleans as written,
// objects and arrays as compact JSON.
void valueText(const json& value, Field& field) {
  field.is_null = value.is_null();
  if (value.is_string()) {
    field.value = value.get_ref<const std::string&>();
  } else if (field.is_null) {
    field.value.clear();
  } else {
    field.value = value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// A stable source key for a record whose stream declares no primary key: the same data always
// gives the same key, so a record read again after a restart is recognised as the same one.
std::string contentKey(const json& data) {
  const std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::string streamId(const json& descriptor) {
  const std::string ns = stringMember(descriptor, "namespace");
  const std::string name = stringMember(descriptor, "name");
  return ns.empty() ? name : ns + "." + name;
}

std::string hearthType(const json& property) {
  const json* type = member(property, "type");
  std::string name;
  if (type != nullptr && type->is_string()) name = type->get<std::string>();
  if (type != nullptr && type->is_array()) {
    for (const json& each : *type) {
      if (each.is_string() && each != "null") name = each.get<std::string>();
    }
  }
  const std::string format = stringMember(property, "format");
  if (name == "string" && format == "date") return "date";
  if (name == "string" && format == "date-time") return "timestamp";
  if (name == "integer") return "int";
  if (name == "number") return "number";
  if (name == "boolean") return "bool";
  return "string";
}

}  // namespace

bool MessageDecoder::fail(std::string code, std::string message) {
  problem_ = {std::move(code), std::move(message)};
  return false;
}

bool MessageDecoder::decode(std::string_view line) {
  if (tooDeep(line)) {
    return fail("protocol.too_deep", "nested deeper than " + std::to_string(kMaxDepth));
  }
  const json message = json::parse(line.begin(), line.end(), nullptr, false);
  if (message.is_discarded()) return fail("protocol.not_json", "not a JSON document");
  if (!message.is_object()) return fail("protocol.not_an_object", "not a JSON object");
  const json* type = member(message, "type");
  if (type == nullptr || !type->is_string()) {
    return fail("protocol.no_type", "a message without a string \"type\"");
  }
  const auto& name = type->get_ref<const std::string&>();
  auto body = [&](std::string_view key) -> const json* {
    const json* part = member(message, key);
    return part != nullptr && part->is_object() ? part : nullptr;
  };
  auto missing = [&](std::string_view key) {
    return fail("protocol.malformed",
                "a " + name + " message without its \"" + std::string(key) + "\" object");
  };
  if (name == "RECORD") {
    type_ = MessageType::kRecord;
    const json* record = body("record");
    return record != nullptr ? decodeRecord(*record) : missing("record");
  }
  if (name == "STATE") {
    type_ = MessageType::kState;
    const json* state = body("state");
    return state != nullptr ? decodeState(*state) : missing("state");
  }
  if (name == "LOG") {
    type_ = MessageType::kLog;
    const json* log = body("log");
    if (log == nullptr) return missing("log");
    log_level_ = stringMember(*log, "level");
    text_ = stringMember(*log, "message");
    return true;
  }
  if (name == "TRACE") {
    type_ = MessageType::kTrace;
    const json* trace = body("trace");
    return trace != nullptr ? decodeTrace(*trace) : missing("trace");
  }
  if (name == "CONNECTION_STATUS") {
    type_ = MessageType::kConnectionStatus;
    const json* status = body("connectionStatus");
    if (status == nullptr) return missing("connectionStatus");
    succeeded_ = stringMember(*status, "status") == "SUCCEEDED";
    text_ = stringMember(*status, "message");
    return true;
  }
  if (name == "CATALOG") {
    type_ = MessageType::kCatalog;
    const json* catalog = body("catalog");
    return catalog != nullptr ? decodeCatalog(*catalog) : missing("catalog");
  }
  if (name == "SPEC") {
    type_ = MessageType::kSpec;
    const json* spec = body("spec");
    if (spec == nullptr) return missing("spec");
    const json* schema = member(*spec, "connectionSpecification");
    if (schema == nullptr || !schema->is_object()) {
      return fail("protocol.malformed", "a SPEC without its connectionSpecification object");
    }
    text_ = schema->dump(-1, ' ', false, json::error_handler_t::replace);
    return true;
  }
  if (name == "REJECT") {
    type_ = MessageType::kReject;
    const json* reject = body("reject");
    return reject != nullptr ? decodeReject(*reject) : missing("reject");
  }
  if (name == "CONTROL" || name == "DESTINATION_CATALOG") {
    type_ = MessageType::kIgnored;
    return true;
  }
  return fail("protocol.unknown_type", "unknown message type \"" + name.substr(0, 64) + "\"");
}

bool MessageDecoder::decodeRecord(const json& body) {
  RecordMessage& record = record_;
  const json* stream = member(body, "stream");
  const json* data = member(body, "data");
  if (stream == nullptr || !stream->is_string() || stream->get_ref<const std::string&>().empty()) {
    return fail("protocol.malformed", "a RECORD without its stream name");
  }
  if (data == nullptr || !data->is_object()) {
    return fail("protocol.malformed", "a RECORD without its \"data\" object");
  }
  record.stream = stream->get<std::string>();
  const std::string ns = stringMember(body, "namespace");
  const std::string id = ns.empty() ? record.stream : ns + "." + record.stream;
  record.fields.resize(data->size());
  size_t i = 0;
  for (auto it = data->begin(); it != data->end(); ++it, ++i) {
    record.fields[i].name = it.key();
    valueText(it.value(), record.fields[i]);
  }
  // emitted_at is when the connector read the record, not when the source changed it: the
  // source time stays unknown unless Hearth's own part gives it.
  record.time_ms = 0;
  record.location.clear();
  record.key.clear();

  // Hearth's additions, for connectors that know their records' keys and origins.
  if (const json* hearth = member(body, "hearth"); hearth != nullptr && hearth->is_object()) {
    record.key = stringMember(*hearth, "key");
    record.location = stringMember(*hearth, "location");
    if (const json* time = member(*hearth, "source_time_ms");
        time != nullptr && time->is_number_integer()) {
      record.time_ms = time->get<int64_t>();
    }
  }
  if (!record.key.empty()) return true;
  const auto keys = primary_keys_.find(id);
  if (keys == primary_keys_.end() || keys->second.empty()) {
    record.key = contentKey(*data);
    return true;
  }
  for (const std::string& field : keys->second) {
    const json* value = member(*data, field);
    if (value == nullptr || value->is_null()) {
      return fail("protocol.no_key",
                  "a " + record.stream + " record without its key field " + field.substr(0, 64));
    }
    if (!record.key.empty()) record.key.push_back('|');
    record.key += value->is_string() ? value->get<std::string>()
                                     : value->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return true;
}

bool MessageDecoder::decodeState(const json& body) {
  const std::string kind = stringMember(body, "type");
  const bool ok = (kind == "STREAM" && member(body, "stream") != nullptr &&
                   member(*member(body, "stream"), "stream_descriptor") != nullptr) ||
                  (kind == "GLOBAL" && member(body, "global") != nullptr) ||
                  ((kind.empty() || kind == "LEGACY") && member(body, "data") != nullptr);
  if (!ok) return fail("protocol.malformed", "a STATE that is neither stream, global nor legacy");
  state_ = body;
  return true;
}

bool MessageDecoder::decodeTrace(const json& body) {
  trace_ = {};
  const std::string kind = stringMember(body, "type");
  if (kind == "ERROR") {
    trace_.kind = TraceMessage::Kind::kError;
    const json* error = member(body, "error");
    if (error == nullptr) return fail("protocol.malformed", "an ERROR trace without its error");
    trace_.message = stringMember(*error, "message");
    trace_.failure_type = stringMember(*error, "failure_type");
  } else if (kind == "ESTIMATE") {
    trace_.kind = TraceMessage::Kind::kEstimate;
    const json* estimate = member(body, "estimate");
    const json* rows = estimate != nullptr ? member(*estimate, "row_estimate") : nullptr;
    if (rows != nullptr && rows->is_number_unsigned()) trace_.row_estimate = rows->get<uint64_t>();
  }
  return true;
}

bool MessageDecoder::decodeCatalog(const json& body) {
  std::string problem;
  if (!toHearthCatalog(body, catalog_, problem)) return fail("protocol.malformed", problem);
  return true;
}

bool MessageDecoder::decodeReject(const json& body) {
  reject_ = {stringMember(body, "stream"),      stringMember(body, "source_key"),
             stringMember(body, "reason_code"), stringMember(body, "message"),
             stringMember(body, "location"),    stringMember(body, "raw")};
  if (reject_.reason_code.empty()) {
    return fail("protocol.malformed", "a REJECT without its reason_code");
  }
  return true;
}

bool toHearthCatalog(const json& airbyte, Catalog& out, std::string& problem) {
  const json* streams = member(airbyte, "streams");
  if (streams == nullptr || !streams->is_array()) {
    problem = "a CATALOG without its streams array";
    return false;
  }
  out = {};
  out.airbyte = airbyte;
  json hearth_streams = json::array();
  for (const json& stream : *streams) {
    const std::string name = stringMember(stream, "name");
    if (name.empty()) {
      problem = "a catalog stream without a name";
      return false;
    }
    json fields = json::array();
    const json* schema = member(stream, "json_schema");
    const json* properties = schema != nullptr ? member(*schema, "properties") : nullptr;
    if (properties != nullptr && properties->is_object()) {
      for (auto it = properties->begin(); it != properties->end(); ++it) {
        fields.push_back({{"name", it.key()}, {"type", hearthType(it.value())}});
      }
    }
    hearth_streams.push_back({{"name", name}, {"fields", std::move(fields)}});
    std::vector<std::string> key;
    if (const json* pk = member(stream, "source_defined_primary_key"); pk && pk->is_array()) {
      for (const json& path : *pk) {
        // Only top-level fields make a key; a nested path names its first step.
        if (path.is_array() && !path.empty() && path[0].is_string()) {
          key.push_back(path[0].get<std::string>());
        }
      }
    }
    out.primary_keys[streamId(stream)] = std::move(key);
  }
  out.hearth_json = json{{"streams", std::move(hearth_streams)}}.dump();
  return true;
}

json configuredCatalog(const json& airbyte) {
  json streams = json::array();
  const json* declared = member(airbyte, "streams");
  if (declared == nullptr || !declared->is_array()) return json{{"streams", streams}};
  for (const json& stream : *declared) {
    bool incremental = false;
    if (const json* modes = member(stream, "supported_sync_modes"); modes && modes->is_array()) {
      for (const json& mode : *modes) incremental = incremental || mode == "incremental";
    }
    json configured = {{"stream", stream},
                       {"sync_mode", incremental ? "incremental" : "full_refresh"},
                       {"destination_sync_mode", "append"}};
    if (const json* pk = member(stream, "source_defined_primary_key")) {
      configured["primary_key"] = *pk;
    }
    if (const json* cursor = member(stream, "default_cursor_field")) {
      configured["cursor_field"] = *cursor;
    }
    streams.push_back(std::move(configured));
  }
  return json{{"streams", std::move(streams)}};
}

bool StateBook::load(std::string_view token) {
  global_ = nullptr;
  streams_.clear();
  if (token.empty()) return true;
  const json states = tooDeep(token) ? json(json::value_t::discarded)
                                     : json::parse(token.begin(), token.end(), nullptr, false);
  if (states.is_discarded() || !states.is_array()) {
    // A checkpoint saved while the connector ran in-process: hearth-plugin-host takes it back
    // in this form, so a plugin moved into a process of its own resumes where it was.
    global_ = {{"type", "GLOBAL"},
               {"global", {{"shared_state", {{"hearth_checkpoint", std::string(token)}}}}}};
    return true;
  }
  for (const json& state : states) {
    if (!state.is_object()) return false;
    add(state);
  }
  return true;
}

void StateBook::add(const json& state_message) {
  if (stringMember(state_message, "type") == "STREAM") {
    const json* stream = member(state_message, "stream");
    const json* descriptor = stream != nullptr ? member(*stream, "stream_descriptor") : nullptr;
    streams_[descriptor != nullptr ? streamId(*descriptor) : std::string()] = state_message;
    return;
  }
  // A global or legacy state stands for every stream.
  streams_.clear();
  global_ = state_message;
}

std::string StateBook::token() const {
  json states = json::array();
  if (!global_.is_null()) states.push_back(global_);
  for (const auto& [stream, state] : streams_) states.push_back(state);
  return states.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace hearth::host::protocol
