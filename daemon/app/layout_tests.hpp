#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>

namespace hearth::daemon::app {

/// What a file of layout tests came to.
struct LayoutTestTally {
  size_t passed = 0;
  size_t failed = 0;
  bool file_refused = false;  // unreadable, or not a layout test file: nothing was run
};

/// Runs the layout tests of one YAML file (`hearthd test`): each gives a stream's input row and
/// the canonical records, findings and unmapped fields expected of it. Prints one line per test
/// (PASS or FAIL with its file and line, and each difference under a failure) to `out`.
///
///   layout: ssda903                 # a layout of the registry, or:
///   config: ../../config/examples/early_help.yaml
///   connector: early_help          # its normalise: (a layout, or kind mapping and its mapping:)
///   source_system: la_903          # optional; default the layout's or the connector's
///   collection_year: 2024          # optional
///   today: "2025-06-01"            # optional: the date after which dates are in the future
///   tests:
///     - name: an episode becomes a CLA episode
///       stream: episodes
///       input: {CHILD: "1", DECOM: 01/04/2024, ...}
///       expect:
///         records:                  # in order; each lists the fields it must have (subset)
///           - {kind: cla_episode, start: "2024-04-01", legal_status: C2}
///         findings: [{code: date.future, field: DEC, severity: reject}]   # in order, all
///         unmapped: [EXTRA]         # optional
LayoutTestTally runLayoutTests(const std::filesystem::path& file, std::ostream& out);

}  // namespace hearth::daemon::app
