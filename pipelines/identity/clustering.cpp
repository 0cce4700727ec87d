#include "pipelines/identity/clustering.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace hearth::pipelines::identity {

void ConstrainedClusters::reset(std::size_t records) {
  parent_.clear();
  rank_.clear();
  smallest_.clear();
  forbidden_.clear();
  grow(records);
}

void ConstrainedClusters::grow(std::size_t records) {
  const std::size_t old_size = parent_.size();
  if (records <= old_size) return;
  parent_.resize(records);
  smallest_.resize(records);
  rank_.resize(records, 0);
  std::iota(parent_.begin() + static_cast<std::ptrdiff_t>(old_size), parent_.end(),
            static_cast<std::uint32_t>(old_size));
  std::iota(smallest_.begin() + static_cast<std::ptrdiff_t>(old_size), smallest_.end(),
            static_cast<std::uint32_t>(old_size));
}

std::uint32_t ConstrainedClusters::root(std::uint32_t record) const {
  while (parent_[record] != record) record = parent_[record];
  return record;
}

std::uint32_t ConstrainedClusters::compressRoot(std::uint32_t record) {
  while (parent_[record] != record) {
    parent_[record] = parent_[parent_[record]];
    record = parent_[record];
  }
  return record;
}

void ConstrainedClusters::forbid(std::uint32_t a, std::uint32_t b) {
  forbidden_[compressRoot(a)].push_back(b);
  forbidden_[compressRoot(b)].push_back(a);
}

bool ConstrainedClusters::link(std::uint32_t a, std::uint32_t b) {
  std::uint32_t ra = compressRoot(a);
  std::uint32_t rb = compressRoot(b);
  if (ra == rb) return true;
  const auto fa = forbidden_.find(ra);
  const auto fb = forbidden_.find(rb);
  if (fa != forbidden_.end() && fb != forbidden_.end()) {
    // Constraints are stored on both sides, so checking one cluster's list is enough.
    const auto& shorter = fa->second.size() <= fb->second.size() ? fa->second : fb->second;
    const std::uint32_t other = &shorter == &fa->second ? rb : ra;
    for (const std::uint32_t record : shorter) {
      if (compressRoot(record) == other) return false;
    }
  }
  if (rank_[ra] < rank_[rb]) std::swap(ra, rb);
  parent_[rb] = ra;
  if (rank_[ra] == rank_[rb]) ++rank_[ra];
  smallest_[ra] = std::min(smallest_[ra], smallest_[rb]);
  const auto moved = forbidden_.find(rb);
  if (moved != forbidden_.end()) {
    std::vector<std::uint32_t> carried = std::move(moved->second);
    forbidden_.erase(moved);
    auto& target = forbidden_[ra];
    target.insert(target.end(), carried.begin(), carried.end());
  }
  return true;
}

std::uint32_t ConstrainedClusters::personOf(std::uint32_t record) const {
  return smallest_[root(record)];
}

bool ConstrainedClusters::sameCluster(std::uint32_t a, std::uint32_t b) const {
  return root(a) == root(b);
}

}  // namespace hearth::pipelines::identity
