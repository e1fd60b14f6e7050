// SnapshotHolder: the zone snapshot the workers answer from. Workers call
// current() once per batch (one acquire load of a raw pointer: no lock, no
// reference-count traffic) and use that snapshot for the whole batch.
// publish() swaps in a new snapshot with a release store.
//
// Reclaiming: a replaced snapshot is kept alive (retired) for the holder's
// lifetime, because a worker may still be answering from it. Freeing retired
// snapshots once every worker has passed a batch boundary is the hot-reload
// issue's job; until then publish() is called at start-up, by the DNSSEC
// re-signer (once per refresh period, so the retired list grows slowly) and
// in tests.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

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
  void publish(std::shared_ptr<const zone::Snapshot> next) {
    std::lock_guard lock(mu_);
    retired_.push_back(std::move(owned_));
    owned_ = std::move(next);
    current_.store(owned_.get(), std::memory_order_release);
  }

  // Shared ownership of the current snapshot, for control-path users.
  std::shared_ptr<const zone::Snapshot> owner() const {
    std::lock_guard lock(mu_);
    return owned_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const zone::Snapshot> owned_;
  std::vector<std::shared_ptr<const zone::Snapshot>> retired_;
  std::atomic<const zone::Snapshot*> current_;
};

}  // namespace mailns::server
