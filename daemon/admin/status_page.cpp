#include "daemon/admin/status_page.hpp"

#include <cmath>
#include <cstdio>

namespace hearth::admin {
namespace {

using nlohmann::json;

// Plain, legible and printable; colours only repeat what the words already say.
constexpr std::string_view kStyle = R"css(
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:1.5rem auto;max-width:70rem;
color:#1b1b1b;background:#fff;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:2px solid #ddd;padding-bottom:.2rem}
.meta{color:#555;margin-top:0}
.banner{padding:.8rem 1rem;border-radius:4px;font-weight:600;border:2px solid}
.ok{background:#e6f4ea;border-color:#2e7d32;color:#1b5e20}
.bad{background:#fdecea;border-color:#c62828;color:#8e0000}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e0e0e0;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600}.state-failed,.state-backoff{color:#b71c1c}
.state-reading,.state-idle{color:#1b5e20}
dl{display:grid;grid-template-columns:max-content auto;gap:.3rem 1.2rem}dt{font-weight:600}
dd{margin:0}pre{background:#f7f7f7;padding:.8rem;overflow-x:auto;font-size:.85rem}
)css";

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// A member shown as text: strings as they are, numbers plainly, anything absent as "-".
std::string shown(const json& object, const char* name) {
  if (!object.is_object()) return "-";
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "-";
  if (it->is_string()) return escaped(it->get<std::string>());
  if (it->is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", it->get<double>());
    return buffer;
  }
  return escaped(it->dump(-1, ' ', false, json::error_handler_t::replace));
}

// A member of an object, or null when either is missing: the page shows what it has.
json member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? json() : *it;
}

std::string bytes(const json& value) {
  if (!value.is_number()) return "-";
  const double b = value.get<double>();
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double shown_value = b;
  size_t unit = 0;
  while (shown_value >= 1024 && unit + 1 < std::size(units)) {
    shown_value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", shown_value, units[unit]);
  return buffer;
}

void appendConnectors(std::string& out, const json& connectors) {
  out += "<h2 id=\"connectors\">Connectors</h2>\n";
  if (!connectors.is_array() || connectors.empty()) {
    out += "<p>No connector is running.</p>\n";
    return;
  }
  out +=
      "<table><thead><tr><th>Connector</th><th>State</th><th>Last successful read</th>"
      "<th>Records</th><th>Rejects</th><th>Last checkpoint</th><th>Restarts</th>"
      "<th>Last error</th></tr></thead><tbody>\n";
  for (const json& c : connectors) {
    const std::string state = shown(c, "state");
    std::string state_class;
    for (const char ch : state)
      state_class.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '-');
    out += "<tr><td>" + shown(c, "name") + "<br><small>" + shown(c, "plugin") + "</small></td>";
    out += "<td class=\"state state-" + state_class + "\">" + state + "</td>";
    out += "<td>" + shown(c, "last_success") + "</td>";
    out += "<td class=\"num\">" + shown(c, "records") + "</td>";
    out += "<td class=\"num\">" + shown(c, "rejects") + "</td>";
    out += "<td>" + shown(c, "last_checkpoint");
    if (member(c, "checkpoint_age_seconds").is_number()) {
      out += "<br><small>" + shown(c, "checkpoint_age_seconds") + " s ago</small>";
    }
    out += "</td><td class=\"num\">" + shown(c, "restarts") + "</td>";
    out += "<td>" + shown(c, "last_error");
    if (member(c, "last_error_at").is_string()) {
      out += "<br><small>at " + shown(c, "last_error_at") + "</small>";
    }
    out += "</td></tr>\n";
  }
  out += "</tbody></table>\n";
}

}  // namespace

std::string renderStatusPage(const json& status) {
  const bool ready = status.is_object() && status.value("ready", false);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Hearth status</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>Hearth status</h1>\n";
  out += "<p class=\"meta\">hearthd " + shown(status, "version") + " &middot; as of " +
         shown(status, "generated_at") + " (reload the page to refresh)</p>\n";
  out +=
      std::string("<p id=\"readiness\" class=\"banner ") + (ready ? "ok" : "bad") + "\">" +
      (ready ? "Ready: taking and publishing data" : "Not ready: " + shown(status, "readiness")) +
      "</p>\n";

  appendConnectors(out, member(status, "connectors"));

  const json derive = member(status, "derive");
  out += "<h2 id=\"derive\">Identity and indicators</h2>\n<dl>\n";
  out += "<dt>Last derive finished</dt><dd>" + shown(derive, "last_success") + "</dd>\n";
  out += "<dt>It took</dt><dd>" + shown(derive, "duration_seconds") + " s</dd>\n";
  out += "<dt>Canonical records</dt><dd>" + shown(derive, "canonical_records") + "</dd>\n";
  out += "<dt>Persons</dt><dd>" + shown(derive, "persons") + "</dd>\n";
  out += "<dt>Pairs awaiting review</dt><dd>" + shown(derive, "review_pairs") + "</dd>\n</dl>\n";

  const json spool = member(status, "spool");
  out += "<h2 id=\"kafka\">Kafka and the disk spool</h2>\n<dl>\n";
  const bool kafka_up = spool.is_object() && spool.value("kafka_available", false);
  out += std::string("<dt>Kafka</dt><dd>") + (kafka_up ? "reachable" : "unreachable") + "</dd>\n";
  out +=
      "<dt>Spool</dt><dd>" + bytes(member(spool, "bytes")) + " of " +
      bytes(member(spool, "limit_bytes")) +
      (spool.is_object() && spool.value("spooling", false) ? " (events are waiting there for Kafka)"
                                                           : "") +
      "</dd>\n</dl>\n";

  out += "<h2 id=\"indicators\">Indicators</h2>\n";
  const json table_text = member(status, "indicators_table");
  const std::string table = table_text.is_string() ? table_text.get<std::string>() : "";
  out +=
      table.empty() ? "<p>No indicator values yet.</p>\n" : "<pre>" + escaped(table) + "</pre>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace hearth::admin
