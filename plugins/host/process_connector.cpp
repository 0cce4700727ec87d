#include "plugins/host/process_connector.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace hearth::host {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 64 * 1024;
// A stderr line is logged up to this long; a reject keeps this much of a bad line.
constexpr size_t kMaxLoggedLine = 4096;
// After stdout closes: how long stderr may still take, and the child to exit.
constexpr auto kExitGrace = std::chrono::seconds(10);
// How often a run looks whether its child has ended while the pipes stay quiet.
constexpr auto kExitPoll = std::chrono::milliseconds(50);
// The stream the rejects of lines that are not protocol messages are filed under: such a line
// belongs to no stream of the connector's.
constexpr std::string_view kProtocolStream = "protocol";

hearth_str strOf(std::string_view text) { return {text.data(), text.size()}; }

hearth_log_level levelOf(std::string_view airbyte_level) {
  if (airbyte_level == "ERROR" || airbyte_level == "FATAL") return HEARTH_LOG_ERROR;
  if (airbyte_level == "WARN") return HEARTH_LOG_WARN;
  if (airbyte_level == "DEBUG" || airbyte_level == "TRACE") return HEARTH_LOG_DEBUG;
  return HEARTH_LOG_INFO;
}

Result<void> writePrivateFile(const std::filesystem::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return makeError("process.files", path.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return makeError("process.files", path.string() + ": " + std::strerror(error));
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  return {};
}

}  // namespace

// A private directory for one run's files (the configuration holds secrets): 0700, its files
// 0600, all removed when the run ends, whatever way it ends.
class ProcessConnector::ScratchFiles {
 public:
  static Result<ScratchFiles> create(const std::filesystem::path& parent) {
    std::error_code ec;
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path(ec) : parent;
    if (!parent.empty()) std::filesystem::create_directories(base, ec);
    std::string pattern = (base / "connector-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return makeError("process.files", "cannot create a private directory in " + base.string() +
                                            ": " + std::strerror(errno));
    }
    return ScratchFiles(pattern);
  }
  ScratchFiles(ScratchFiles&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }
  ScratchFiles& operator=(ScratchFiles&&) = delete;
  ~ScratchFiles() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  Result<std::string> add(std::string_view name, std::string_view content) {
    const auto path = dir_ / name;
    if (auto ok = writePrivateFile(path, content); !ok) return ok.error();
    return path.string();
  }

 private:
  explicit ScratchFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

// What a child writes to the daemon's log (stderr lines, LOG messages) is let through at a
// bounded rate: a connector that logs in a loop must not fill the disk. What is held back is
// counted and the count logged.
class ProcessConnector::LogLimiter {
 public:
  explicit LogLimiter(uint32_t per_second) : per_second_(per_second) {}
  bool allow() {
    const auto now = Clock::now();
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      in_window_ = 0;
    }
    if (in_window_ < per_second_) {
      ++in_window_;
      return true;
    }
    ++dropped_;
    return false;
  }
  uint64_t takeDropped() { return std::exchange(dropped_, 0); }

 private:
  uint32_t per_second_;
  Clock::time_point window_start_{};
  uint32_t in_window_ = 0;
  uint64_t dropped_ = 0;
};

ProcessConnector::ProcessConnector(ProcessOptions options, std::string config_json,
                                   HostServices services)
    : options_(std::move(options)),
      config_json_(std::move(config_json)),
      services_(std::move(services)) {
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = wake[0];
    wake_write_ = wake[1];
  }
}

