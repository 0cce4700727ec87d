#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hearth::admin {

/// The read-only status page served at `/` for council staff without Grafana: one HTML document
/// with its CSS inline, no script and nothing fetched from elsewhere, current as of the request.
/// It shows only what the status API shows (states, counts, times, error messages, aggregate
/// indicator values), never a record.
///
/// `status` holds: "version", "generated_at" (text), "ready" (bool) and "readiness" (why not);
/// "connectors", a list of connector statuses as GET /api/v1/connectors gives them; "derive"
/// with "last_success" (text or null), "duration_seconds", "persons", "review_pairs" and
/// "canonical_records"; "spool" with "bytes", "limit_bytes", "spooling" and "kafka_available";
/// "indicators_table", the text table of `hearthd indicators`. Missing members show as "-".
std::string renderStatusPage(const nlohmann::json& status);

}  // namespace hearth::admin
