#pragma once

#include <cstdint>
#include <filesystem>

namespace hearth::daemon::app {

/// Space the daemon sets aside on its state directory's file system, as a file of allocated
/// blocks, so that after the disk fills up (by anyone) a restart can still open its databases,
/// save checkpoints and drain the spool, which frees space. Released at start-up, before anything
/// is opened, and taken again once there is room for it above the free-space floor.
class DiskReserve {
 public:
  static constexpr const char* kFileName = "hearthd.reserve";
  static constexpr uint64_t kBytes = uint64_t{32} << 20;

  explicit DiskReserve(std::filesystem::path state_dir) : path_(std::move(state_dir) / kFileName) {}

  /// Deletes the reserve, freeing its space; true if there was one.
  bool release();
  /// Allocates the reserve again if it is missing and the file system would keep more than
  /// `floor` bytes free beside it; true if it is in place.
  bool replenish(uint64_t floor);

 private:
  std::filesystem::path path_;
  bool held_ = false;
};

}  // namespace hearth::daemon::app
