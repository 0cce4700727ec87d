#include "connectors/trust_ssd/trust_ssd_config.hpp"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "connectors/common/settings_reader.hpp"

namespace hearth::connectors::trust_ssd {

const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "trust_ssd connector",
  "description": "Reads the Standard Safeguarding Dataset tables of the children's trust's reporting database over ODBC, or through libpq's COPY when it is PostgreSQL, incrementally.",
  "type": "object",
  "additionalProperties": false,
  "oneOf": [{"required": ["connection_string"]}, {"required": ["dsn"]}],
  "properties": {
    "connection_string": {
      "type": "string", "minLength": 1, "format": "odbc-connection-string",
      "description": "ODBC connection string without the password (see password_secret), e.g. Driver={PostgreSQL Unicode};Server=db;Port=5432;Database=ssd;Uid=hearth;UseDeclareFetch=1;Fetch=10000;. Exactly one of connection_string and dsn is required. With a SQLite driver, a relative Database file resolves against the configuration file's directory, like every other path."
    },
    "dsn": {"type": "string", "minLength": 1, "description": "ODBC data source name (odbc.ini), instead of connection_string; exactly one of the two is required."},
    "password_secret": {
      "type": "string", "minLength": 1,
      "description": "Secret reference resolved by the daemon at each connection (e.g. env:SSD_PASSWORD), appended to the connection string as Pwd={...}; never logged."
    },
    "schema": {"type": "string", "minLength": 1, "description": "Schema holding the tables; default: the connection's search path."},
    "tables": {
      "type": "array", "minItems": 1,
      "description": "Streams to read; default: the 16 core SSD tables. An SSD table may leave out key_columns, cursor and query to take the defaults.",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": {
          "name": {"type": "string", "minLength": 1, "description": "Table name, also the stream name; with query, the stream name only."},
          "query": {"type": "string", "minLength": 1, "description": "A SELECT read instead of the table, as a derived table: its result columns are the fields, and key_columns and cursor name them. {schema} stands for the schema and a dot. Default for ssd_cla_episodes: the episode joined to its placement, legal status and home address."},
          "key_columns": {
            "type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
            "description": "Primary key columns; the source key is their values joined with '|'. Default for an SSD table: its primary key in the SSD data model."
          },
          "cursor": {
            "type": "object",
            "additionalProperties": false,
            "description": "How the table is read again. timestamp_column: a column bumped on every insert and update, read incrementally from a (timestamp, id) cursor (see Incremental reads); without one the table is read in full, by id, every full_read_interval_s. id_column: a unique column ordering rows within a timestamp, and full reads; default: the first key column.",
            "properties": {
              "timestamp_column": {"type": "string", "minLength": 1, "description": "Column bumped on every insert and update; without it the table is re-read in full every full_read_interval_s."},
              "id_column": {"type": "string", "minLength": 1, "description": "Unique column ordering rows within a timestamp; default: the first key column."}
            }
          }
        }
      }
    },
    "fetch_rows": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 10000, "description": "Rows per block fetch; a checkpoint follows every block."},
    "query_timeout_s": {"type": "integer", "minimum": 0, "default": 0, "description": "Per-statement timeout; 0: none."},
    "login_timeout_s": {"type": "integer", "minimum": 0, "default": 15, "description": "Connection timeout."},
    "lag_seconds": {"type": "integer", "minimum": 0, "default": 0, "description": "Re-read rows whose timestamp is this close to the cursor, for clock skew and late commits."},
    "full_read_interval_s": {"type": "integer", "minimum": 0, "default": 86400, "description": "How often tables without a timestamp column are read again in full."},
    "max_bound_bytes": {"type": "integer", "minimum": 64, "maximum": 1048576, "default": 8192, "description": "Largest buffer bound per column; longer values are fetched whole with SQLGetData, a round trip each."},
    "reader": {
      "enum": ["auto", "copy", "odbc"], "default": "auto",
      "description": "How rows are read. auto: a PostgreSQL source (the ODBC driver reports PostgreSQL) through libpq's COPY (SELECT ...) TO STDOUT, several times faster than psqlODBC, any other source over ODBC; libpq connects to the Server, Port, Database, Uid and SSLmode of connection_string (with a dsn, of the data source) with the password from password_secret or Pwd, and when it cannot connect the read falls back to ODBC with a warning. copy: as auto, but a source that is not PostgreSQL, or that libpq cannot reach, is an error. odbc: ODBC only. Either way a table whose columns include a type COPY prints differently from psqlODBC (boolean, time zones, binary, intervals) is read over ODBC, and the records, checkpoints and rejects are the same."
    },
    "time_zone": {"type": "string", "minLength": 1, "format": "time-zone", "default": "Europe/London", "description": "tz database zone of the database's clock (e.g. Europe/London): timestamps stored without an offset are read as its local time, with the summer and winter changes, for the records' source time (one with an offset keeps it); an unknown name is refused by hearthd validate. Cursor comparisons stay on the stored values."}
  }
})json";

