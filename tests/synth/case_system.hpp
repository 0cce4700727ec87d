#pragma once

#include <string>
#include <vector>

#include "tests/synth/mess.hpp"

namespace hearth::synth {

/// The Children's Trust case-management system as its exports see it: every child known to
/// children's services has a local person id, recorded with the system's own mistakes, and a few
/// children were recorded twice. The SSDA903, CIN census and SSD writers all read from it, so a
/// child's errors agree across the three exports as they would in real life.
class CaseSystem {
 public:
  struct Entry {
    RecordedPerson primary;
    /// A second record for the same child, or local_id empty when there is none.
    RecordedPerson duplicate;
  };

  explicit CaseSystem(SourceContext& context);

  /// The entry for a person, or nullptr when the person never met children's services.
  const Entry* find(uint32_t person) const;
  /// The record an event was filed under: usually the primary one, sometimes the duplicate.
  const RecordedPerson& recordFor(uint32_t person, uint32_t event_id) const;
  /// Persons in the system, in id order.
  const std::vector<uint32_t>& persons() const { return persons_; }

 private:
  std::vector<uint32_t> persons_;
  std::vector<uint32_t> slot_;  // per world person: index into entries_, or kNone
  std::vector<Entry> entries_;
};

}  // namespace hearth::synth
