#pragma once

#include <libpq-fe.h>
#include <sql.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/trust_ssd/odbc.hpp"
#include "connectors/trust_ssd/trust_ssd_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::trust_ssd {

/// Reads the Standard Safeguarding Dataset tables of the children's trust's reporting database
/// through ODBC, or libpq's COPY when it is PostgreSQL: each table is a stream, each row a record
/// keyed by its primary key. Tables with a timestamp column are read incrementally from a
/// (timestamp, id) cursor; the others are read in full, by id, once per full_read_interval_s.
class TrustSsdConnector final : public sdk::Connector {
 public:
  /// Throws std::invalid_argument when the configuration is unusable.
  TrustSsdConnector(sdk::HostApi host, std::string_view config_json);

  Result<void> check() override;
  Result<std::string> discover() override;
  Result<void> read(std::string_view checkpoint, const sdk::Emitter& emitter) override;
  /// Also cancels the statement a read() is waiting on.
  void stop() noexcept override;

  /// Makes `statement` the one stop() cancels; null when none runs.
  void setActiveStatement(SQLHSTMT statement);
  /// Makes `cancel` the COPY stop() cancels; null when none runs.
  void setActiveCopy(PGcancel* cancel);

 private:
  /// The ODBC connection string, with the password resolved from its secret.
  Result<std::string> connectionString() const;
  Result<std::unique_ptr<OdbcConnection>> connect() const;

  TrustSsdConfig config_;
  std::mutex active_mutex_;
  SQLHSTMT active_statement_ = SQL_NULL_HSTMT;
  PGcancel* active_copy_ = nullptr;
};

}  // namespace hearth::connectors::trust_ssd
