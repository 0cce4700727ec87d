#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "plugins/host/connector.hpp"
#include "plugins/host/isolated_process.hpp"
#include "plugins/host/protocol_reader.hpp"

namespace hearth::host {

/// How a connector in a child process is run and fenced in.
struct ProcessOptions {
  std::string name;                  // the connector's name, for messages
  std::vector<std::string> command;  // the executable (absolute) and its arguments; verbs follow
  std::map<std::string, std::string> env;  // the child's whole environment
  ProcessLimits limits;
  /// The configuration, catalogue and state files go in a fresh 0700 directory under this one
  /// (empty: the system's temporary directory), removed when the child has ended.
  std::filesystem::path scratch_dir;
  /// A child that writes nothing on stdout for this long is killed.
  std::chrono::milliseconds silence_timeout{300000};
  /// A longer stdout line is not buffered further: the child is killed.
  size_t max_line_bytes = 64u << 20;
  /// Lines that are not protocol messages each become a reject; one more than this many in a
  /// run and the child is killed.
  uint64_t max_bad_lines = 100;
  /// stderr lines (and LOG messages) passed to the daemon's log each second; the rest are
  /// counted and the count logged.
  uint32_t log_lines_per_second = 20;
};

/// The verb and its exit, for the codes of the errors a run ends with.
inline constexpr std::string_view kProtocolCode = "connector.protocol";

/// A connector that is an executable speaking the Airbyte protocol: each verb runs it once
/// (`spec`, `check --config F`, `discover --config F`, `read --config F --catalog F [--state F]`)
/// and reads its stdout line by line. A STATE becomes the connector's checkpoint: the list of
/// states received so far, handed back as the `--state` file of the next read. A child that
/// fails in any way is killed with its whole process group and the verb fails; the daemon
/// retries a failed read with backoff from the last checkpoint.
class ProcessConnector final : public Connector {
 public:
  ProcessConnector(ProcessOptions options, std::string config_json, HostServices services);
  ~ProcessConnector() override;
  ProcessConnector(const ProcessConnector&) = delete;
  ProcessConnector& operator=(const ProcessConnector&) = delete;

  /// The connection specification the connector declares (a JSON Schema), as JSON text.
  Result<std::string> spec();
  Result<void> check() override;
  Result<std::string> discover() override;
  Result<ReadOutcome> read(std::string_view checkpoint, RecordSink& sink) override;
  void stop() override;

  /// What the last run's child did, for tests and figures: its wait status.
  std::optional<int> lastExit() const { return last_exit_; }

 private:
  /// What a verb does with the messages of its run; LOG and TRACE errors are handled by run().
  struct Handlers {
    /// A protocol message; false stops the run (the sink asked to stop).
    std::function<bool(const protocol::MessageDecoder&, uint64_t line)> message;
    /// A line that is not one; false stops the run.
    std::function<bool(const protocol::LineProblem&, std::string_view text, uint64_t line)> bad;
  };
  struct RunOutcome {
    bool stopped = false;  // by stop() or a handler
  };
  class ScratchFiles;
  class LogLimiter;

  Result<RunOutcome> run(std::string_view verb, const std::vector<std::string>& args,
                         const Handlers& handlers);
  Result<void> ensureCatalog();
  Error failure(std::string_view verb, std::string_view what, bool transient = false) const;
  void log(hearth_log_level level, std::string_view message);

  ProcessOptions options_;
  std::string config_json_;
  HostServices services_;
  std::optional<protocol::Catalog> catalog_;  // from the first discover
  std::optional<int> last_exit_;
  std::string trace_error_;  // the last TRACE error of the current run
  bool trace_transient_ = false;
  std::vector<hearth_field> fields_;  // reused for every record
  std::atomic<bool> stopped_{false};
  int wake_read_ = -1;  // stop() writes to wake_write_ to wake a run blocked in poll()
  int wake_write_ = -1;
  std::mutex verb_mutex_;
};

}  // namespace hearth::host
