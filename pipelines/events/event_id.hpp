#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hearth::pipelines {

/// Builds deterministic event ids: 128 bits of XXH3 over length-prefixed parts, as 32 hex
/// characters. The id only has to be stable and collision-free in practice (consumers deduplicate
/// on it); it protects nothing, so a fast non-cryptographic hash with a fixed specification is
/// the right tool. Reusable; not thread-safe.
class EventIdBuilder {
 public:
  EventIdBuilder();
  ~EventIdBuilder();
  EventIdBuilder(const EventIdBuilder&) = delete;
  EventIdBuilder& operator=(const EventIdBuilder&) = delete;
  EventIdBuilder(EventIdBuilder&&) noexcept;
  EventIdBuilder& operator=(EventIdBuilder&&) noexcept;

  /// Adds a part; ("ab","c") and ("a","bc") give different ids.
  void add(std::string_view part);
  /// Appends the id of everything added since the last finish() and starts afresh.
  void finishInto(std::string& out);

 private:
  struct State;  // XXH3's streaming state, hashed as parts arrive rather than copied first
  std::unique_ptr<State> state_;
};

}  // namespace hearth::pipelines
