#include "daemon/admin/admin_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

namespace hearth::admin {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using HttpResponse = http::response<http::string_body>;

constexpr std::string_view kToken = "s3cret-admin-token-0123456789";

std::string str(beast::string_view s) { return std::string(s.data(), s.size()); }

// A blocking HTTP client on its own socket, so tests can also send malformed bytes.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  HttpResponse send(http::verb method, const std::string& target, const std::string& token = "",
                    std::string body = "") {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(socket_, request);
    return receive();
  }

  HttpResponse sendRaw(std::string_view bytes) {
    net::write(socket_, net::buffer(bytes.data(), bytes.size()));
    return receive();
  }

  HttpResponse receive() {
    HttpResponse response;
    beast::error_code ec;
    http::read(socket_, buffer_, response, ec);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  // True when the server has closed its side: the next read sees end of stream.
  bool closedByServer() {
    std::array<char, 64> data{};
    beast::error_code ec;
    socket_.read_some(net::buffer(data), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerTest() {
    callbacks_.readiness = [this] { return readiness_; };
    callbacks_.metrics = [] { return std::string("# TYPE hearth_up gauge\nhearth_up 1\n"); };
    callbacks_.connectors = [] {
      return std::string(R"([{"name":"demo_csv","state":"running"}])");
    };
    callbacks_.control = [this](std::string_view name, std::string_view action) -> Result<void> {
      calls_.push_back(std::string(name) + "/" + std::string(action));
      if (name == "busy") return makeError("connector.stopping", "demo_csv is stopping");
      if (name != "demo_csv") return makeError(std::string(kUnknownConnector), "no such connector");
      return {};
    };
    options_.port = 0;
    options_.token = kToken;
  }

  ~AdminServerTest() override { stopAndJoin(); }

  // Builds the server; tests may add routes before calling run().
  AdminServer& server() {
    if (!server_) server_ = std::make_unique<AdminServer>(io_, options_, callbacks_);
    return *server_;
  }

  std::uint16_t run() {
    const Result<void> started = server().start();
    EXPECT_TRUE(started.ok()) << (started ? "" : started.error().message);
    // No work guard: run() returns only once stop() has closed everything.
    io_thread_ = std::thread([this] { io_.run(); });
    return server().port();
  }

  void stopAndJoin() {
    if (server_) server_->stop();
    if (io_thread_.joinable()) io_thread_.join();
  }

  net::io_context io_;
  AdminOptions options_;
  AdminCallbacks callbacks_;
  Readiness readiness_{true, ""};
  std::vector<std::string> calls_;
  std::unique_ptr<AdminServer> server_;
  std::thread io_thread_;
};

TEST_F(AdminServerTest, PortZeroBindsAFreeLoopbackPort) {
  const std::uint16_t port = run();
  EXPECT_NE(port, 0);
  EXPECT_EQ(Client(port).send(http::verb::get, "/livez").result_int(), 200);
}

TEST_F(AdminServerTest, LivezAnswersOk) {
  const HttpResponse response = Client(run()).send(http::verb::get, "/livez?probe=1");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "ok\n");
  EXPECT_EQ(str(response[http::field::cache_control]), "no-store");
}

TEST_F(AdminServerTest, ReadyzAnswers200WhenReadyAnd503WithTheReasonOtherwise) {
  readiness_ = {false, "starting"};
  Client client(run());
  HttpResponse response = client.send(http::verb::get, "/readyz");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_EQ(response.body(), "starting\n");

  readiness_ = {false, "kafka unavailable"};
  response = client.send(http::verb::get, "/readyz");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_EQ(response.body(), "kafka unavailable\n");

  readiness_ = {true, ""};
  response = client.send(http::verb::get, "/readyz");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "ok\n");
}

TEST_F(AdminServerTest, MetricsAreServedAsPrometheusText) {
  const HttpResponse response = Client(run()).send(http::verb::get, "/metrics");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(str(response[http::field::content_type]), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.body(), "# TYPE hearth_up gauge\nhearth_up 1\n");
}