// Plain SQL-92 joins so that every source runs it (PostgreSQL, SQLite, SQL Server). The SSD
// keeps what the SSDA903 reports per episode in other tables:
// - the placement the episode names (clae_cla_placement_id): type, provider, postcode, URN and
//   the reason the placement changed, with its dates so the change reason can be given only to
//   the episode that ended with the move;
// - the legal status open on the episode's start date: statuses of one child follow each other
//   (each ends when the next starts), so at most one is open; should two overlap, the latest
//   started (then the highest id) wins, so the join never repeats an episode;
// - the home postcode: the 903's HOME_POST is the home when the period of care began, so the
//   address open on clae_entered_care_date (the episode start when that is missing), with the
//   same tie-break; when the address history only begins after that day (systems migrated
//   without old addresses), the first address recorded.
const char kClaEpisodesQuery[] = R"sql(SELECT e.*,
  p.clap_cla_placement_type, p.clap_cla_placement_provider, p.clap_cla_placement_postcode,
  p.clap_cla_placement_urn, p.clap_cla_placement_start_date, p.clap_cla_placement_end_date,
  p.clap_cla_placement_change_reason,
  l.lega_legal_status, l.lega_legal_status_start_date,
  COALESCE(a.addr_address_postcode, first_a.addr_address_postcode) AS clae_home_postcode
FROM {schema}ssd_cla_episodes e
LEFT JOIN {schema}ssd_cla_placement p
  ON p.clap_cla_placement_id = e.clae_cla_placement_id
LEFT JOIN {schema}ssd_legal_status l
  ON l.lega_person_id = e.clae_person_id
  AND l.lega_legal_status_start_date <= e.clae_cla_episode_start_date
  AND (l.lega_legal_status_end_date IS NULL
       OR l.lega_legal_status_end_date > e.clae_cla_episode_start_date)
  AND NOT EXISTS (SELECT 1 FROM {schema}ssd_legal_status later
    WHERE later.lega_person_id = e.clae_person_id
      AND later.lega_legal_status_start_date <= e.clae_cla_episode_start_date
      AND (later.lega_legal_status_end_date IS NULL
           OR later.lega_legal_status_end_date > e.clae_cla_episode_start_date)
      AND (later.lega_legal_status_start_date > l.lega_legal_status_start_date
           OR (later.lega_legal_status_start_date = l.lega_legal_status_start_date
               AND later.lega_legal_status_id > l.lega_legal_status_id)))
LEFT JOIN {schema}ssd_address a
  ON a.addr_person_id = e.clae_person_id
  AND a.addr_address_start_date
      <= COALESCE(e.clae_entered_care_date, e.clae_cla_episode_start_date)
  AND (a.addr_address_end_date IS NULL
       OR a.addr_address_end_date
          > COALESCE(e.clae_entered_care_date, e.clae_cla_episode_start_date))
  AND NOT EXISTS (SELECT 1 FROM {schema}ssd_address later
    WHERE later.addr_person_id = e.clae_person_id
      AND later.addr_address_start_date
          <= COALESCE(e.clae_entered_care_date, e.clae_cla_episode_start_date)
      AND (later.addr_address_end_date IS NULL
           OR later.addr_address_end_date
              > COALESCE(e.clae_entered_care_date, e.clae_cla_episode_start_date))
      AND (later.addr_address_start_date > a.addr_address_start_date
           OR (later.addr_address_start_date = a.addr_address_start_date
               AND later.addr_table_id > a.addr_table_id)))
