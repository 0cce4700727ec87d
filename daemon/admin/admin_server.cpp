#include "daemon/admin/admin_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "daemon/log/logger.hpp"

namespace hearth::admin {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kConnectorsPath = "/api/v1/connectors";
constexpr std::string_view kControlPrefix = "/api/v1/connectors/";
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::chrono::milliseconds kLingerTimeout{1000};

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Compares without an early exit, so response time does not reveal how much of a guessed token
// was right. `expected` is never empty here.
bool constantTimeEquals(std::string_view expected, std::string_view given) {
  unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(expected[i % expected.size()] ^ given[i]);
  }
  return diff == 0;
}

// The token of an "Authorization: Bearer <token>" header (RFC 6750); empty if there is none.
std::string_view bearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !equalsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::string toJson(const nlohmann::json& value) {
  // Names come from the URL and may hold any bytes; never throw over invalid UTF-8.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response errorJson(unsigned status, std::string_view code, std::string_view message) {
  return Response::json(status, toJson({{"error", code}, {"message", message}}));
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return {};
}

Response Response::text(unsigned status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
}

Response Response::json(unsigned status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

namespace detail {

struct Route {
  std::string method;
  std::string path;
  Handler handler;
  Access access;

  bool matches(std::string_view request_path) const {
    if (path.ends_with('/')) return request_path.starts_with(path);
    return request_path == path;
  }
};

class Session;

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(net::io_context& io, AdminOptions options, AdminCallbacks callbacks);

  void addRoute(Route route) { routes_.push_back(std::move(route)); }
  Result<void> start();
  void stop();
  std::uint16_t port() const { return port_.load(); }
  const AdminOptions& options() const { return options_; }
  Response handle(const Request& request) const;

 private:
  void accept();
  void onAccept(beast::error_code ec, tcp::socket socket);
  void addBuiltInRoutes();
  std::optional<Response> refuse(const Request& request) const;
  Response control(const Request& request) const;

  bool takeAcceptToken();
  void makeRoom(tcp::socket& socket);
  void noteOverflow(bool evicted);

  net::io_context& io_;
  const AdminOptions options_;
  const AdminCallbacks callbacks_;
  std::vector<Route> routes_;
  // The acceptor, timers, session list, accept budget, overflow counts and stopped_ are only
  // touched on the acceptor's strand once start() has returned.
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::vector<std::weak_ptr<Session>> sessions_;
  bool stopped_ = false;
  double accept_tokens_ = 0;
  std::chrono::steady_clock::time_point tokens_refilled_;
  std::uint64_t evicted_ = 0;  // since the last warning line
  std::uint64_t refused_ = 0;
  std::optional<std::chrono::steady_clock::time_point> overflow_logged_;
  std::atomic<std::uint16_t> port_{0};
  log::Logger logger_;
};

// One client connection: reads requests in turn and answers each, on its own strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const ServerCore> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  void stop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      // A response being written finishes first; a pending read is abandoned.
      if (!self->writing_) self->stream_.cancel();
    });
  }

  /// Since when it has waited for a request (steady clock ticks), or 0 while it has none to
  /// wait for: answering, closing, or already chosen to make room.
  std::int64_t waitingSince() const { return waiting_since_.load(std::memory_order_relaxed); }

  /// Closes the connection to make room if it is still waiting for a request; false if it has
  /// meanwhile got one (or was chosen already).
  bool evict(std::int64_t seen_waiting_since) {
    if (!waiting_since_.compare_exchange_strong(seen_waiting_since, 0)) return false;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->writing_) self->stream_.cancel();
      self->stopping_ = true;
    });
    return true;
  }

 private:
  void read() {
    if (stopping_) return close();
    const AdminOptions& options = server_->options();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser_->body_limit(options.max_body_bytes);
    stream_.expires_after(options.read_timeout);
    waiting_since_ =
        std::max<std::int64_t>(1, std::chrono::steady_clock::now().time_since_epoch().count());
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t /*bytes*/) {
    waiting_since_ = 0;
    if (stopping_) return close();
    if (ec == http::error::body_limit) {
      return reply(Response::text(413, "request body too large\n"), 11, false);
    }
    if (ec == http::error::header_limit) {
      return reply(Response::text(431, "request header too large\n"), 11, false);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return reply(Response::text(400, "bad request\n"), 11, false);
    }
    if (ec) return close();

    const http::request<http::string_body> message = parser_->release();
    reply(server_->handle(toRequest(message)), message.version(), message.keep_alive());
  }

  static Request toRequest(const http::request<http::string_body>& message) {
    Request request;
    request.method = view(message.method_string());
    const std::string_view target = view(message.target());
    const size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) request.query = target.substr(question + 1);
    request.body = message.body();
    for (const auto& field : message) {
      request.headers.emplace_back(view(field.name_string()), view(field.value()));
    }
    return request;
  }

  void reply(const Response& response, unsigned version, bool keep_alive) {
    response_ = {};
    response_.version(version);
    response_.result(response.status);
    response_.set(http::field::server, "hearthd");
    response_.set(http::field::content_type, response.content_type);
    response_.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = response.body;
    response_.keep_alive(keep_alive && !stopping_);
    response_.prepare_payload();

    writing_ = true;
    stream_.expires_after(server_->options().read_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::onWrite, shared_from_this()));
  }

  void onWrite(beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    if (ec) return close();
    if (!response_.keep_alive()) return lingerThenClose();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  // Closing a socket with unread input resets the connection, which can destroy the response the
  // client has not read yet (say a 413 while it still sends the body). So half-close, and discard
  // input until the client closes too or a short deadline passes.
  void lingerThenClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min(server_->options().read_timeout, kLingerTimeout));
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->stream_.close();
                              self->drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<const ServerCore> server_;
  bool writing_ = false;
  bool stopping_ = false;
  std::atomic<std::int64_t> waiting_since_{0};
};