ProcessConnector::~ProcessConnector() {
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

void ProcessConnector::stop() {
  stopped_.store(true);
  if (wake_write_ >= 0) {
    const char byte = 1;
    const ssize_t n = ::write(wake_write_, &byte, 1);  // full pipe: a wake-up is pending anyway
    (void)n;
  }
}

void ProcessConnector::log(hearth_log_level level, std::string_view message) {
  if (!services_.log) return;
  try {
    services_.log(level, message);
  } catch (...) {
    // A log line that cannot be written is lost; the run goes on.
  }
}

Error ProcessConnector::failure(std::string_view verb, std::string_view what,
                                bool transient) const {
  std::string text = "connector '" + options_.name + "' (" +
                     (options_.command.empty() ? std::string() : options_.command.front()) + ") " +
                     std::string(verb) + " failed: " + std::string(what);
  return makeError(std::string(transient ? kRetryCode : kFailedCode), std::move(text));
}

Result<ProcessConnector::RunOutcome> ProcessConnector::run(std::string_view verb,
                                                           const std::vector<std::string>& args,
                                                           const Handlers& handlers) {
  ProcessSpec spec;
  spec.argv = options_.command;
  spec.argv.emplace_back(verb);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = options_.env;
  spec.limits = options_.limits;
  trace_error_.clear();
  trace_transient_ = false;
  last_exit_.reset();

  auto spawned = IsolatedProcess::spawn(spec);
  if (!spawned) return failure(verb, spawned.error().message);
  IsolatedProcess& child = **spawned;

  protocol::LineSplitter out(options_.max_line_bytes);
  protocol::LineSplitter err(kMaxLoggedLine);
  protocol::MessageDecoder decoder;
  if (catalog_) decoder.setPrimaryKeys(catalog_->primary_keys);
  LogLimiter limiter(options_.log_lines_per_second);
  uint64_t bad_lines = 0;
  std::string problem;  // why the child is being killed
  bool stopped = false;

  auto logLine = [&](hearth_log_level level, std::string_view text) {
    if (limiter.allow()) {
      if (const uint64_t dropped = limiter.takeDropped(); dropped > 0) {
        log(HEARTH_LOG_WARN, std::to_string(dropped) + " log lines of the child not logged");
      }
      log(level, text.substr(0, kMaxLoggedLine));
    }
  };
  auto onLine = [&](std::string_view line) {
    if (line.empty()) return true;
    const uint64_t number = out.lines();
    if (!decoder.decode(line)) {
      ++bad_lines;
      if (!handlers.bad(decoder.problem(), line.substr(0, kMaxLoggedLine), number)) {
        stopped = true;
        return false;
      }
      if (bad_lines > options_.max_bad_lines) {
        problem = std::to_string(bad_lines) + " lines that are not protocol messages (the last, " +
                  "line " + std::to_string(number) + ": " + decoder.problem().message + ")";
        return false;
      }
      return true;
    }
    switch (decoder.type()) {
      case protocol::MessageType::kLog:
        logLine(levelOf(decoder.logLevel()), decoder.text());
        return true;
      case protocol::MessageType::kTrace:
        if (decoder.trace().kind == protocol::TraceMessage::Kind::kError) {
          trace_error_ = decoder.trace().message.substr(0, kMaxLoggedLine);
          trace_transient_ = decoder.trace().failure_type == "transient_error";
        }
        break;
      default:
        break;
    }
    if (!handlers.message(decoder, number)) {
      stopped = true;
      return false;
    }
    return true;
  };

  std::array<char, kReadChunk> buffer;
  auto last_output = Clock::now();
  bool out_open = true;
  bool err_open = true;
  Clock::time_point exit_deadline{};
  bool group_killed = false;
  while ((out_open || err_open) && problem.empty() && !stopped) {
    if (stopped_.load()) {
      stopped = true;
      break;
    }
    // What the child started may hold its pipes open after it died: once it has ended, the rest
    // of its group goes too, and what they wrote is read to the end.
    if (!group_killed && child.exited()) {
      child.killGroup();
      group_killed = true;
    }
    const auto now = Clock::now();
    Clock::time_point deadline;
    if (out_open) {
      deadline = last_output + options_.silence_timeout;
    } else {
      if (exit_deadline == Clock::time_point{}) exit_deadline = now + kExitGrace;
      deadline = exit_deadline;
    }
    if (now >= deadline) {
      problem = out_open ? "no output for " + std::to_string(options_.silence_timeout.count()) +
                               " ms (silence_timeout_ms)"
                         : "its stderr stayed open after stdout closed";
      break;
    }
    const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::array<pollfd, 3> fds{{{out_open ? child.stdoutFd() : -1, POLLIN, 0},
                               {err_open ? child.stderrFd() : -1, POLLIN, 0},
                               {wake_read_, POLLIN, 0}}};
    const int ready =
        ::poll(fds.data(), fds.size(),
               static_cast<int>(std::min<int64_t>(wait_ms.count() + 1, kExitPoll.count())));
    if (ready < 0) {
      if (errno == EINTR) continue;
      problem = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (fds[2].revents != 0) {
      char drain[64];
      while (::read(wake_read_, drain, sizeof drain) > 0) {
      }
      continue;  // the loop's head sees stopped_
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(child.stdoutFd(), buffer.data(), buffer.size());
      if (n > 0) {
        const auto fed = out.feed(std::string_view(buffer.data(), static_cast<size_t>(n)), onLine);
        if (fed == protocol::LineSplitter::Fed::kOverflow) {
          problem = "a stdout line longer than " + std::to_string(options_.max_line_bytes) +
                    " bytes (max_line_bytes)";
        }
        last_output = Clock::now();
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        out_open = false;
        const std::string rest = out.takeRest();
        if (!rest.empty()) onLine(rest);
      }
    }
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(child.stderrFd(), buffer.data(), buffer.size());
      if (n > 0) {
        const auto fed = err.feed(std::string_view(buffer.data(), static_cast<size_t>(n)),
                                  [&](std::string_view line) {
                                    if (!line.empty()) logLine(HEARTH_LOG_INFO, line);
                                    return true;
                                  });
        if (fed == protocol::LineSplitter::Fed::kOverflow) {
          logLine(HEARTH_LOG_WARN, "a stderr line longer than 4096 bytes was not logged");
        }
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        err_open = false;
        const std::string rest = err.takeRest();
        if (!rest.empty()) logLine(HEARTH_LOG_INFO, rest);
      }
    }
  }
  if (const uint64_t dropped = limiter.takeDropped(); dropped > 0) {
    log(HEARTH_LOG_WARN, std::to_string(dropped) + " log lines of the child not logged");
  }

  if (!problem.empty() || stopped) child.killGroup();
  child.closeStdout();
  child.closeStderr();
  auto status = child.wait(kExitGrace);
  if (!status) {
    child.killGroup();
    status = child.wait(kExitGrace);
    if (!problem.empty() || stopped) {
      // Killed below; already on its way out.
    } else {
      problem = "it closed its output but did not exit";
    }
  }
  last_exit_ = status;
  if (stopped) return RunOutcome{.stopped = true};
  if (!problem.empty()) return failure(verb, "killed: " + problem);
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    std::string what = status ? describeExit(*status) : "did not end";
    if (!trace_error_.empty()) what += ": " + trace_error_;
    return failure(verb, what, trace_transient_);
  }
  return RunOutcome{};
}