LEFT JOIN {schema}ssd_address first_a
  ON first_a.addr_person_id = e.clae_person_id
  AND first_a.addr_address_start_date
      > COALESCE(e.clae_entered_care_date, e.clae_cla_episode_start_date)
  AND NOT EXISTS (SELECT 1 FROM {schema}ssd_address earlier
    WHERE earlier.addr_person_id = e.clae_person_id
      AND (earlier.addr_address_start_date < first_a.addr_address_start_date
           OR (earlier.addr_address_start_date = first_a.addr_address_start_date
               AND earlier.addr_table_id < first_a.addr_table_id))))sql";

namespace {

using nlohmann::json;

const common::SettingsReader kReader("trust_ssd");

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  kReader.refuse(where, what);
}

const TableConfig* findDefault(std::string_view name) {
  for (const TableConfig& table : ssdDefaultTables()) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

TableConfig parseTable(const json& object, const std::string& where) {
  if (!object.is_object()) refuse(where, "must be an object");
  kReader.allowOnly(object, where, {"name", "key_columns", "cursor", "query"});
  TableConfig table;
  table.name = kReader.requireString(object, where + ".", "name");
  const TableConfig* fallback = findDefault(table.name);
  if (object.contains("query")) {
    table.query = kReader.requireString(object, where + ".", "query");
  } else if (fallback != nullptr) {
    table.query = fallback->query;
  }

  if (const auto keys = object.find("key_columns"); keys != object.end()) {
    if (!keys->is_array() || keys->empty())
      refuse(where + ".key_columns", "must be a non-empty list");
    for (const auto& column : *keys) {
      if (!column.is_string() || column.get_ref<const std::string&>().empty()) {
        refuse(where + ".key_columns", "must list non-empty column names");
      }
      table.key_columns.push_back(column.get<std::string>());
    }
  } else if (fallback != nullptr) {
    table.key_columns = fallback->key_columns;
  } else {
    refuse(where + ".key_columns", "is required for a table that is not one of the SSD tables");
  }

  if (const auto cursor = object.find("cursor"); cursor != object.end()) {
    if (!cursor->is_object()) refuse(where + ".cursor", "must be an object");
    kReader.allowOnly(*cursor, where + ".cursor", {"timestamp_column", "id_column"});
    table.cursor.timestamp_column =
        kReader.optionalString(*cursor, where + ".cursor.", "timestamp_column");
    table.cursor.id_column = kReader.optionalString(*cursor, where + ".cursor.", "id_column");
  } else if (fallback != nullptr) {
    table.cursor = fallback->cursor;
  }
  if (table.cursor.id_column.empty()) table.cursor.id_column = table.key_columns.front();
  return table;
}

}  // namespace

