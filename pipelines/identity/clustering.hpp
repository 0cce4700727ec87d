#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace hearth::pipelines::identity {

/// Union-find over record indices that refuses any union joining two records a reviewer has
/// said are different people. The person id of a cluster is its smallest record index, so it
/// does not depend on the order links arrive in.
class ConstrainedClusters {
 public:
  /// Every record in a cluster of its own, no constraints.
  void reset(std::size_t records);
  /// Adds singleton clusters up to `records`.
  void grow(std::size_t records);

  /// Records `a` and `b` may never share a cluster (call before the links).
  void forbid(std::uint32_t a, std::uint32_t b);
  /// Joins the clusters of `a` and `b`; false when a constraint forbids it.
  bool link(std::uint32_t a, std::uint32_t b);

  std::uint32_t personOf(std::uint32_t record) const;
  bool sameCluster(std::uint32_t a, std::uint32_t b) const;
  std::size_t size() const { return parent_.size(); }

 private:
  std::uint32_t root(std::uint32_t record) const;
  std::uint32_t compressRoot(std::uint32_t record);

  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> rank_;
  std::vector<std::uint32_t> smallest_;
  /// Per cluster root: the records its members must stay apart from.
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> forbidden_;
};

}  // namespace hearth::pipelines::identity