Result<std::string> ProcessConnector::spec() {
  std::lock_guard lock(verb_mutex_);
  std::optional<std::string> specification;
  const Handlers handlers{
      .message =
          [&](const protocol::MessageDecoder& decoder, uint64_t) {
            if (decoder.type() == protocol::MessageType::kSpec) {
              specification = decoder.specification();
            }
            return true;
          },
      .bad = [&](const protocol::LineProblem&, std::string_view, uint64_t) { return true; },
  };
  auto outcome = run("spec", {}, handlers);
  if (!outcome) return outcome.error();
  if (!specification) return failure("spec", "it printed no SPEC message");
  return *specification;
}

Result<void> ProcessConnector::check() {
  std::lock_guard lock(verb_mutex_);
  auto files = ScratchFiles::create(options_.scratch_dir);
  if (!files) return failure("check", files.error().message);
  auto config = files->add("config.json", config_json_);
  if (!config) return failure("check", config.error().message);
  std::optional<bool> succeeded;
  std::string message;
  const Handlers handlers{
      .message =
          [&](const protocol::MessageDecoder& decoder, uint64_t) {
            if (decoder.type() == protocol::MessageType::kConnectionStatus) {
              succeeded = decoder.succeeded();
              message = decoder.text();
            }
            return true;
          },
      .bad = [&](const protocol::LineProblem&, std::string_view, uint64_t) { return true; },
  };
  auto outcome = run("check", {"--config", *config}, handlers);
  if (!outcome) return outcome.error();
  if (!succeeded) return failure("check", "it printed no CONNECTION_STATUS message");
  if (!*succeeded) return failure("check", message.empty() ? "(no message)" : message);
  return {};
}

Result<std::string> ProcessConnector::discover() {
  std::lock_guard lock(verb_mutex_);
  catalog_.reset();
  if (auto ok = ensureCatalog(); !ok) return ok.error();
  return catalog_->hearth_json;
}

