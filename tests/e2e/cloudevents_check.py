#!/usr/bin/python3
"""Reads every message of Hearth's topics as a CloudEvents consumer would, and checks it.

Independent of Hearth's code: kcat reads the topics (headers included), Python's json module
parses the events, and python3-jsonschema (draft 2020-12) validates each event against the
envelope schema and its data against the schema its `dataschema` names. The Kafka protocol
binding of CloudEvents 1.0 decides the mode from the `content-type` header: a value starting with
application/cloudevents is a structured-mode event, anything else a binary-mode one, which Hearth
never publishes.

Usage: cloudevents_check.py --bootstrap HOST:PORT --schemas DIR --area-code CODE [--jobs N] TOPIC...
Prints a count per event type; exits 1 listing the first problems when any event fails. The
events are validated by N processes (default: one per CPU), in slices of the order read, so the
problems listed first are the same whatever N is.
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
from urllib.parse import urlsplit

import jsonschema

STRUCTURED = "application/cloudevents+json; charset=UTF-8"
REQUIRED = ("specversion", "id", "source", "type")  # CloudEvents 1.0, section 3.1
SHOWN = 10


def headers_of(message):
    """kcat -J writes headers as [name, value, name, value, ...]."""
    raw = message.get("headers") or []
    if isinstance(raw, dict):
        return list(raw.items())
    return list(zip(raw[0::2], raw[1::2]))


def no_repeats(pairs):
    keys = [k for k, _ in pairs]
    repeated = {k for k in keys if keys.count(k) > 1}
    if repeated:
        raise ValueError("repeated keys " + ", ".join(sorted(repeated)))
    return dict(pairs)


def read_topic(kcat, bootstrap, topic):
    out = subprocess.run(
        [kcat, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-J",
         "-X", "topic.metadata.refresh.interval.ms=1000"],
        check=True, capture_output=True, text=True, timeout=300).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


SLICE = 2000  # messages a worker validates at a time


class Checker:
    """Validates messages; each worker process builds its own validators."""

    def __init__(self, schemas, area_code):
        self.schemas = schemas
        self.area_code = area_code
        self.envelope = self.load("cloudevent.v1.json")
        self.data_validators = {}

    def load(self, name):
        with open(f"{self.schemas}/{name}", encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        return jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker())

    def check(self, topic, message, problems, counts):
        where = f"{topic}[{message.get('partition')}]@{message.get('offset')}"
        payload = message.get("payload")
        if payload is None and topic.endswith("person.view"):
            return  # a tombstone on the compacted topic: not an event
        headers = headers_of(message)
        content_types = [v for k, v in headers if k.lower() == "content-type"]
        if content_types != [STRUCTURED]:
            problems.append(f"{where}: content-type headers {content_types}, "
                            f"want exactly [{STRUCTURED!r}]")
        if any(k.startswith("ce_") for k, _ in headers):
            problems.append(f"{where}: binary-mode ce_ headers on a structured event")
        try:
            event = json.loads(payload, object_pairs_hook=no_repeats)
        except (TypeError, ValueError) as e:
            problems.append(f"{where}: not a JSON event: {e}")
            return
        if not isinstance(event, dict):
            problems.append(f"{where}: the event is not a JSON object")
            return
        for name in REQUIRED:
            if not isinstance(event.get(name), str) or not event[name]:
                problems.append(f"{where}: required attribute {name} missing or empty")
        if event.get("specversion") != "1.0":
            problems.append(f"{where}: specversion {event.get('specversion')!r}")
        source = event.get("source", "")
        if not source.startswith(f"/hearth/{self.area_code}/"):
            problems.append(f"{where}: source {source!r} lacks the area code")
        for error in self.envelope.iter_errors(event):
            problems.append(f"{where}: envelope {list(error.absolute_path)}: {error.message}")
        dataschema = event.get("dataschema", "")
        parts = urlsplit(dataschema)
        if not parts.scheme or not parts.netloc:
            problems.append(f"{where}: dataschema {dataschema!r} is not an absolute URI")
            return
        name = parts.path.rsplit("/", 1)[-1]
        expected = event.get("type", "").removeprefix("uk.gov.") + ".json"
        if name != expected:
            problems.append(f"{where}: dataschema {name} for type {event.get('type')}")
            return
        if name not in self.data_validators:
            self.data_validators[name] = self.load(name)
        for error in self.data_validators[name].iter_errors(event.get("data")):
            path = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where}: /data/{path}: {error.message[:300]}")
        counts[event["type"]] = counts.get(event["type"], 0) + 1


CHECKER = None  # each process's own


def start_worker(schemas, area_code):
    global CHECKER
    CHECKER = Checker(schemas, area_code)


def check_slice(messages):
    """Problems and counts by type of a slice of (topic, message), in its order."""
    problems = []
    counts = {}
    for topic, message in messages:
        CHECKER.check(topic, message, problems, counts)
    return problems, counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--area-code", required=True)
    parser.add_argument("--kcat", default="kcat")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("topics", nargs="+")
    args = parser.parse_args()

    messages = [(topic, message) for topic in args.topics
                for message in read_topic(args.kcat, args.bootstrap, topic)]
    slices = [messages[i:i + SLICE] for i in range(0, len(messages), SLICE)]
    jobs = max(1, min(args.jobs, len(slices)))
    if jobs == 1:
        start_worker(args.schemas, args.area_code)
        results = [check_slice(s) for s in slices]
    else:
        with multiprocessing.get_context("fork").Pool(
                jobs, initializer=start_worker, initargs=(args.schemas, args.area_code)) as pool:
            results = pool.map(check_slice, slices, chunksize=1)
    problems = []
    counts = {}
    for slice_problems, slice_counts in results:
        problems.extend(slice_problems)
        for event_type, n in slice_counts.items():
            counts[event_type] = counts.get(event_type, 0) + n

    print("events by type: " + " ".join(f"{t}={n}" for t, n in sorted(counts.items())))
    if problems:
        print(f"{len(problems)} problems; the first:", file=sys.stderr)
        for problem in problems[:SHOWN]:
            print("  " + problem, file=sys.stderr)
        return 1
    if not counts:
        print("no events read", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
