#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "pipelines/canonical/compact_string.hpp"
#include "pipelines/common/parallel_sort.hpp"

namespace hearth::daemon::derive {

/// A held source record's key: its stream's number and its key in the stream (mostly short
/// enough to be held in place). It stands for the text "<connector>\x1f<stream>\x1f<source key>",
/// and sorts as that text does.
struct HeldKey {
  pipelines::canonical::CompactString source_key;
  uint32_t stream = 0;
  bool operator==(const HeldKey&) const = default;
};

/// Compares held keys as their texts compare; `names` are the streams' names by number
/// ("<connector>\x1f<stream>\x1f").
inline int compareHeldKeys(const std::vector<std::string>& names, const HeldKey& a,
                           const HeldKey& b) {
  if (a.stream == b.stream) return a.source_key.view().compare(b.source_key.view());
  const std::string& x = names[a.stream];
  const std::string& y = names[b.stream];
  const size_t common = std::min(x.size(), y.size());
  if (const int compared = x.compare(0, common, y, 0, common); compared != 0) return compared;
  // One stream's name begins the other's (a stream name with a unit separator in it): only the
  // whole texts tell them apart.
  return (x + std::string(a.source_key.view())).compare(y + std::string(b.source_key.view()));
}

/// The places of `batch`'s entries (each with a HeldKey `key`) in key order (compareHeldKeys),
/// entries of one key in the order given. A first evaluation sorts millions: each is sorted by
/// its stream's rank among the names and its key's first eight bytes, held side by side, and only
/// entries equal in both read their whole keys.
template <class Entries>
std::vector<uint32_t> inKeyOrder(const std::vector<std::string>& names, const Entries& batch) {
  // Ranks order streams as their names do, unless one name begins another (a stream name with a
  // unit separator in it): then only whole texts tell the entries apart. In sorted order a name
  // that begins another begins the one after it.
  std::vector<uint32_t> by_name(names.size());
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(),
            [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
  std::vector<uint32_t> rank(names.size(), 0);
  bool whole_texts = false;
  for (size_t n = 0; n < by_name.size(); ++n) {
    rank[by_name[n]] = static_cast<uint32_t>(n);
    if (n > 0 && names[by_name[n]].starts_with(names[by_name[n - 1]])) whole_texts = true;
  }
  struct Sortable {
    uint64_t prefix;  // the key's first eight bytes, most significant first, zeros after its end
    uint32_t rank;
    uint32_t place;
  };
  std::vector<Sortable> entries(batch.size());
  for (size_t n = 0; n < batch.size(); ++n) {
    const std::string_view key = batch[n].key.source_key.view();
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; ++i) {
      prefix = (prefix << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
    }
    entries[n] = {prefix, rank[batch[n].key.stream], static_cast<uint32_t>(n)};
  }
  pipelines::sortInParallel(
      entries.begin(), entries.end(), [&](const Sortable& a, const Sortable& b) {
        if (!whole_texts) {
          if (a.rank != b.rank) return a.rank < b.rank;
          if (a.prefix != b.prefix) return a.prefix < b.prefix;
        }
        const int compared = compareHeldKeys(names, batch[a.place].key, batch[b.place].key);
        return compared != 0 ? compared < 0 : a.place < b.place;
      });
  std::vector<uint32_t> order(entries.size());
  for (size_t n = 0; n < entries.size(); ++n) order[n] = entries[n].place;
  return order;
}

}  // namespace hearth::daemon::derive