Result<void> ProcessConnector::ensureCatalog() {
  if (catalog_) return {};
  auto files = ScratchFiles::create(options_.scratch_dir);
  if (!files) return failure("discover", files.error().message);
  auto config = files->add("config.json", config_json_);
  if (!config) return failure("discover", config.error().message);
  std::optional<protocol::Catalog> catalog;
  const Handlers handlers{
      .message =
          [&](const protocol::MessageDecoder& decoder, uint64_t) {
            if (decoder.type() == protocol::MessageType::kCatalog) catalog = decoder.catalog();
            return true;
          },
      .bad = [&](const protocol::LineProblem&, std::string_view, uint64_t) { return true; },
  };
  auto outcome = run("discover", {"--config", *config}, handlers);
  if (!outcome) return outcome.error();
  if (outcome->stopped) return failure("discover", "stopped");
  if (!catalog) return failure("discover", "it printed no CATALOG message");
  catalog_ = std::move(catalog);
  return {};
}

Result<ReadOutcome> ProcessConnector::read(std::string_view checkpoint, RecordSink& sink) {
  std::lock_guard lock(verb_mutex_);
  if (stopped_.load()) return ReadOutcome{.cancelled = true};
  if (auto ok = ensureCatalog(); !ok) return ok.error();

  protocol::StateBook states;
  if (!states.load(checkpoint)) {
    return failure("read", "its checkpoint is not a list of Airbyte state messages");
  }
  auto files = ScratchFiles::create(options_.scratch_dir);
  if (!files) return failure("read", files.error().message);
  auto config = files->add("config.json", config_json_);
  if (!config) return failure("read", config.error().message);
  auto catalog = files->add("catalog.json", protocol::configuredCatalog(catalog_->airbyte).dump());
  if (!catalog) return failure("read", catalog.error().message);
  std::vector<std::string> args = {"--config", *config, "--catalog", *catalog};
  if (!states.empty()) {
    auto state = files->add("state.json", states.token());
    if (!state) return failure("read", state.error().message);
    args.insert(args.end(), {"--state", *state});
  }

  ReadOutcome outcome;
  std::string location;
  std::string token;
  auto accepted = [](hearth_status status) { return status == HEARTH_OK; };
  const Handlers handlers{
      .message =
          [&](const protocol::MessageDecoder& decoder, uint64_t line) {
            switch (decoder.type()) {
              case protocol::MessageType::kRecord: {
                const protocol::RecordMessage& record = decoder.record();
                fields_.resize(record.fields.size());
                for (size_t i = 0; i < record.fields.size(); ++i) {
                  const protocol::Field& field = record.fields[i];
                  fields_[i] = {strOf(field.name), strOf(field.value),
                                field.is_null ? HEARTH_FIELD_NULL : HEARTH_FIELD_STRING};
                }
                if (record.location.empty()) location = "stdout:" + std::to_string(line);
                const hearth_record view{
                    strOf(record.stream),
                    strOf(record.key),
                    record.time_ms,
                    strOf(record.location.empty() ? location : record.location),
                    fields_.data(),
                    fields_.size()};
                ++outcome.records;
                return accepted(sink.onRecord(view));
              }
              case protocol::MessageType::kState:
                states.add(decoder.state());
                token = states.token();
                ++outcome.checkpoints;
                return accepted(sink.onCheckpoint(token));
              case protocol::MessageType::kReject: {
                const protocol::RejectMessage& reject = decoder.reject();
                location =
                    reject.location.empty() ? "stdout:" + std::to_string(line) : reject.location;
                const hearth_reject view{strOf(reject.stream),      strOf(reject.key),
                                         strOf(reject.reason_code), strOf(reject.message),
                                         strOf(location),           strOf(reject.raw)};
                ++outcome.rejects;
                return accepted(sink.onReject(view));
              }
              case protocol::MessageType::kTrace:
                if (decoder.trace().kind == protocol::TraceMessage::Kind::kEstimate) {
                  sink.onProgress(outcome.records, decoder.trace().row_estimate, "records");
                }
                return true;
              default:
                return true;
            }
          },
      .bad =
          [&](const protocol::LineProblem& problem, std::string_view text, uint64_t line) {
            location = "stdout:" + std::to_string(line);
            const hearth_reject view{strOf(kProtocolStream), strOf(""),       strOf(problem.code),
                                     strOf(problem.message), strOf(location), strOf(text)};
            ++outcome.rejects;
            return accepted(sink.onReject(view));
          },
  };
  auto run_outcome = run("read", args, handlers);
  if (!run_outcome) return run_outcome.error();
  outcome.cancelled = run_outcome->stopped;
  return outcome;
}

}  // namespace hearth::host