std::span<const TableConfig> ssdDefaultTables() {
  // Keys from the SSD data model (ssd-data-model/*.yml). ssd_family marks fami_family_id as its
  // key, but a family has a row per member, so the row identifier fami_table_id is used instead.
  static const std::vector<TableConfig> kTables = [] {
    const std::vector<std::pair<const char*, std::vector<std::string>>> keys = {
        {"ssd_person", {"pers_person_id"}},
        {"ssd_linked_identifiers", {"link_table_id"}},
        {"ssd_address", {"addr_table_id"}},
        {"ssd_family", {"fami_table_id"}},
        {"ssd_mother", {"moth_table_id", "moth_childs_person_id"}},
        {"ssd_contacts", {"cont_contact_id"}},
        {"ssd_early_help_episodes", {"earl_episode_id"}},
        {"ssd_cin_episodes", {"cine_referral_id"}},
        {"ssd_cin_assessments", {"cina_assessment_id"}},
        {"ssd_s47_enquiry", {"s47e_s47_enquiry_id"}},
        {"ssd_initial_cp_conference", {"icpc_icpc_id"}},
        {"ssd_cp_plans", {"cppl_cp_plan_id"}},
        {"ssd_cla_episodes", {"clae_cla_episode_id"}},
        {"ssd_cla_placement", {"clap_cla_placement_id"}},
        {"ssd_care_leavers", {"clea_table_id"}},
        {"ssd_missing", {"miss_table_id"}},
    };
    std::vector<TableConfig> tables;
    for (const auto& [name, key] : keys) {
      tables.push_back({name, key, CursorConfig{"", key.front()}, ""});
    }
    for (TableConfig& table : tables) {
      if (table.name == "ssd_cla_episodes") table.query = kClaEpisodesQuery;
    }
    return tables;
  }();
  return kTables;
}

TrustSsdConfig parseConfig(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    throw std::invalid_argument("trust_ssd connector config is not valid JSON");
  }
  if (!object.is_object())
    throw std::invalid_argument("trust_ssd connector config must be an object");
  kReader.allowOnly(object, "",
                    {"connection_string", "dsn", "password_secret", "schema", "tables",
                     "fetch_rows", "query_timeout_s", "login_timeout_s", "lag_seconds",
                     "full_read_interval_s", "max_bound_bytes", "reader", "time_zone"});

  TrustSsdConfig config;
  config.connection_string = kReader.optionalString(object, "", "connection_string");
  config.dsn = kReader.optionalString(object, "", "dsn");
  if (config.connection_string.empty() == config.dsn.empty()) {
    refuse("connection_string", "or dsn is required, and not both");
  }
  config.password_secret = kReader.optionalString(object, "", "password_secret");
  config.schema = kReader.optionalString(object, "", "schema");

  if (const auto tables = object.find("tables"); tables != object.end()) {
    if (!tables->is_array() || tables->empty()) refuse("tables", "must be a non-empty list");
    for (size_t i = 0; i < tables->size(); ++i) {
      const std::string where = "tables[" + std::to_string(i) + "]";
      TableConfig table = parseTable((*tables)[i], where);
      for (const TableConfig& earlier : config.tables) {
        if (earlier.name == table.name)
          refuse(where + ".name", "repeats table '" + table.name + "'");
      }
      config.tables.push_back(std::move(table));
    }
  } else {
    const auto defaults = ssdDefaultTables();
    config.tables.assign(defaults.begin(), defaults.end());
  }

  constexpr int64_t kDay = 86400;
  config.fetch_rows = static_cast<size_t>(
      kReader.optionalInteger<int64_t>(object, "fetch_rows", 10000, 1, 1000000));
  config.query_timeout_s = kReader.optionalInteger<int64_t>(object, "query_timeout_s", 0, 0, kDay);
  config.login_timeout_s = kReader.optionalInteger<int64_t>(object, "login_timeout_s", 15, 0, 3600);
  config.lag_seconds = kReader.optionalInteger<int64_t>(object, "lag_seconds", 0, 0, 30 * kDay);
  config.full_read_interval_s = kReader.optionalInteger<int64_t>(object, "full_read_interval_s",
                                                                 kDay, 0, int64_t{3650} * kDay);
  config.max_bound_bytes = static_cast<size_t>(
      kReader.optionalInteger<int64_t>(object, "max_bound_bytes", 8192, 64, 1 << 20));
  const std::string reader = kReader.optionalString(object, "", "reader");
  if (reader == "copy") {
    config.reader = Reader::kCopy;
  } else if (reader == "odbc") {
    config.reader = Reader::kOdbc;
  } else if (!reader.empty() && reader != "auto") {
    refuse("reader", "must be auto, copy or odbc");
  }
  config.time_zone = kReader.optionalTimeZone(object, "time_zone");
  return config;
}

}  // namespace hearth::connectors::trust_ssd
