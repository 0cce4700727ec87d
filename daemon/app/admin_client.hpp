#pragma once

#include <string>

#include "daemon/config/config.hpp"

namespace hearth::daemon::app {

/// What the running daemon's admin endpoint answered.
struct AdminReply {
  long status = 0;
  std::string body;
  std::string error;  // transport failure (nothing listening, a timeout); empty when it answered
};

/// One request to the admin endpoint of the daemon that `config` describes, with its token.
/// `method` is GET, POST or DELETE; `body` is sent as JSON with POST.
AdminReply adminRequest(const config::Config& config, const std::string& method,
                        const std::string& path, const std::string& body = {});

}  // namespace hearth::daemon::app
