#include "synth/dkim_lifecycle.hpp"

namespace mailns::synth {

const char* to_string(DkimState s) noexcept {
  switch (s) {
    case DkimState::kPending: return "pending";
    case DkimState::kPublished: return "published";
    case DkimState::kActive: return "active";
    case DkimState::kRetiring: return "retiring";
    case DkimState::kRetired: return "retired";
  }
  return "?";
}

DkimState dkim_state(const DkimDecl& k, int64_t now) noexcept {
  const bool dated = k.publish_at || k.active_at || k.retire_at || k.remove_at;
  if (dated) {
    if (k.remove_at && now >= k.remove_at) return DkimState::kRetired;
    if (k.retire_at && now >= k.retire_at) return DkimState::kRetiring;
    if (k.active_at && now >= k.active_at) return DkimState::kActive;
    if (k.publish_at && now >= k.publish_at) return DkimState::kPublished;
    // Before its first date: not in DNS yet, unless only the end is dated.
    return (k.publish_at || k.active_at) ? DkimState::kPending : DkimState::kActive;
  }
  if (!k.state) return DkimState::kActive;
  if (*k.state == DkimState::kRetiring && k.until && now >= k.until) return DkimState::kRetired;
  return *k.state;
}

bool dkim_published(DkimState s) noexcept {
  return s == DkimState::kPublished || s == DkimState::kActive || s == DkimState::kRetiring;
}

std::optional<int64_t> next_dkim_change(const DkimDecl& k, int64_t now) noexcept {
  std::optional<int64_t> best;
  for (int64_t t : {k.publish_at, k.active_at, k.retire_at, k.remove_at, k.until})
    if (t > now && (!best || t < *best)) best = t;
  return best;
}

std::optional<int64_t> next_dkim_change(const std::vector<MailDomainDecl>& domains, int64_t now) noexcept {
  std::optional<int64_t> best;
  for (const auto& d : domains)
    for (const auto& k : d.dkim)
      if (auto t = next_dkim_change(k, now); t && (!best || *t < *best)) best = t;
  return best;
}

}  // namespace mailns::synth
