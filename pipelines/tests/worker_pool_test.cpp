#include "pipelines/common/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hearth::pipelines {
namespace {

TEST(WorkerPool, RunsEveryPartOnceOnThreadsItKeeps) {
  WorkerPool pool(2);
  std::set<std::thread::id> helpers_seen;
  for (int run = 0; run < 50; ++run) {
    std::vector<int> calls(3, 0);
    std::vector<std::thread::id> on(3);
    pool.run(3, [&](size_t part) {
      ++calls[part];
      on[part] = std::this_thread::get_id();
    });
    EXPECT_EQ(calls, (std::vector<int>{1, 1, 1})) << "run " << run;
    EXPECT_EQ(on[0], std::this_thread::get_id());  // part 0 is the caller's
    EXPECT_NE(on[1], on[2]);
    helpers_seen.insert(on[1]);
    helpers_seen.insert(on[2]);
  }
  // Fifty runs, and still the same two threads.
  EXPECT_EQ(helpers_seen.size(), 2u);
  EXPECT_EQ(helpers_seen.count(std::this_thread::get_id()), 0u);
}

TEST(WorkerPool, RunsFewerPartsThanItHasThreadsAndNoMoreThanIt) {
  WorkerPool pool(3);
  std::atomic<int> calls = 0;
  std::atomic<size_t> highest = 0;
  auto work = [&](size_t part) {
    ++calls;
    for (size_t seen = highest; part > seen && !highest.compare_exchange_weak(seen, part);) {
    }
  };
  pool.run(2, work);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(highest, 1u);
  calls = 0;
  pool.run(9, work);  // the caller and three helpers
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(highest, 3u);
  calls = 0;
  pool.run(1, work);
  EXPECT_EQ(calls, 1);
}

TEST(WorkerPool, WithNoHelpersRunsOnTheCaller) {
  WorkerPool pool(0);
  std::vector<std::thread::id> on;
  pool.run(4, [&](size_t part) {
    EXPECT_EQ(part, 0u);
    on.push_back(std::this_thread::get_id());
  });
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0], std::this_thread::get_id());
}

TEST(WorkerPool, RethrowsWhatAPartThrewOnceEveryPartHasFinished) {
  WorkerPool pool(2);
  std::atomic<int> finished = 0;
  EXPECT_THROW(pool.run(3,
                        [&](size_t part) {
                          if (part == 2) throw std::runtime_error("part 2 failed");
                          std::this_thread::sleep_for(std::chrono::milliseconds(20));
                          ++finished;
                        }),
               std::runtime_error);
  EXPECT_EQ(finished, 2);  // the others were not abandoned
  // And the pool still works after a failure.
  std::atomic<int> calls = 0;
  pool.run(3, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace hearth::pipelines
