// SnapshotHolder: the zone snapshot the workers answer from. Workers call
// current() once per batch (one acquire load of a raw pointer: no lock, no
// reference-count traffic) and use that snapshot for the whole batch.
// publish() swaps in a new snapshot with a release store.
//
// Reclaiming (server/snapshot_reclaim.hpp): a replaced snapshot is retired,
// not freed, because a worker may still be answering from it. Each worker
// calls batch_boundary() once per batch, at a point where it holds no
// snapshot pointer; reclaim() (called by the reload thread) frees a retired
// snapshot once every worker has passed a boundary after its retirement,
// and nudges idle workers so they do. Until set_workers() is called (tests,
// commands without workers), retired snapshots are kept for the holder's
// lifetime. Code that keeps a snapshot across batches (zone transfers) must
// hold owner(), the shared_ptr, not current().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "server/net/snapshot_reclaim.hpp"

#include "zone/snapshot.hpp"

namespace mailns::server {

class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const zone::Snapshot> initial)
      : owned_(std::move(initial)), current_(owned_.get()) {}
  SnapshotHolder(const SnapshotHolder&) = delete;
  SnapshotHolder& operator=(const SnapshotHolder&) = delete;

  // The snapshot to answer from; never null. Valid for as long as the holder.
  const zone::Snapshot* current() const noexcept { return current_.load(std::memory_order_acquire); }

  // Makes next the current snapshot; the previous one stays alive.
  // Publications run one at a time, with the publish hooks.
  void publish(std::shared_ptr<const zone::Snapshot> next) {
    std::lock_guard one_at_a_time(publish_mu_);
    if (before_publish_) next = before_publish_(std::move(next), *current());
    for (const auto& observe : before_swap_) observe(*next);
    {
      std::lock_guard lock(mu_);
      std::shared_ptr<const zone::Snapshot> old = std::move(owned_);
      owned_ = std::move(next);
      current_.store(owned_.get(), std::memory_order_release);
      retired_.push_back(Retired{std::move(old), reclaiming_ ? epochs_.sample() : std::vector<uint64_t>{}});
    }
    if (after_publish_) after_publish_();
  }

  // Hooks of the zone-transfer code (server/xfr/primary.hpp) around every
  // publication: before(next, current) returns the snapshot to publish
  // instead of next (with the catalog zone added) and may compare the two;
  // after() runs once it is current (NOTIFY). Set before anything publishes
  // from another thread.
  using BeforePublish = std::function<std::shared_ptr<const zone::Snapshot>(std::shared_ptr<const zone::Snapshot>,
                                                                            const zone::Snapshot&)>;
  void set_publish_hooks(BeforePublish before, std::function<void()> after) {
    std::lock_guard one_at_a_time(publish_mu_);
    before_publish_ = std::move(before);
    after_publish_ = std::move(after);
  }

  // Parties that must see a snapshot before it becomes current (the
  // MTA-STS policy_dir writer: RFC 8461 3.3, the policy before its id).
  // Called by publish() in the order added, with the snapshot the publish
  // hook returned, just before the swap; they cannot replace it. Add before
  // anything publishes from another thread.
  using BeforeSwap = std::function<void(const zone::Snapshot& next)>;
  void add_before_swap(BeforeSwap observe) {
    std::lock_guard one_at_a_time(publish_mu_);
    before_swap_.push_back(std::move(observe));
  }

  // Worker `index` (0-based, below set_workers' count) is between batches.
  // Hot path: one relaxed load and one release store of its own counter.
  void batch_boundary(unsigned index) const noexcept { epochs_.pass(index); }

  // Turns reclamation on for `count` workers; nudge(i) must make worker i
  // call batch_boundary(i) soon (e.g. post to its io_context). Call before
  // the workers start answering.
  void set_workers(unsigned count, std::function<void(unsigned)> nudge) const {
    std::lock_guard lock(mu_);
    epochs_.set_workers(count, std::move(nudge));
    reclaiming_ = true;
    // Snapshots retired before the workers existed are not in use by them.
    for (auto& r : retired_) r.sampled.assign(count, 0), r.free_now = true;
  }

  // Frees the retired snapshots every worker is done with; nudges the
  // workers that hold up the others. Returns how many are still retired.
  size_t reclaim() {
    std::lock_guard lock(mu_);
    if (!reclaiming_) return retired_.size();
    std::erase_if(retired_, [&](const Retired& r) { return r.free_now || epochs_.passed(r.sampled); });
    if (!retired_.empty()) epochs_.nudge_lagging(retired_.back().sampled);
    return retired_.size();
  }

  size_t retired_count() const {
    std::lock_guard lock(mu_);
    return retired_.size();
  }

  // Shared ownership of the current snapshot, for control-path users.
  std::shared_ptr<const zone::Snapshot> owner() const {
    std::lock_guard lock(mu_);
    return owned_;
  }

 private:
  struct Retired {
    std::shared_ptr<const zone::Snapshot> snapshot;
    std::vector<uint64_t> sampled;  // the workers' counters right after it was replaced
    bool free_now = false;
  };
  std::mutex publish_mu_;  // held for a whole publication, hooks included
  BeforePublish before_publish_;
  std::function<void()> after_publish_;
  std::vector<BeforeSwap> before_swap_;
  mutable std::mutex mu_;
  std::shared_ptr<const zone::Snapshot> owned_;
  mutable std::vector<Retired> retired_;
  mutable WorkerEpochs epochs_;
  mutable bool reclaiming_ = false;
  std::atomic<const zone::Snapshot*> current_;
};

}  // namespace mailns::server
