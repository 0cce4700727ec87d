#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/csv/csv_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::csv {

/// Reads the CSV files of one directory as streams, incrementally: each read() continues every
/// file where the checkpoint left it, rereads files that were replaced or truncated, and turns
/// rows it cannot read into rejects without stopping.
class CsvConnector final : public sdk::Connector {
 public:
  /// Throws std::invalid_argument when the configuration is unusable.
  CsvConnector(sdk::HostApi host, std::string_view config_json);

  Result<void> check() override;
  Result<std::string> discover() override;
  Result<void> read(std::string_view checkpoint, const sdk::Emitter& emitter) override;

 private:
  CsvConfig config_;
};

}  // namespace hearth::connectors::csv
