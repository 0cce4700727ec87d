// `hearthd connectors reset`: forgets where a connector has read to, on a running daemon through
// its admin API (which stops and restarts the connector), or on a stopped one in its state store.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/app/admin_client.hpp"
#include "daemon/app/commands.hpp"
#include "daemon/app/state_dir_lock.hpp"
#include "daemon/state/offset_reset.hpp"
#include "daemon/state/record_store.hpp"
#include "daemon/state/state_store.hpp"

namespace hearth::daemon::app {
namespace {

// The longest a running daemon may take to stop the connector, reset it and start it again.
constexpr auto kResetWait = std::chrono::seconds(120);

std::string what(const std::string& connector, const std::string& stream) {
  return stream.empty() ? "connector " + connector
                        : "stream " + stream + " of connector " + connector;
}

std::string percentEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int resetStopped(const config::Config& config, const std::string& connector,
                 const std::string& stream) {
  auto state = state::StateStore::open(config.state_dir);
  if (!state) {
    std::cerr << "hearthd: " << state.error().message << '\n';
    return kFailed;
  }
  auto records = state::RecordStore::open(config.state_dir, [](uint32_t, uint64_t) {});
  if (!records) {
    std::cerr << "hearthd: " << records.error().message << '\n';
    return kFailed;
  }
  auto forgotten = state::resetStoredOffsets(**state, records->get(), connector, stream);
  if (!forgotten) {
    std::cerr << "hearthd: " << forgotten.error().message << '\n';
    return kFailed;
  }
  std::cout << what(connector, stream) << ": reset (" << *forgotten
            << " stored records forgotten); it is read from the beginning at the next start\n";
  return kOk;
}

int resetRunning(const config::Config& config, const std::string& connector,
                 const std::string& stream) {
  std::string path = "/api/v1/connectors/" + percentEncoded(connector) + "/offsets";
  const std::string query = stream.empty() ? "" : "?stream=" + percentEncoded(stream);
  const AdminReply requested = adminRequest(config, "DELETE", path + query);
  if (!requested.error.empty() || requested.status != 202) {
    std::cerr << "hearthd: the running daemon refused the reset: "
              << (requested.error.empty() ? std::to_string(requested.status) + " " + requested.body
                                          : requested.error)
              << '\n';
    return kFailed;
  }
  const auto id = nlohmann::json::parse(requested.body, nullptr, false).value("reset", 0);
  const auto deadline = std::chrono::steady_clock::now() + kResetWait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const AdminReply shown = adminRequest(config, "GET", path);
    if (!shown.error.empty() || shown.status != 200) continue;
    const auto body = nlohmann::json::parse(shown.body, nullptr, false);
    const auto reset = body.is_object() ? body.value("reset", nlohmann::json()) : nlohmann::json();
    if (!reset.is_object() || reset.value("id", 0) != id) continue;
    const std::string status = reset.value("status", "");
    if (status == "pending") continue;
    if (status != "done") {
      std::cerr << "hearthd: the reset of " << what(connector, stream)
                << " failed: " << reset.value("error", nlohmann::json("")).dump() << '\n';
      return kFailed;
    }
    std::cout << what(connector, stream) << ": reset (" << reset.value("records_forgotten", 0)
              << " stored records forgotten); the daemon "
              << "restarted it and it is reading from the beginning\n";
    return kOk;
  }
  std::cerr << "hearthd: the running daemon did not finish the reset within " << kResetWait.count()
            << " s; see its log\n";
  return kFailed;
}

}  // namespace

int connectorsResetCommand(const std::filesystem::path& config_path, const std::string& connector,
                           const std::string& stream) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  bool known = false;
  for (const auto& c : config->connectors) known = known || c.name == connector;
  if (!known) {
    std::cerr << "hearthd: " << config_path.string() << " configures no connector named "
              << connector << '\n';
    return kUsage;
  }
  // Holding the state directory's lock, nothing else writes the checkpoints: the daemon is
  // stopped, and stays so until this ends. Otherwise the daemon that holds it does the reset.
  auto lock = StateDirLock::acquire(config->state_dir);
  if (lock) return resetStopped(*config, connector, stream);
  if (lock.error().code != "state.locked") {
    std::cerr << "hearthd: " << lock.error().message << '\n';
    return kFailed;
  }
  return resetRunning(*config, connector, stream);
}

}  // namespace hearth::daemon::app
