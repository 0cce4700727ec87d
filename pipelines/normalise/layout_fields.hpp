#pragma once

#include <string_view>
#include <vector>

#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {

/// What normalisation makes of the fields of one stream of a source layout: those it maps into
/// canonical records (or checks), and those it leaves out on purpose. Any other field a record
/// of the stream carries is unmapped: reported, so that nothing a source sends vanishes unseen.
struct StreamFields {
  /// The stream as the layout's connector names it; school census streams are named by the
  /// operator, so theirs is the blade module the stream name ends with ("pupilonroll").
  std::string_view stream;
  std::vector<std::string_view> mapped;   // sorted, with the layout's fields of every record
  std::vector<std::string_view> ignored;  // sorted, likewise

  bool maps(std::string_view field) const;
  bool ignores(std::string_view field) const;
};

/// The fields of the stream `stream` of the layout `kind`, or null when normalisation does not
/// cover the stream (its records are published field by field).
const StreamFields* findStreamFields(ConnectorKind kind, std::string_view stream);

/// Every stream of the layout `kind` that normalisation covers.
const std::vector<StreamFields>& layoutStreams(ConnectorKind kind);

}  // namespace hearth::pipelines::normalise
