#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::cin_census {

/// The JSON Schema (draft 2020-12) of the configuration, as the plugin table publishes it.
extern const char kConfigSchema[];

/// The connector's configuration.
struct CinConfig {
  std::string directory;
  std::string pattern = "*.xml";  // glob over file names, matched case-insensitively
};

/// Reads a configuration; throws std::invalid_argument naming the key at fault.
CinConfig parseConfig(std::string_view json);

/// Reads the Children in Need census XML files of a directory. A census file is replaced, not
/// appended to, so a file whose content changed is read again whole; an unchanged one is skipped.
class CinConnector final : public sdk::Connector {
 public:
  CinConnector(sdk::HostApi host, std::string_view config_json);

  Result<void> check() override;
  Result<std::string> discover() override;
  Result<void> read(std::string_view checkpoint, const sdk::Emitter& emitter) override;

 private:
  CinConfig config_;
};

}  // namespace hearth::connectors::cin_census
