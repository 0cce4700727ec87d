// hearth-plugin-host: runs one connector plugin (.so) in a process of its own and speaks the
// Airbyte protocol for it on stdout, so that a plugin is isolated from the daemon by
// configuration (`isolation: process`). A crash here ends this process only.
//
//   hearth-plugin-host PLUGIN.so spec
//   hearth-plugin-host PLUGIN.so check --config FILE
//   hearth-plugin-host PLUGIN.so discover --config FILE
//   hearth-plugin-host PLUGIN.so read --config FILE --catalog FILE [--state FILE]
//
// Records carry Hearth's additions (`record.hearth`: the source key, location and source time)
// and rejects are REJECT messages; the plugin's checkpoint travels as a GLOBAL state whose
// shared_state is {"hearth_checkpoint": TOKEN}.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipelines/common/json_writer.hpp"
#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace {

using nlohmann::json;
using namespace hearth;

constexpr size_t kOutputBuffer = 1 << 20;

// Protocol output: whole lines, written through one large buffer; flushed at each state so that
// the daemon can commit it promptly.
class Output {
 public:
  Output() { std::setvbuf(stdout, nullptr, _IOFBF, kOutputBuffer); }
  void line(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  }
  void flush() { std::fflush(stdout); }
};

Output out;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void logMessage(std::string_view level, std::string_view message) {
  std::string line = R"({"type":"LOG","log":{"level":)";
  pipelines::appendJsonStringLossy(line, level);
  line += R"(,"message":)";
  pipelines::appendJsonStringLossy(line, message);
  line += "}}";
  out.line(line);
}

int fail(const std::string& message, bool transient = false) {
  const json trace = {{"type", "TRACE"},
                      {"trace",
                       {{"type", "ERROR"},
                        {"emitted_at", nowMs()},
                        {"error",
                         {{"message", message},
                          {"failure_type", transient ? "transient_error" : "system_error"}}}}}};
  out.line(trace.dump(-1, ' ', false, json::error_handler_t::replace));
  out.flush();
  std::fprintf(stderr, "%s\n", message.c_str());
  return 1;
}

int fail(const Error& error) { return fail(error.message, error.code == host::kRetryCode); }

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view levelName(hearth_log_level level) {
  switch (level) {
    case HEARTH_LOG_DEBUG:
      return "DEBUG";
    case HEARTH_LOG_INFO:
      return "INFO";
    case HEARTH_LOG_WARN:
      return "WARN";
    case HEARTH_LOG_ERROR:
      return "ERROR";
  }
  return "INFO";
}

// The checkpoint token the daemon handed back, from a --state file this program wrote.
std::string checkpointOf(const json& states) {
  if (!states.is_array()) return {};
  for (const json& state : states) {
    const auto global = state.find("global");
    if (global == state.end() || !global->is_object()) continue;
    const auto shared = global->find("shared_state");
    if (shared == global->end() || !shared->is_object()) continue;
    const auto token = shared->find("hearth_checkpoint");
    if (token != shared->end() && token->is_string()) return token->get<std::string>();
  }
  return {};
}

std::string_view view(hearth_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}

// Writes what the plugin reads as protocol messages.
class ProtocolSink final : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    line_.assign(R"({"type":"RECORD","record":{"stream":)");
    pipelines::appendJsonStringLossy(line_, view(record.stream));
    line_.append(R"(,"emitted_at":)");
    pipelines::appendJsonInt(line_, nowMs());
    line_.append(R"(,"data":{)");
    for (size_t i = 0; i < record.field_count; ++i) {
      const hearth_field& field = record.fields[i];
      if (i != 0) line_.push_back(',');
      pipelines::appendJsonStringLossy(line_, view(field.name));
      line_.push_back(':');
      if (field.type == HEARTH_FIELD_NULL) {
        line_.append("null");
      } else {
        pipelines::appendJsonStringLossy(line_, view(field.value));
      }
    }
    line_.append(R"(},"hearth":{"key":)");
    pipelines::appendJsonStringLossy(line_, view(record.source_key));
    line_.append(R"(,"location":)");
    pipelines::appendJsonStringLossy(line_, view(record.location));
    line_.append(R"(,"source_time_ms":)");
    pipelines::appendJsonInt(line_, record.source_time_ms);
    line_.append("}}}");
    out.line(line_);
    return HEARTH_OK;
  }

  hearth_status onReject(const hearth_reject& reject) override {
    const std::pair<const char*, hearth_str> parts[] = {
        {"stream", reject.stream},           {"source_key", reject.source_key},
        {"reason_code", reject.reason_code}, {"message", reject.message},
        {"location", reject.location},       {"raw", reject.raw}};
    line_.assign(R"({"type":"REJECT","reject":{)");
    bool first = true;
    for (const auto& [name, value] : parts) {
      if (!first) line_.push_back(',');
      first = false;
      pipelines::appendJsonString(line_, name);
      line_.push_back(':');
      pipelines::appendJsonStringLossy(line_, view(value));
    }
    line_.append("}}");
    out.line(line_);
    return HEARTH_OK;
  }

  hearth_status onCheckpoint(std::string_view token) override {
    line_.assign(R"({"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{)"
                 R"("hearth_checkpoint":)");
    pipelines::appendJsonStringLossy(line_, token);
    line_.append("}}}}");
    out.line(line_);
    out.flush();
    return HEARTH_OK;
  }

  void onProgress(uint64_t /*done*/, uint64_t total, std::string_view /*unit*/) override {
    if (total == 0 || total == last_total_) return;
    last_total_ = total;
    line_.assign(R"({"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":)");
    pipelines::appendJsonInt(line_, nowMs());
    line_.append(R"(,"estimate":{"name":"all","type":"SYNC","row_estimate":)");
    pipelines::appendJsonInt(line_, static_cast<int64_t>(total));
    line_.append("}}}");
    out.line(line_);
  }

 private:
  std::string line_;
  uint64_t last_total_ = 0;
};