ServerCore::ServerCore(net::io_context& io, AdminOptions options, AdminCallbacks callbacks)
    : io_(io),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      acceptor_(net::make_strand(io)),
      retry_timer_(acceptor_.get_executor()),
      logger_("admin", options_.log_sink != nullptr ? *options_.log_sink : log::stderrSink()) {
  addBuiltInRoutes();
}

void ServerCore::addBuiltInRoutes() {
  addRoute(
      {"GET", "/livez", [](const Request&) { return Response::text(200, "ok\n"); }, Access::kOpen});
  if (callbacks_.readiness) {
    addRoute({"GET", "/readyz",
              [this](const Request&) {
                const Readiness readiness = callbacks_.readiness();
                if (readiness.ready) return Response::text(200, "ok\n");
                return Response::text(
                    503, (readiness.reason.empty() ? "not ready" : readiness.reason) + "\n");
              },
              Access::kOpen});
  }
  if (callbacks_.metrics) {
    addRoute({"GET", "/metrics",
              [this](const Request&) {
                Response response = Response::text(200, callbacks_.metrics());
                response.content_type = kMetricsContentType;
                return response;
              },
              Access::kOpen});
  }
  if (callbacks_.connectors) {
    addRoute({"GET", std::string(kConnectorsPath),
              [this](const Request&) { return Response::json(200, callbacks_.connectors()); },
              Access::kOpen});
  }
  if (callbacks_.control) {
    addRoute({"POST", std::string(kControlPrefix),
              [this](const Request& request) { return control(request); }, Access::kToken});
  }
}

Response ServerCore::control(const Request& request) const {
  const std::string_view rest = std::string_view(request.path).substr(kControlPrefix.size());
  const size_t slash = rest.find('/');
  const std::string_view name = rest.substr(0, slash);
  const std::string_view action =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const bool known_action = action == "pause" || action == "resume" || action == "restart";
  if (name.empty() || !known_action) {
    return errorJson(404, "admin.not_found", "expected /api/v1/connectors/{name}/{action}");
  }

  const Result<void> result = callbacks_.control(name, action);
  if (!result) {
    const bool unknown = result.error().code == kUnknownConnector;
    return errorJson(unknown ? 404 : 409, result.error().code, result.error().message);
  }
  return Response::json(200, toJson({{"connector", name}, {"action", action}, {"status", "ok"}}));
}