TEST_F(AdminServerTest, ConnectorListIsJson) {
  const HttpResponse response = Client(run()).send(http::verb::get, "/api/v1/connectors");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(str(response[http::field::content_type]), "application/json");
  EXPECT_EQ(json::parse(response.body())[0]["name"], "demo_csv");
}

TEST_F(AdminServerTest, ControlWithTheTokenCallsTheDaemon) {
  Client client(run());
  for (const char* action : {"pause", "resume", "restart"}) {
    const HttpResponse response =
        client.send(http::verb::post, std::string("/api/v1/connectors/demo_csv/") + action,
                    std::string(kToken));
    EXPECT_EQ(response.result_int(), 200) << action;
    const json body = json::parse(response.body());
    EXPECT_EQ(body["connector"], "demo_csv");
    EXPECT_EQ(body["action"], action);
    EXPECT_EQ(body["status"], "ok");
  }
  EXPECT_EQ(calls_,
            (std::vector<std::string>{"demo_csv/pause", "demo_csv/resume", "demo_csv/restart"}));
}

TEST_F(AdminServerTest, ControlWithoutOrWithAWrongTokenIs401) {
  Client client(run());
  HttpResponse response = client.send(http::verb::post, "/api/v1/connectors/demo_csv/pause");
  EXPECT_EQ(response.result_int(), 401);
  EXPECT_EQ(str(response[http::field::www_authenticate]), "Bearer");

  response = client.send(http::verb::post, "/api/v1/connectors/demo_csv/pause", "wrong");
  EXPECT_EQ(response.result_int(), 401);

  // Right length, wrong content; and a prefix of the right token.
  std::string same_length(kToken.size(), 'x');
  EXPECT_EQ(
      client.send(http::verb::post, "/api/v1/connectors/demo_csv/pause", same_length).result_int(),
      401);
  EXPECT_EQ(client
                .send(http::verb::post, "/api/v1/connectors/demo_csv/pause",
                      std::string(kToken.substr(0, 10)))
                .result_int(),
            401);

  response = client.sendRaw(
      "POST /api/v1/connectors/demo_csv/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
      std::string(kToken) + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response.result_int(), 401);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminServerTest, BearerSchemeIsCaseInsensitive) {
  Client client(run());
  const HttpResponse response = client.sendRaw(
      "POST /api/v1/connectors/demo_csv/pause HTTP/1.1\r\nHost: x\r\nauthorization: bearer " +
      std::string(kToken) + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response.result_int(), 200);
}

TEST_F(AdminServerTest, ControlIsForbiddenWhenNoTokenIsConfigured) {
  options_.token.clear();
  const HttpResponse response =
      Client(run()).send(http::verb::post, "/api/v1/connectors/demo_csv/pause", "anything");
  EXPECT_EQ(response.result_int(), 403);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminServerTest, UnknownConnectorOrActionIs404) {
  Client client(run());
  const std::string token(kToken);
  EXPECT_EQ(client.send(http::verb::post, "/api/v1/connectors/nope/pause", token).result_int(),
            404);
  EXPECT_EQ(
      client.send(http::verb::post, "/api/v1/connectors/demo_csv/explode", token).result_int(),
      404);
  EXPECT_EQ(client.send(http::verb::post, "/api/v1/connectors/demo_csv", token).result_int(), 404);
  EXPECT_EQ(client.send(http::verb::post, "/api/v1/connectors//pause", token).result_int(), 404);
  EXPECT_EQ(calls_, std::vector<std::string>{"nope/pause"});
}

TEST_F(AdminServerTest, OtherControlFailuresAre409WithTheReason) {
  const HttpResponse response =
      Client(run()).send(http::verb::post, "/api/v1/connectors/busy/restart", std::string(kToken));
  EXPECT_EQ(response.result_int(), 409);
  EXPECT_EQ(json::parse(response.body())["error"], "connector.stopping");
}

