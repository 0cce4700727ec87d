#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "daemon/log/logger.hpp"

namespace hearth::admin {

/// Whether the daemon can take work; when not, a short reason: "starting", "draining",
/// "kafka unavailable", "state store unavailable".
struct Readiness {
  bool ready = false;
  std::string reason;
};

/// What a route handler sees of a request.
struct Request {
  std::string method;  // as sent: "GET", "POST"
  std::string path;    // the target without its query: "/api/v1/connectors/demo_csv/pause"
  std::string query;   // after '?', not decoded
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first header of that name, compared case-insensitively; empty if absent.
  std::string_view header(std::string_view name) const;
};

/// What a route handler answers.
struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response text(unsigned status, std::string body);
  static Response json(unsigned status, std::string body);
};

/// Handlers run on the io thread: they must answer quickly and never block.
using Handler = std::function<Response(const Request&)>;

/// Who may call a route: anyone who can reach the port, or bearer-token holders only.
enum class Access { kOpen, kToken };

/// The error code a control callback returns for a connector it does not know; answered 404.
inline constexpr std::string_view kUnknownConnector = "connector.unknown";

struct AdminOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;   // 0 lets the kernel pick; see AdminServer::port()
  std::string token;           // bearer token for Access::kToken routes; empty answers them 403
  bool require_token = false;  // every route needs the token, as if all were Access::kToken
  /// A whole request must arrive within this of the connection waiting for it (from accept, or
  /// from the previous response); bytes trickling in do not extend it.
  std::chrono::milliseconds read_timeout{5000};
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  /// Open connections. When all are taken, a new connection closes the one that has waited
  /// longest for its request, so slow or idle clients cannot starve /readyz; it is refused only
  /// when every connection is busy answering.
  std::size_t max_connections = 64;
  std::size_t max_accepts_per_second = 1000;  // beyond this, connections wait in the backlog
  std::chrono::milliseconds refusal_log_interval{10000};  // at most one warning line per interval
  log::Sink* log_sink = nullptr;                          // default: stderr
};

/// What the daemon tells the built-in routes. A route whose callback is empty is not served.
/// Callbacks run on the io thread (on several at once if the io_context has several threads).
struct AdminCallbacks {
  std::function<Readiness()> readiness;                 // GET /readyz
  std::function<std::string()> metrics;                 // GET /metrics, Prometheus text
  std::function<std::string()> connectors;              // GET /api/v1/connectors, JSON
  std::function<Result<void>(std::string_view name,     // POST /api/v1/connectors/{name}/{action},
                             std::string_view action)>  // action: pause, resume or restart
      control;
};

namespace detail {
class ServerCore;
}

/// The admin HTTP/1.1 endpoint: health, readiness, metrics and connector control.
///
/// Runs on the daemon's io_context and never blocks it. Built-in routes: GET /livez, GET /readyz,
/// GET /metrics, GET /api/v1/connectors and POST /api/v1/connectors/{name}/{action} (token).
class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, AdminOptions options, AdminCallbacks callbacks);
  /// Stops; destroy before the io_context.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Adds a route; call before start(). A path ending in '/' matches every path below it,
  /// otherwise the path must match exactly. The longest matching path wins.
  void addRoute(std::string method, std::string path, Handler handler,
                Access access = Access::kOpen);

  /// Binds and starts accepting; fails if the address is invalid or the port taken.
  Result<void> start();

  /// The bound port, useful when the options asked for port 0.
  std::uint16_t port() const;

  /// Closes the listening socket and every connection once its response in flight is written.
  /// Safe to call from any thread and more than once.
  void stop();

 private:
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace hearth::admin