// Why a token route must not run, or nothing when the request carries the configured token.
std::optional<Response> ServerCore::refuse(const Request& request) const {
  if (options_.token.empty()) {
    return Response::text(403, "forbidden: no admin token is configured\n");
  }
  if (!constantTimeEquals(options_.token, bearerToken(request.header("Authorization")))) {
    Response response = Response::text(401, "unauthorized\n");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  return std::nullopt;
}

Response ServerCore::handle(const Request& request) const {
  const Route* match = nullptr;
  std::vector<std::string_view> allowed;  // methods of routes matching only by path
  for (const Route& route : routes_) {
    if (!route.matches(request.path)) continue;
    if (route.method != request.method) {
      allowed.push_back(route.method);
    } else if (match == nullptr || route.path.size() > match->path.size()) {
      match = &route;
    }
  }
  if (match == nullptr && allowed.empty()) return Response::text(404, "not found\n");
  if (match == nullptr) {
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string allow;
    for (std::string_view method : allowed)
      allow += (allow.empty() ? "" : ", ") + std::string(method);
    Response response = Response::text(405, "method not allowed\n");
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  if (match->access == Access::kToken || options_.require_token) {
    if (auto refusal = refuse(request)) return *refusal;
  }
  try {
    return match->handler(request);
  } catch (const std::exception& e) {
    // A failing handler answers 500; it must not take the io thread down.
    logger_.error("admin handler failed", {{"path", match->path}, {"error", e.what()}});
    return Response::text(500, "internal error\n");
  }
}

Result<void> ServerCore::start() {
  const std::string where = options_.bind + ":" + std::to_string(options_.port);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options_.bind, ec);
  if (ec) {
    return makeError("admin.bind", "admin: bind address \"" + options_.bind +
                                       "\" is not an IPv4 or IPv6 address");
  }
  const tcp::endpoint endpoint(address, options_.port);
  if (acceptor_.is_open()) return makeError("admin.bind", "admin: already started");
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return makeError("admin.bind", "admin: cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  logger_.info("admin server listening", {{"address", options_.bind}, {"port", port()}});
  net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
  return {};
}

void ServerCore::accept() {
  if (stopped_) return;
  if (!takeAcceptToken()) {
    // Over the accept rate: new connections wait in the kernel's backlog meanwhile.
    const auto wait = std::chrono::microseconds(
        1'000'000 / std::max<std::size_t>(1, options_.max_accepts_per_second) + 1);
    retry_timer_.expires_after(wait);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  acceptor_.async_accept(net::make_strand(io_),
                         beast::bind_front_handler(&ServerCore::onAccept, shared_from_this()));
}

// A token bucket holding a tenth of a second's worth of accepts.
bool ServerCore::takeAcceptToken() {
  const double rate =
      static_cast<double>(std::max<std::size_t>(1, options_.max_accepts_per_second));
  const double capacity = std::max(1.0, rate / 10);
  const auto now = std::chrono::steady_clock::now();
  if (tokens_refilled_ == std::chrono::steady_clock::time_point{}) {
    accept_tokens_ = capacity;
  } else {
    accept_tokens_ = std::min(
        capacity,
        accept_tokens_ + rate * std::chrono::duration<double>(now - tokens_refilled_).count());
  }
  tokens_refilled_ = now;
  if (accept_tokens_ < 1) return false;
  accept_tokens_ -= 1;
  return true;
}

// Every slot is taken: close the connection that has waited longest for its request, which a
// health probe (whose request arrives at once) never is; refuse the new one only if none waits.
void ServerCore::makeRoom(tcp::socket& socket) {
  for (;;) {
    std::shared_ptr<Session> oldest;
    std::int64_t oldest_since = 0;
    for (const auto& weak : sessions_) {
      auto session = weak.lock();
      if (!session) continue;
      const std::int64_t since = session->waitingSince();
      if (since != 0 && (oldest == nullptr || since < oldest_since)) {
        oldest = std::move(session);
        oldest_since = since;
      }
    }
    if (oldest == nullptr) {
      beast::error_code ignored;
      socket.close(ignored);
      noteOverflow(false);
      return;
    }
    if (oldest->evict(oldest_since)) {
      noteOverflow(true);
      return;
    }
  }
}

// One warning line per interval at most, with what happened since the last one.
void ServerCore::noteOverflow(bool evicted) {
  (evicted ? evicted_ : refused_) += 1;
  const auto now = std::chrono::steady_clock::now();
  if (overflow_logged_ && now - *overflow_logged_ < options_.refusal_log_interval) return;
  overflow_logged_ = now;
  logger_.warn(
      "admin connections over the limit: closed the longest-waiting unfinished "
      "requests or refused new connections",
      {{"limit", options_.max_connections}, {"closed", evicted_}, {"refused", refused_}});
  evicted_ = 0;
  refused_ = 0;
}

void ServerCore::onAccept(beast::error_code ec, tcp::socket socket) {
  if (stopped_ || ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: back off briefly instead of spinning.
    noteOverflow(false);
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }

  std::erase_if(sessions_, [](const auto& session) { return session.expired(); });
  if (sessions_.size() >= options_.max_connections) makeRoom(socket);
  if (socket.is_open()) {
    auto session = std::make_shared<Session>(std::move(socket), shared_from_this());
    sessions_.push_back(session);
    session->start();
  }
  accept();
}

void ServerCore::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stopped_ = true;
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
    for (const auto& weak : self->sessions_) {
      if (auto session = weak.lock()) session->stop();
    }
    self->sessions_.clear();
  });
}

}  // namespace detail

AdminServer::AdminServer(net::io_context& io, AdminOptions options, AdminCallbacks callbacks)
    : core_(std::make_shared<detail::ServerCore>(io, std::move(options), std::move(callbacks))) {}

AdminServer::~AdminServer() { stop(); }

void AdminServer::addRoute(std::string method, std::string path, Handler handler, Access access) {
  core_->addRoute({std::move(method), std::move(path), std::move(handler), access});
}

Result<void> AdminServer::start() { return core_->start(); }

std::uint16_t AdminServer::port() const { return core_->port(); }

void AdminServer::stop() { core_->stop(); }

}  // namespace hearth::admin
