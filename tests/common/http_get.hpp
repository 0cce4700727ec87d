#pragma once

#include <cstdint>
#include <string>

namespace hearth::testing {

struct HttpResponse {
  int status = 0;  // 0: could not connect
  std::string body;
};

/// A blocking HTTP/1.1 request to 127.0.0.1:port; never throws.
HttpResponse httpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& bearer_token = {}, const std::string& body = {});
inline HttpResponse httpGet(uint16_t port, const std::string& target) {
  return httpRequest(port, "GET", target);
}

}  // namespace hearth::testing
