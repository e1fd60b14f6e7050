// WorkerEpochs: when may a replaced snapshot be freed? Each worker owns one
// cache-line-sized slot holding the number of batches it has finished; it
// bumps it with a plain release store at each batch boundary (never per
// query, no read-modify-write: the counter is the worker's own), at a point
// where it holds no snapshot pointer. A snapshot retired when a worker's
// counter read c may be freed once that counter has moved past c: the
// batch that might have loaded the old pointer is over.
//
// The publisher makes that sound with membarrier(2) (PRIVATE_EXPEDITED):
// after publishing and before sampling the counters it forces a full memory
// barrier on every thread of the process, so any batch that starts after
// the sample loads the new pointer, without a fence on the workers' side
// (the scheme of userspace RCU). Without membarrier (old kernels) it falls
// back to a seq_cst fence and waits for two boundaries instead of one.
//
// A worker that is idle (no queries) passes no boundary: the reclaimer then
// nudges it (a callback, normally a post() to the worker's io_context whose
// handler calls pass()).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "server/net/net_settings.hpp"

namespace mailns::server {

class WorkerEpochs {
 public:

  WorkerEpochs();

  // Hot path, worker `index` only: a batch boundary.
  void pass(unsigned index) const noexcept {
    Slot& s = slots_[index];
    s.counter.store(s.counter.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  // Publisher side. Sets how many workers there are and how to wake one.
  void set_workers(unsigned count, std::function<void(unsigned)> nudge);
  unsigned workers() const noexcept { return workers_; }
  // After the new pointer is stored: barrier, then the counters now.
  std::vector<uint64_t> sample() const;
  // Whether every worker has moved far enough past `sampled`.
  bool passed(const std::vector<uint64_t>& sampled) const noexcept;
  // Wakes the workers that have not yet moved past `sampled`.
  void nudge_lagging(const std::vector<uint64_t>& sampled) const;
  bool uses_membarrier() const noexcept { return membarrier_; }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> counter{0};
  };
  std::unique_ptr<Slot[]> slots_;
  unsigned workers_ = 0;
  bool membarrier_ = false;
  std::function<void(unsigned)> nudge_;
};

}  // namespace mailns::server
