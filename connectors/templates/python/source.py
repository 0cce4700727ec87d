#!/usr/bin/env python3
"""A Hearth connector in Python, standard library only.

Hearth runs this file as a child process and talks to it through the Airbyte protocol: one verb
per run, JSON messages one per line on stdout, anything for humans on stderr.

    source.py spec
    source.py check --config CONFIG.json
    source.py discover --config CONFIG.json
    source.py read --config CONFIG.json --catalog CATALOG.json [--state STATE.json]

As shipped it reads one CSV file as one stream and remembers, as its state, how many rows it has
read, so a restart carries on after the last state Hearth stored. Replace open_rows() (and the
specification) to read another source; keep the rest.
"""

import argparse
import csv
import json
import os
import sys
import time

# The settings Hearth validates (hearthd.yaml `settings:`) before the connector runs. Hearth's
# validator reads JSON Schema: type, properties, required, enum, minimum, pattern, format, ...
# "format": "path" makes Hearth resolve the path against the config file's directory.
SPECIFICATION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CSV file",
    "description": "Reads one CSV file with a header row as one stream.",
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "stream", "key"],
    "properties": {
        "path": {
            "description": "The CSV file (UTF-8, with a header row).",
            "type": "string",
            "format": "path",
        },
        "stream": {
            "description": "The stream's name, as records and mappings name it.",
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]{0,62}$",
        },
        "key": {
            "description": "The columns that identify a row: its source key.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
        },
        "state_every": {
            "description": "Rows between two states (checkpoints).",
            "type": "integer",
            "minimum": 1,
            "default": 1000,
        },
    },
}


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n")


def log(level, text):
    """A LOG message. Hearth puts it in its own log: never put personal data in one."""
    emit({"type": "LOG", "log": {"level": level, "message": text}})


def now_ms():
    return int(time.time() * 1000)


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def open_rows(config):
    """The source: a reader over the CSV rows, as dictionaries."""
    handle = open(config["path"], newline="", encoding="utf-8")
    return handle, csv.DictReader(handle)


def spec(_args):
    emit({"type": "SPEC", "spec": {"connectionSpecification": SPECIFICATION}})


def check(args):
    config = load_json(args.config)
    try:
        handle, rows = open_rows(config)
        with handle:
            missing = [column for column in config["key"] if column not in (rows.fieldnames or [])]
    except OSError as error:
        emit({"type": "CONNECTION_STATUS",
              "connectionStatus": {"status": "FAILED", "message": f"cannot read the file: {error.strerror}"}})
        return
    if missing:
        emit({"type": "CONNECTION_STATUS",
              "connectionStatus": {"status": "FAILED", "message": "key columns missing: " + ", ".join(missing)}})
        return
    emit({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}})


def discover(args):
    config = load_json(args.config)
    handle, rows = open_rows(config)
    with handle:
        columns = rows.fieldnames or []
    emit({"type": "CATALOG", "catalog": {"streams": [{
        "name": config["stream"],
        "json_schema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {column: {"type": ["null", "string"]} for column in columns},
        },
        "supported_sync_modes": ["full_refresh", "incremental"],
        "source_defined_cursor": True,
        "source_defined_primary_key": [[column] for column in config["key"]],
    }]}})


def rows_already_read(state_path, stream):
    """Where the last stored state left off: Hearth hands back the states it stored."""
    if not state_path:
        return 0
    for message in load_json(state_path):
        if message.get("type") == "STREAM":
            descriptor = message["stream"]["stream_descriptor"]
            if descriptor.get("name") == stream:
                return int(message["stream"]["stream_state"].get("rows_read", 0))
    return 0


def state(stream, rows_read):
    emit({"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": stream},
        "stream_state": {"rows_read": rows_read}}}})


def read(args):
    config = load_json(args.config)
    catalog = load_json(args.catalog)
    stream = config["stream"]
    if stream not in [entry["stream"]["name"] for entry in catalog.get("streams", [])]:
        return
    every = config.get("state_every", 1000)
    skip = rows_already_read(args.state, stream)
    handle, rows = open_rows(config)
    read_so_far = 0
    name = os.path.basename(config["path"])
    with handle:
        ended_at = 1  # the line the previous row (first the header) ended on
        for row in rows:
            started_at, ended_at = ended_at + 1, rows.line_num
            read_so_far += 1
            if read_so_far <= skip:
                continue
            # Hearth's own part of a record: where it came from, named in rejects and findings.
            where = {"location": f"{name}:{started_at}"}
            emit({"type": "RECORD", "record": {
                "stream": stream, "data": row, "emitted_at": now_ms(), "hearth": where}})
            if read_so_far % every == 0:
                state(stream, read_so_far)
    # The final state covers every record; without it the last rows would be read again.
    if read_so_far > skip:
        state(stream, read_so_far)
    log("INFO", f"{stream}: {max(read_so_far - skip, 0)} rows read")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("spec").set_defaults(run=spec)
    for name, run in (("check", check), ("discover", discover), ("read", read)):
        verb = verbs.add_parser(name)
        verb.add_argument("--config", required=True)
        if name == "read":
            verb.add_argument("--catalog", required=True)
            verb.add_argument("--state")
        verb.set_defaults(run=run)
    args = parser.parse_args()
    try:
        args.run(args)
    except Exception as error:  # reported as a protocol error, then a non-zero exit
        emit({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": now_ms(), "error": {
            "message": f"{type(error).__name__}: {error}", "failure_type": "system_error"}}})
        sys.stdout.flush()
        sys.exit(1)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
