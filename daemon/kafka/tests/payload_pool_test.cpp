#include "daemon/kafka/payload_pool.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hearth::daemon::kafka {
namespace {

TEST(PayloadPool, LendsAReturnedBufferAgainWithItsCapacity) {
  PayloadPool pool;
  std::unique_ptr<PooledEvent> first = pool.acquire();
  first->payload.assign(1000, 'x');
  const PooledEvent* address = first.get();
  const char* bytes = first->payload.data();
  pool.release(std::move(first));
  EXPECT_EQ(pool.idle(), 1u);

  std::unique_ptr<PooledEvent> again = pool.acquire();
  EXPECT_EQ(again.get(), address);
  again->payload.assign(900, 'y');  // fits: no new allocation
  EXPECT_EQ(again->payload.data(), bytes);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(PayloadPool, KeepsNoMoreThanItsLimitNorOversizedBuffers) {
  PayloadPool pool(/*max_kept=*/2, /*max_capacity=*/4096);
  std::vector<std::unique_ptr<PooledEvent>> lent;
  for (int i = 0; i < 3; ++i) lent.push_back(pool.acquire());
  lent[0]->payload.assign(10'000, 'z');  // beyond max_capacity: freed on return
  for (auto& event : lent) pool.release(std::move(event));
  EXPECT_EQ(pool.idle(), 2u);
  // The oversized one was not kept: both idle buffers are small.
  for (int i = 0; i < 2; ++i) EXPECT_LE(pool.acquire()->payload.capacity(), 4096u);
  EXPECT_EQ(pool.idle(), 0u);
  pool.release(nullptr);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(PayloadPool, BuffersLentOnOneThreadComeBackOnAnother) {
  PayloadPool pool(/*max_kept=*/64);
  constexpr int kEvents = 20'000;
  std::vector<std::unique_ptr<PooledEvent>> in_flight;
  std::mutex mutex;
  std::thread returner([&] {
    int returned = 0;
    while (returned < kEvents) {
      std::unique_ptr<PooledEvent> event;
      {
        std::lock_guard lock(mutex);
        if (!in_flight.empty()) {
          event = std::move(in_flight.back());
          in_flight.pop_back();
        }
      }
      if (event == nullptr) {
        std::this_thread::yield();
        continue;
      }
      EXPECT_EQ(event->payload, "event " + std::to_string(event->seq));
      pool.release(std::move(event));
      ++returned;
    }
  });
  for (int i = 0; i < kEvents; ++i) {
    std::unique_ptr<PooledEvent> event = pool.acquire();
    event->seq = static_cast<uint64_t>(i);
    event->payload = "event " + std::to_string(i);
    std::lock_guard lock(mutex);
    in_flight.push_back(std::move(event));
  }
  returner.join();
  EXPECT_GT(pool.idle(), 0u);
  EXPECT_LE(pool.idle(), 64u);
}

}  // namespace
}  // namespace hearth::daemon::kafka
