#include "server/net/snapshot_holder.hpp"

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

// The before-swap observers see the snapshot the publish hook returned,
// while the previous one is still current, in the order they were added.
TEST(SnapshotHolderTest, BeforeSwapObserversSeeTheFinalSnapshotBeforeItIsCurrent) {
  auto first = testing::make_snapshot();
  SnapshotHolder holder(first);
  auto replaced = testing::make_snapshot();
  holder.set_publish_hooks([&](std::shared_ptr<const zone::Snapshot>, const zone::Snapshot&) { return replaced; },
                           nullptr);
  std::vector<std::string> seen;
  holder.add_before_swap([&](const zone::Snapshot& next) {
    EXPECT_EQ(&next, replaced.get());
    EXPECT_EQ(holder.current(), first.get());
    seen.push_back("a");
  });
  holder.add_before_swap([&](const zone::Snapshot&) { seen.push_back("b"); });
  holder.publish(testing::make_snapshot());
  EXPECT_EQ(holder.current(), replaced.get());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
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

// Hot reload (issue 7): a retired snapshot is freed once every worker has
// passed a batch boundary after its retirement; idle workers are nudged.
TEST(SnapshotHolderTest, RetiredSnapshotFreedAfterEveryWorkerPassedABoundary) {
  SnapshotHolder holder(testing::make_snapshot());
  std::vector<unsigned> nudged;
  holder.set_workers(2, [&](unsigned i) { nudged.push_back(i); });
  std::weak_ptr<const zone::Snapshot> old = holder.owner();
  holder.publish(testing::make_snapshot());
  EXPECT_EQ(holder.reclaim(), 1u);
  EXPECT_FALSE(old.expired());
  EXPECT_EQ(nudged, (std::vector<unsigned>{0, 1}));
  holder.batch_boundary(0);
  EXPECT_EQ(holder.reclaim(), 1u);  // worker 1 may still answer from it
  holder.batch_boundary(1);
  holder.batch_boundary(0);
  holder.batch_boundary(1);
  EXPECT_EQ(holder.reclaim(), 0u);
  EXPECT_TRUE(old.expired());
}

TEST(SnapshotHolderTest, WithoutWorkersRetiredSnapshotsAreKept) {
  SnapshotHolder holder(testing::make_snapshot());
  holder.publish(testing::make_snapshot());
  EXPECT_EQ(holder.reclaim(), 1u);
}

}  // namespace
}  // namespace mailns::server
