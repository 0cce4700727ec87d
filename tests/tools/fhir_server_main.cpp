// hearth-fhir-server: the FHIR test server as a process of its own, for the demo.
//
//   hearth-fhir-server --data DIR [--port N] [--client-id ID --public-key PEM_FILE]
//
// Serves the NDJSON files of DIR as a Bulk Data export and as paged search on 127.0.0.1. With a
// client id and public key it requires SMART Backend Services tokens. Prints one line on stdout,
// "BASE <url>", then runs until SIGTERM or SIGINT.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "tests/tools/fhir_test_server.hpp"

int main(int argc, char** argv) {
  hearth::testing::FhirServerOptions options;
  options.faults.polls_before_ready = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--data") {
      options.data = value;
    } else if (flag == "--port") {
      options.port = static_cast<uint16_t>(std::stoi(value));
    } else if (flag == "--client-id") {
      options.client_id = value;
    } else if (flag == "--public-key") {
      std::ifstream in(value);
      std::stringstream text;
      text << in.rdbuf();
      options.public_key_pem = text.str();
    } else {
      std::cerr
          << "usage: hearth-fhir-server --data DIR [--port N] [--client-id ID --public-key PEM]\n";
      return 2;
    }
  }
  if (options.data.empty()) {
    std::cerr << "hearth-fhir-server: --data is required\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's threads inherit the mask
  hearth::testing::FhirTestServer server(options);
  std::cout << "BASE " << server.baseUrl() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
