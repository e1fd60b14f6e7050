#include "server/snapshot_holder.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "dns_test_util.hpp"

namespace mailns::server {
namespace {

TEST(SnapshotHolderTest, CurrentIsThePublishedSnapshot) {
  auto first = testing::make_snapshot();
  SnapshotHolder holder(first);
  EXPECT_EQ(holder.current(), first.get());
  EXPECT_EQ(holder.owner(), first);

  auto second = testing::make_snapshot();
  const zone::Snapshot* pinned = holder.current();
  holder.publish(second);
  EXPECT_EQ(holder.current(), second.get());
  // A reader that pinned the old snapshot can still use it.
  first.reset();
  EXPECT_EQ(pinned->zones().size(), 1u);
}

TEST(SnapshotHolderTest, ReadersSeeWholeSnapshotsWhilePublishing) {
  SnapshotHolder holder(testing::make_snapshot());
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load(std::memory_order_relaxed)) {
      const zone::Snapshot* s = holder.current();
      ASSERT_NE(s, nullptr);
      ASSERT_EQ(s->zones().size(), 1u);
    }
  });
  for (int i = 0; i < 50; ++i) holder.publish(testing::make_snapshot());
  done = true;
  reader.join();
}

}  // namespace
}  // namespace mailns::server