std::string schemaType(std::string_view hearth_type) {
  if (hearth_type == "int") return R"({"type":["null","integer"]})";
  if (hearth_type == "number") return R"({"type":["null","number"]})";
  if (hearth_type == "bool") return R"({"type":["null","boolean"]})";
  if (hearth_type == "date") return R"({"type":["null","string"],"format":"date"})";
  if (hearth_type == "timestamp") return R"({"type":["null","string"],"format":"date-time"})";
  return R"({"type":["null","string"]})";
}

// The plugin's stream catalogue as an Airbyte CATALOG message.
std::optional<json> catalogMessage(const std::string& hearth_catalogue) {
  const json declared = json::parse(hearth_catalogue, nullptr, false);
  if (declared.is_discarded() || !declared.contains("streams")) return std::nullopt;
  json streams = json::array();
  for (const json& stream : declared["streams"]) {
    json properties = json::object();
    if (stream.contains("fields") && stream["fields"].is_array()) {
      for (const json& field : stream["fields"]) {
        properties[field.value("name", "")] = json::parse(schemaType(field.value("type", "")));
      }
    }
    streams.push_back({{"name", stream.value("name", "")},
                       {"json_schema", {{"type", "object"}, {"properties", properties}}},
                       {"supported_sync_modes", {"full_refresh", "incremental"}},
                       {"source_defined_cursor", true}});
  }
  return json{{"type", "CATALOG"}, {"catalog", {{"streams", streams}}}};
}

struct Arguments {
  std::string plugin, verb, config, catalog, state;
};

std::optional<Arguments> parse(int argc, char** argv) {
  if (argc < 3) return std::nullopt;
  Arguments args{argv[1], argv[2], {}, {}, {}};
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--config") {
      args.config = argv[i + 1];
    } else if (flag == "--catalog") {
      args.catalog = argv[i + 1];
    } else if (flag == "--state") {
      args.state = argv[i + 1];
    } else {
      return std::nullopt;
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse(argc, argv);
  if (!args) {
    std::fprintf(stderr,
                 "usage: hearth-plugin-host PLUGIN.so spec|check|discover|read [--config FILE] "
                 "[--catalog FILE] [--state FILE]\n");
    return 2;
  }
  auto plugin = host::loadPlugin(args->plugin);
  if (!plugin) return fail(plugin.error());

  if (args->verb == "spec") {
    json schema = json::parse(plugin.value()->configSchema(), nullptr, false);
    if (schema.is_discarded()) return fail("the plugin's configuration schema is not JSON");
    out.line(json{{"type", "SPEC"}, {"spec", {{"connectionSpecification", schema}}}}.dump(
        -1, ' ', false, json::error_handler_t::replace));
    out.flush();
    return 0;
  }
  const auto config = readFile(args->config);
  if (!config) return fail("cannot read the configuration file " + args->config);

  host::HostServices services;
  services.log = [](hearth_log_level level, std::string_view message) {
    logMessage(levelName(level), message);
  };
  auto instance = host::ConnectorInstance::create(plugin.value(), *config, services);
  if (!instance) return fail(instance.error());

  if (args->verb == "check") {
    const auto checked = (*instance)->check();
    json status = {{"status", checked ? "SUCCEEDED" : "FAILED"}};
    if (!checked) status["message"] = checked.error().message;
    out.line(json{{"type", "CONNECTION_STATUS"}, {"connectionStatus", status}}.dump(
        -1, ' ', false, json::error_handler_t::replace));
    out.flush();
    return 0;
  }
  if (args->verb == "discover") {
    auto catalogue = (*instance)->discover();
    if (!catalogue) return fail(catalogue.error());
    const auto message = catalogMessage(*catalogue);
    if (!message) return fail("the plugin's stream catalogue is not JSON");
    out.line(message->dump(-1, ' ', false, json::error_handler_t::replace));
    out.flush();
    return 0;
  }
  if (args->verb == "read") {
    std::string checkpoint;
    if (!args->state.empty()) {
      const auto state = readFile(args->state);
      if (!state) return fail("cannot read the state file " + args->state);
      checkpoint = checkpointOf(json::parse(*state, nullptr, false));
    }
    ProtocolSink sink;
    auto outcome = (*instance)->read(checkpoint, sink);
    if (!outcome) return fail(outcome.error());
    out.flush();
    return 0;
  }
  return fail("unknown verb " + args->verb);
}