TEST_F(AdminServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Client client(run());
  EXPECT_EQ(client.send(http::verb::get, "/nope").result_int(), 404);
  EXPECT_EQ(client.send(http::verb::get, "/livez/extra").result_int(), 404);

  HttpResponse response = client.send(http::verb::post, "/livez");
  EXPECT_EQ(response.result_int(), 405);
  EXPECT_EQ(str(response[http::field::allow]), "GET");

  response = client.send(http::verb::get, "/api/v1/connectors/demo_csv/pause");
  EXPECT_EQ(response.result_int(), 405);
  EXPECT_EQ(str(response[http::field::allow]), "POST");

  response = client.send(http::verb::delete_, "/api/v1/connectors");
  EXPECT_EQ(response.result_int(), 405);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Client client(run());
  for (int i = 0; i < 5; ++i) {
    const HttpResponse response = client.send(http::verb::get, "/livez");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_TRUE(response.keep_alive());
  }
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  Client client(run());
  const HttpResponse response =
      client.sendRaw("GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(AdminServerTest, MalformedRequestIs400AndClosesTheConnection) {
  Client client(run());
  const HttpResponse response = client.sendRaw("GET /livez HTTP/9\r\n\r\n");
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_TRUE(client.closedByServer());

  Client other(server().port());
  EXPECT_EQ(other.sendRaw("GET\x01 / HTTP/1.1\r\n\r\n").result_int(), 400);
}

TEST_F(AdminServerTest, OversizedHeaderIs431) {
  Client client(run());
  const std::string big(options_.max_header_bytes + 100, 'a');
  const HttpResponse response =
      client.sendRaw("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(AdminServerTest, OversizedBodyIs413) {
  Client client(run());
  const std::string body(options_.max_body_bytes + 1, 'b');
  const HttpResponse response =
      client.send(http::verb::post, "/api/v1/connectors/demo_csv/pause", std::string(kToken), body);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminServerTest, IdleConnectionIsClosedAfterTheReadTimeout) {
  options_.read_timeout = std::chrono::milliseconds(200);
  Client client(run());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(AdminServerTest, HalfSentRequestIsAbandonedAfterTheReadTimeout) {
  options_.read_timeout = std::chrono::milliseconds(200);
  Client client(run());
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server().port()));
  net::write(socket, net::buffer(std::string_view("GET /livez HTTP/1.1\r\nHost:")));
  std::array<char, 64> data{};
  beast::error_code ec;
  socket.read_some(net::buffer(data), ec);
  EXPECT_EQ(ec, net::error::eof);
}

TEST_F(AdminServerTest, AddedRoutesPlugIn) {
  server().addRoute("GET", "/api/v1/indicators/", [](const Request& request) {
    return Response::json(200, json{{"path", request.path}, {"query", request.query}}.dump());
  });
  server().addRoute(
      "POST", "/api/v1/indicators/rebuild",
      [](const Request& request) { return Response::text(202, "rebuilding " + request.body); },
      Access::kToken);
  Client client(run());

  HttpResponse response = client.send(http::verb::get, "/api/v1/indicators/cla_count?period=2024");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body())["path"], "/api/v1/indicators/cla_count");
  EXPECT_EQ(json::parse(response.body())["query"], "period=2024");

  EXPECT_EQ(client.send(http::verb::post, "/api/v1/indicators/rebuild", "", "all").result_int(),
            401);
  response =
      client.send(http::verb::post, "/api/v1/indicators/rebuild", std::string(kToken), "all");
  EXPECT_EQ(response.result_int(), 202);
  EXPECT_EQ(response.body(), "rebuilding all");
}

TEST_F(AdminServerTest, HandlerExceptionsAnswer500AndTheServerCarriesOn) {
  server().addRoute("GET", "/boom",
                    [](const Request&) -> Response { throw std::runtime_error("bug"); });
  Client client(run());
  EXPECT_EQ(client.send(http::verb::get, "/boom").result_int(), 500);
  EXPECT_EQ(client.send(http::verb::get, "/livez").result_int(), 200);
}

TEST_F(AdminServerTest, RoutesWithoutCallbacksAreNotServed) {
  callbacks_ = {};
  Client client(run());
  EXPECT_EQ(client.send(http::verb::get, "/livez").result_int(), 200);
  EXPECT_EQ(client.send(http::verb::get, "/readyz").result_int(), 404);
  EXPECT_EQ(client.send(http::verb::get, "/metrics").result_int(), 404);
}

