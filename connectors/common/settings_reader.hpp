#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/time_zone.hpp"

namespace hearth::connectors::common {

/// Reads a connector's JSON settings. Every failure throws std::invalid_argument naming the
/// connector and the setting ("csv connector config: streams[0].key is required"); the SDK's
/// create() turns it into a refusal. The host has already checked the plugin's JSON Schema, so
/// these checks are the connector's own line of defence, not the user's first message.
class SettingsReader {
 public:
  explicit SettingsReader(std::string connector)
      : prefix_(std::move(connector) + " connector config: ") {}

  [[noreturn]] void refuse(const std::string& where, const std::string& what) const {
    throw std::invalid_argument(prefix_ + where + " " + what);
  }

  void allowOnly(const nlohmann::json& object, const std::string& where,
                 std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        refuse(where.empty() ? key : where + "." + key, "is not a known setting");
      }
    }
  }

  /// `where` is the path of `object` with a trailing dot ("streams[0].") or empty at the top.
  std::string requireString(const nlohmann::json& object, const std::string& where,
                            const char* key) const {
    const auto it = object.find(key);
    if (it == object.end()) refuse(where + key, "is required");
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      refuse(where + key, "must be a non-empty string");
    }
    return it->get<std::string>();
  }

  std::string optionalString(const nlohmann::json& object, const std::string& where,
                             const char* key) const {
    return object.contains(key) ? requireString(object, where, key) : std::string();
  }

  /// The tz database zone named by `key`, Europe/London when it is absent.
  TimeZone optionalTimeZone(const nlohmann::json& object, const char* key) const {
    const std::string name =
        object.contains(key) ? requireString(object, "", key) : std::string(TimeZone::kDefaultName);
    std::optional<TimeZone> zone = TimeZone::find(name);
    if (!zone) refuse(key, "names no time zone of the tz database: \"" + name + "\"");
    return std::move(*zone);
  }

  template <typename Integer>
  Integer optionalInteger(const nlohmann::json& object, const char* key,
                          std::type_identity_t<Integer> fallback,
                          std::type_identity_t<Integer> minimum,
                          std::type_identity_t<Integer> maximum) const {
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_number_integer()) refuse(key, "must be an integer");
    const auto value = it->get<int64_t>();
    if (value < static_cast<int64_t>(minimum) ||
        (value > 0 && static_cast<uint64_t>(value) > static_cast<uint64_t>(maximum))) {
      refuse(key, "must be between " + std::to_string(minimum) + " and " + std::to_string(maximum));
    }
    return static_cast<Integer>(value);
  }

 private:
  std::string prefix_;
};

}  // namespace hearth::connectors::common
