#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/config/config.hpp"

namespace hearth::daemon::app {

struct RunOptions {
  bool once = false;              // one full read of every connector, then drain and exit
  bool print_indicators = false;  // with once: print the indicator table before exiting
};

/// The `hearthd run` process: wires configuration, state, Kafka, connectors and the admin server,
/// runs until SIGTERM or SIGINT (or, with --once, until every connector has read once), then
/// drains with a deadline. SIGHUP reloads the configuration, restarting only the connectors whose
/// configuration changed.
///
/// Threads: the io thread runs the admin server, signals and timers; the main thread (run())
/// owns the lifecycle and does the blocking work of starting, reloading and draining; each
/// connector reads on its own thread; the checkpoint committer writes SQLite on its own.
class Application {
 public:
  Application(config::Config config, RunOptions options);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  /// Returns the process exit code.
  int run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::daemon::app
