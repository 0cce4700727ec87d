/* Hearth connector plugin ABI.
 *
 * A connector is a shared library that exports exactly one symbol, HEARTH_CONNECTOR_ENTRY_SYMBOL,
 * a function returning a pointer to a constant hearth_connector_plugin table. Only C types cross
 * this boundary. Every callback returns a hearth_status and, on failure, writes a NUL-terminated
 * message into the caller's error buffer.
 *
 * Versioning: the host refuses a plugin whose abi_major differs from its own or whose abi_minor is
 * newer than its own. Minor versions only append members to the end of the tables; struct_size
 * tells either side how much of a table the other knows.
 *
 * Threading: the host calls a connector's callbacks from one thread at a time, except stop(),
 * which may be called from any thread to wake a read() that is blocked.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_CONNECTOR_ABI_MAJOR 1
#define HEARTH_CONNECTOR_ABI_MINOR 0
#define HEARTH_CONNECTOR_ENTRY_SYMBOL "hearth_connector_plugin_v1"

typedef enum hearth_status {
  HEARTH_OK = 0,
  HEARTH_ERROR = 1,     /* failed; the error buffer says why */
  HEARTH_RETRY = 2,     /* transient failure (source unreachable); the host retries with backoff */
  HEARTH_CANCELLED = 3, /* the host asked the connector to stop */
} hearth_status;

typedef enum hearth_log_level {
  HEARTH_LOG_DEBUG = 0,
  HEARTH_LOG_INFO = 1,
  HEARTH_LOG_WARN = 2,
  HEARTH_LOG_ERROR = 3,
} hearth_log_level;

typedef enum hearth_field_type {
  HEARTH_FIELD_NULL = 0,
  HEARTH_FIELD_STRING = 1,
  HEARTH_FIELD_INT = 2,      /* decimal text */
  HEARTH_FIELD_NUMBER = 3,   /* decimal text */
  HEARTH_FIELD_BOOL = 4,     /* "true" / "false" */
  HEARTH_FIELD_DATE = 5,     /* ISO 8601 date, YYYY-MM-DD */
  HEARTH_FIELD_TIMESTAMP = 6 /* ISO 8601 date-time */
} hearth_field_type;

/* A string view: not NUL-terminated, valid only for the duration of the callback. */
typedef struct hearth_str {
  const char* data;
  size_t len;
} hearth_str;

typedef struct hearth_field {
  hearth_str name;
  hearth_str value;
  hearth_field_type type;
} hearth_field;

/* One source record. Everything it points to is owned by the connector and only needs to stay
 * valid until emit_record returns. */
typedef struct hearth_record {
  hearth_str stream;
  hearth_str source_key;  /* unique within the stream */
  int64_t source_time_ms; /* source timestamp, Unix epoch milliseconds; 0 if unknown */
  hearth_str location;    /* where it came from, for humans: "episodes.csv:42" */
  const hearth_field* fields;
  size_t field_count;
} hearth_record;

/* Input the connector could not turn into a record. The rest of the batch carries on. */
typedef struct hearth_reject {
  hearth_str stream;
  hearth_str source_key;  /* may be empty when no key could be read */
  hearth_str reason_code; /* stable, machine-readable: "csv.column_count" */
  hearth_str message;     /* human-readable reason */
  hearth_str location;    /* "episodes.csv:42" */
  hearth_str raw;         /* the offending input, possibly truncated; restricted data */
} hearth_reject;

/* Sinks the host hands to read(). Each call may block: that is how backpressure reaches the
 * connector. A status other than HEARTH_OK means stop reading and return it. */
typedef struct hearth_emitter {
  void* ctx;
  hearth_status (*emit_record)(void* ctx, const hearth_record* record);
  hearth_status (*emit_reject)(void* ctx, const hearth_reject* reject);
  /* Everything emitted before this call is covered by the checkpoint: on restart the connector
   * is handed the token back and must continue after it. */
  hearth_status (*emit_checkpoint)(void* ctx, hearth_str token);
  /* Optional progress for long reads; total is 0 when unknown. */
  void (*progress)(void* ctx, uint64_t done, uint64_t total, const char* unit);
} hearth_emitter;

/* Services the host offers every connector. */
typedef struct hearth_host_api {
  uint32_t abi_major;
  uint32_t abi_minor;
  size_t struct_size;
  void* ctx;
  /* Never pass personal data to log(). */
  void (*log)(void* ctx, hearth_log_level level, const char* message);
  /* Adds to the counter hearth_connector_<name>_total{connector="..."}. */
  void (*counter_add)(void* ctx, const char* name, double value);
  int64_t (*now_ms)(void* ctx);
  /* Non-zero once the host wants the connector to stop. */
  int (*cancelled)(void* ctx);
  /* Resolves a secret by reference; writes a NUL-terminated value, returns HEARTH_ERROR if
   * unknown or if it does not fit. */
  hearth_status (*secret)(void* ctx, const char* ref, char* out, size_t out_len);
} hearth_host_api;

typedef struct hearth_connector hearth_connector; /* opaque, owned by the plugin */

/* Receives a NUL-terminated JSON document (discover's stream catalogue). */
typedef void (*hearth_json_sink)(void* ctx, const char* json, size_t len);

typedef struct hearth_connector_plugin {
  uint32_t abi_major;
  uint32_t abi_minor;
  size_t struct_size;
  const char* name;    /* "csv" */
  const char* version; /* the connector's own semantic version */
  const char* description;
  const char* config_schema; /* JSON Schema (draft 2020-12 subset) of the connector's config */

  /* config_json has been validated against config_schema by the host. */
  hearth_status (*create)(const hearth_host_api* host, const char* config_json,
                          hearth_connector** out, char* err, size_t err_len);
  /* Can the connector reach its source with this configuration? */
  hearth_status (*check)(hearth_connector* self, char* err, size_t err_len);
  /* The streams and their fields, as {"streams":[{"name":..,"fields":[{"name":..,"type":..}]}]}. */
  hearth_status (*discover)(hearth_connector* self, hearth_json_sink sink, void* sink_ctx,
                            char* err, size_t err_len);
  /* Reads every record after checkpoint (empty token: from the beginning) that is available now,
   * then returns HEARTH_OK. The host calls read() again on its schedule. */
  hearth_status (*read)(hearth_connector* self, hearth_str checkpoint,
                        const hearth_emitter* emitter, char* err, size_t err_len);
  /* Thread-safe; asks a blocked read() to return HEARTH_CANCELLED soon. May be NULL. */
  void (*stop)(hearth_connector* self);
  void (*destroy)(hearth_connector* self);
} hearth_connector_plugin;

typedef const hearth_connector_plugin* (*hearth_connector_entry_fn)(void);

#ifdef __cplusplus
}
#endif
