#include "server/net/snapshot_reclaim.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mailns::server {

namespace {
int membarrier(int cmd) { return static_cast<int>(syscall(__NR_membarrier, cmd, 0, 0)); }
}  // namespace

WorkerEpochs::WorkerEpochs() : slots_(new Slot[kMaxWorkers]) {
  const int supported = membarrier(MEMBARRIER_CMD_QUERY);
  membarrier_ = supported > 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

void WorkerEpochs::set_workers(unsigned count, std::function<void(unsigned)> nudge) {
  workers_ = count < kMaxWorkers ? count : kMaxWorkers;
  nudge_ = std::move(nudge);
}

std::vector<uint64_t> WorkerEpochs::sample() const {
  if (!membarrier_ || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
    std::atomic_thread_fence(std::memory_order_seq_cst);
  std::vector<uint64_t> out(workers_);
  for (unsigned i = 0; i < workers_; ++i) out[i] = slots_[i].counter.load(std::memory_order_acquire);
  return out;
}

bool WorkerEpochs::passed(const std::vector<uint64_t>& sampled) const noexcept {
  const uint64_t need = membarrier_ ? 1 : 2;
  for (unsigned i = 0; i < sampled.size() && i < workers_; ++i)
    if (slots_[i].counter.load(std::memory_order_acquire) - sampled[i] < need) return false;
  return true;
}

void WorkerEpochs::nudge_lagging(const std::vector<uint64_t>& sampled) const {
  if (!nudge_) return;
  const uint64_t need = membarrier_ ? 1 : 2;
  for (unsigned i = 0; i < sampled.size() && i < workers_; ++i)
    if (slots_[i].counter.load(std::memory_order_acquire) - sampled[i] < need) nudge_(i);
}

}  // namespace mailns::server
