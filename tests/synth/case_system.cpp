#include "tests/synth/case_system.hpp"

#include <algorithm>

namespace hearth::synth {

CaseSystem::CaseSystem(SourceContext& context) {
  const World& w = context.world();
  std::vector<uint8_t> known(w.people.size(), 0);
  for (const Contact& c : w.contacts) known[c.child] = 1;
  for (const CinEpisode& e : w.cin_episodes) known[e.child] = 1;
  for (const EarlyHelpEpisode& e : w.early_help) known[e.child] = 1;
  for (const ClaPeriod& p : w.cla_periods) known[p.child] = 1;
  slot_.assign(w.people.size(), kNone);
  Rng& rng = context.rng();
  for (uint32_t p = 0; p < w.people.size(); ++p) {
    if (!known[p]) continue;
    persons_.push_back(p);
    // Liquidlogic-style numeric ids: unique, unrelated to the true person id.
    const uint32_t n = static_cast<uint32_t>(entries_.size());
    Entry entry;
    const std::string id = std::to_string(300000 + n * 9 + rng.below(4));
    entry.primary = context.record(p, id, "case_system", w.timeline.extract_day, true, true);
    if (context.duplicate()) {
      const std::string dup_id = std::to_string(300000 + n * 9 + 4 + rng.below(5));
      entry.duplicate =
          context.record(p, dup_id, "case_system", w.timeline.extract_day, true, true);
      context.error("case_system", dup_id, "duplicate_record", "pers_person_id", id, dup_id);
    }
    slot_[p] = n;
    entries_.push_back(std::move(entry));
  }
}

const CaseSystem::Entry* CaseSystem::find(uint32_t person) const {
  if (person >= slot_.size() || slot_[person] == kNone) return nullptr;
  return &entries_[slot_[person]];
}

const RecordedPerson& CaseSystem::recordFor(uint32_t person, uint32_t event_id) const {
  const Entry& e = entries_[slot_[person]];
  // A stable split: about a third of a duplicated child's events hang off the second record.
  if (!e.duplicate.local_id.empty() && (event_id * 2654435761u) % 3 == 0) return e.duplicate;
  return e.primary;
}

}  // namespace hearth::synth