TEST_F(AdminServerTest, InvalidBindAddressIsAnError) {
  options_.bind = "localhost-ish";
  const Result<void> started = server().start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, "admin.bind");
  EXPECT_NE(started.error().message.find("localhost-ish"), std::string::npos);
}

TEST_F(AdminServerTest, PortInUseIsAnError) {
  const std::uint16_t port = run();
  net::io_context other_io;
  AdminOptions options;
  options.port = port;
  AdminServer second(other_io, options, {});
  const Result<void> started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find(std::to_string(port)), std::string::npos);
}

TEST_F(AdminServerTest, StopClosesListenerAndOpenConnectionsSoTheIoContextRunsOut) {
  const std::uint16_t port = run();
  Client idle(port);
  EXPECT_EQ(idle.send(http::verb::get, "/livez").result_int(), 200);

  server().stop();
  auto finished = std::async(std::launch::async, [this] { io_thread_.join(); });
  EXPECT_EQ(finished.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(idle.closedByServer());

  net::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_EQ(ec, net::error::connection_refused);
}

// One GET on a fresh connection; the status, or 0 when the server closed or failed it.
unsigned probe(std::uint16_t port, const std::string& target) {
  net::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request, ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  HttpResponse response;
  http::read(socket, buffer, response, ec);
  return ec ? 0 : response.result_int();
}

// Lines of a log file that contain `text`.
int linesContaining(std::FILE* file, std::string_view text) {
  std::fflush(file);
  std::rewind(file);
  int count = 0;
  std::array<char, 4096> line{};
  while (std::fgets(line.data(), static_cast<int>(line.size()), file) != nullptr) {
    if (std::string_view(line.data()).find(text) != std::string_view::npos) ++count;
  }
  return count;
}

TEST_F(AdminServerTest, ReadyzAnswersWhileSlowClientsHoldEveryConnection) {
  std::FILE* log_file = std::tmpfile();
  ASSERT_NE(log_file, nullptr);
  log::Sink sink(::fileno(log_file));
  options_.log_sink = &sink;
  const std::uint16_t port = run();

  // 300 clients that send half a request and then nothing (a slowloris), against 64 slots.
  net::io_context io;
  std::vector<tcp::socket> slow;
  for (int i = 0; i < 300; ++i) {
    tcp::socket& socket = slow.emplace_back(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    net::write(socket, net::buffer(std::string_view("GET /readyz HTTP/1.1\r\nHost: x\r\n")));
  }
  int answered = 0;
  for (int i = 0; i < 81; ++i) answered += probe(port, "/readyz") == 200 ? 1 : 0;
  EXPECT_EQ(answered, 81);
  // What the slow clients caused is logged once per interval, not once per connection.
  EXPECT_EQ(linesContaining(log_file, "admin connections over the limit"), 1);
  std::fclose(log_file);
}

TEST_F(AdminServerTest, AcceptsAreRateLimited) {
  options_.max_accepts_per_second = 20;
  const std::uint16_t port = run();
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) EXPECT_EQ(probe(port, "/livez"), 200u);
  // Two at once (a tenth of a second's worth, at least one), then twenty a second.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1700));
}

TEST_F(AdminServerTest, RequireTokenGuardsEveryEndpoint) {
  options_.require_token = true;
  const std::uint16_t port = run();
  for (const char* target : {"/livez", "/readyz", "/metrics", "/api/v1/connectors"}) {
    EXPECT_EQ(probe(port, target), 401u) << target;
    EXPECT_EQ(Client(port).send(http::verb::get, target, std::string(kToken)).result_int(), 200)
        << target;
  }
}

TEST_F(AdminServerTest, RequestHeaderLookupIsCaseInsensitive) {
  Request request;
  request.headers = {{"Content-Type", "text/plain"}, {"X-One", "1"}};
  EXPECT_EQ(request.header("content-type"), "text/plain");
  EXPECT_EQ(request.header("X-ONE"), "1");
  EXPECT_EQ(request.header("missing"), "");
}

}  // namespace
}  // namespace hearth::admin
