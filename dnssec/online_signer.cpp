#include "dnssec/online_signer.hpp"

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <span>

#include "dnssec/rrsig.hpp"
#include "dnssec/zone_signer.hpp"

namespace mailns::dnssec {

namespace {
std::atomic<uint64_t> g_next_id{1};

// The ids of the signers alive now, and a generation bumped whenever one
// goes: a thread prunes its contexts when the generation moved since it
// last looked (one relaxed load per signature otherwise).
std::mutex g_live_mutex;
std::set<uint64_t> g_live;
std::atomic<uint64_t> g_generation{0};

struct ThreadState {
  RrsetSigner signer;
  std::map<std::pair<uint64_t, size_t>, std::unique_ptr<SignContext>> contexts;
  uint64_t generation = 0;

  void prune() {
    const uint64_t now = g_generation.load(std::memory_order_acquire);
    if (now == generation) return;
    std::lock_guard lock(g_live_mutex);
    std::erase_if(contexts, [](const auto& c) { return !g_live.contains(c.first.first); });
    generation = now;
  }
};

thread_local ThreadState t_state;
}  // namespace

size_t online_signer_thread_contexts() noexcept { return t_state.contexts.size(); }

OnlineZoneSigner::OnlineZoneSigner(zone::DnsName origin, std::vector<std::shared_ptr<const SigningKey>> keys,
                                   const SigningPolicy& policy)
    : origin_(std::move(origin)),
      keys_(std::move(keys)),
      validity_(policy.signature_validity),
      inception_offset_(policy.inception_offset),
      id_(g_next_id.fetch_add(1)) {
  std::lock_guard lock(g_live_mutex);
  g_live.insert(id_);
}

OnlineZoneSigner::~OnlineZoneSigner() {
  {
    std::lock_guard lock(g_live_mutex);
    g_live.erase(id_);
  }
  g_generation.fetch_add(1, std::memory_order_release);
}

bool OnlineZoneSigner::sign(zone::NameRef owner, uint16_t type, uint32_t ttl,
                            const zone::RdataList& rdatas,
                            zone::RdataList& out) const noexcept {
  try {
    ThreadState& ts = t_state;
    ts.prune();
    auto name = zone::DnsName::from_wire({owner.wire, owner.len});
    if (!name || keys_.empty()) return false;
    const auto now = static_cast<int64_t>(std::time(nullptr));
    const SignatureTimes times{static_cast<uint32_t>(now - inception_offset_), static_cast<uint32_t>(now + validity_)};
    std::vector<std::span<const uint8_t>> spans(rdatas.begin(), rdatas.end());
    for (size_t i = 0; i < keys_.size(); ++i) {
      auto& ctx = ts.contexts[{id_, i}];
      if (!ctx) ctx = std::make_unique<SignContext>(*keys_[i]);
      if (!ctx->usable()) return false;
      std::vector<uint8_t> sig;
      if (!ts.signer.sign(*name, type, ttl, spans, origin_, times, *ctx, sig)) return false;
      out.push_back(sig);
    }
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace mailns::dnssec
