#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace hearth::config {

/// A value that must never be printed or logged: tokens, keys, passwords.
///
/// Streaming it prints "<redacted>"; the value is only reachable through reveal(), so every use
/// is easy to find in review.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }

  friend bool operator==(const Secret&, const Secret&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << (secret.empty() ? "<unset>" : "<redacted>");
  }

 private:
  std::string value_;
};

}  // namespace hearth::config
