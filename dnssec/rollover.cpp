#include "dnssec/rollover.hpp"

#include <algorithm>

#include "dnssec/key_store.hpp"

namespace mailns::dnssec {

namespace {

struct Step {
  AdvanceResult& r;
  int64_t now;
  int64_t ipub;  // RFC 7583 3.2.1: Dprp + TTL(DNSKEY)
  int64_t iret;  // Dprp + max zone TTL (Dsgn = 0: whole-zone re-sign)
  int64_t ids;   // RFC 7583 3.3.1: Dprp(parent) + TTL(DS)
  void event(const std::string& what) {
    r.events.push_back(r.keys.zone.to_text() + ": " + what);
    r.changed = true;
  }
  void schedule(int64_t t) {
    if (!r.next_event || t < *r.next_event) r.next_event = t;
  }
  // True when t has come; otherwise remembers it as the next event.
  bool due(int64_t t) {
    if (now >= t) return true;
    schedule(t);
    return false;
  }
};

std::string key_text(const KeyEntry& k) {
  std::string role(role_name(k.role));
  std::transform(role.begin(), role.end(), role.begin(), [](char c) { return static_cast<char>(c - 32); });
  return role + " " + std::to_string(k.tag);
}

// Indices of keys in a role and state.
std::vector<size_t> find(const ZoneKeys& z, KeyRole role, KeyState state) {
  std::vector<size_t> out;
  for (size_t i = 0; i < z.keys.size(); ++i)
    if (z.keys[i].role == role && z.keys[i].state == state) out.push_back(i);
  return out;
}

// A role's keys by state, as they were when advance() came to the role.
struct RoleKeys {
  KeyRole role;
  std::vector<size_t> active, published, ready, retired;
};

RoleKeys role_keys(const ZoneKeys& z, KeyRole role) {
  return RoleKeys{role, find(z, role, KeyState::kActive), find(z, role, KeyState::kPublished),
                  find(z, role, KeyState::kReady), find(z, role, KeyState::kRetired)};
}

bool role_in_use(const ZoneKeys& z, KeyRole role) {
  return std::any_of(z.keys.begin(), z.keys.end(),
                     [&](const KeyEntry& k) { return k.role == role && k.state != KeyState::kRemoved; });
}

uint32_t lifetime_of(KeyRole role, const SigningPolicy& policy) {
  return role == KeyRole::kZsk ? policy.zsk_lifetime : policy.ksk_lifetime;
}

enum class Rollover : uint8_t { kNotStarted, kStarted };

// 1. Start a rollover: lifetime reached or requested, none in progress. A
// new key is made and published beside the active one.
Result<Rollover> start_rollover(Step& step, const RoleKeys& at, const SigningPolicy& policy,
                                const KeyFactory& factory) {
  if (at.active.empty() || !at.published.empty() || !at.ready.empty() ||
      (at.role == KeyRole::kZsk && !at.retired.empty()))
    return Rollover::kNotStarted;
  ZoneKeys& z = step.r.keys;
  const uint32_t lifetime = lifetime_of(at.role, policy);
  int64_t& request = at.role == KeyRole::kZsk ? z.zsk_roll_requested : z.ksk_roll_requested;
  const KeyEntry& cur = z.keys[at.active.front()];
  const bool by_age = lifetime > 0 && step.due(cur.active + lifetime);
  const bool by_request = request > 0 && step.now >= request;
  // A CSK whose predecessor is still retiring waits for it.
  const bool csk_busy = at.role == KeyRole::kCsk && !at.retired.empty();
  if (!(by_age || by_request) || csk_busy) return Rollover::kNotStarted;
  auto e = factory(z, cur.algorithm, at.role, step.now);
  if (!e) return Error{e.error()};
  e->state = KeyState::kPublished;
  e->published = step.now;
  request = 0;
  z.keys.push_back(std::move(*e));
  step.event(key_text(z.keys.back()) + " published to replace " + key_text(z.keys[at.active.front()]) +
             (by_request ? " (requested)" : " (lifetime reached)"));
  step.schedule(step.now + step.ipub);
  return Rollover::kStarted;
}

// The active keys stop signing the zone; `what` says what is left of them.
void retire(Step& step, const std::vector<size_t>& active, const char* what) {
  for (size_t a : active) {
    KeyEntry& old = step.r.keys.keys[a];
    old.state = KeyState::kRetired;
    old.retired = step.now;
    step.event(key_text(old) + what);
  }
}

// 2. Published long enough: caches know the new DNSKEY. A new ZSK signs from
// now on and the old one retires; a new KSK or CSK is ready for its DS (and
// a new CSK signs the zone instead of the old one).
void promote_published(Step& step, const RoleKeys& at) {
  for (size_t i : at.published) {
    KeyEntry& k = step.r.keys.keys[i];
    if (!step.due(k.published + step.ipub)) continue;
    if (at.role == KeyRole::kZsk) {
      retire(step, at.active, " retired");
      k.state = KeyState::kActive;
      k.ready = k.active = step.now;
      step.event(key_text(k) + " active");
      step.schedule(step.now + step.iret);
      continue;
    }
    k.state = KeyState::kReady;
    k.ready = step.now;
    step.event(key_text(k) + " ready: submit its DS to the parent (CDS/CDNSKEY now point at it), then confirm");
    if (at.role == KeyRole::kCsk) {
      retire(step, at.active, " no longer signs the zone (still signs the DNSKEY RRset)");
      step.schedule(step.now + step.iret);
    }
  }
}

// The old CSKs must also have been out of zone signing for Iret; each one
// still waiting is scheduled.
bool predecessors_retired_long_enough(Step& step, KeyRole role, size_t successor) {
  const ZoneKeys& z = step.r.keys;
  bool old_done = true;
  for (size_t o = 0; o < z.keys.size(); ++o) {
    const KeyEntry& old = z.keys[o];
    if (o == successor || old.role != role) continue;
    if (role == KeyRole::kCsk && old.state == KeyState::kRetired && !step.due(old.retired + step.iret))
      old_done = false;
  }
  return old_done;
}

void remove_predecessors(Step& step, KeyRole role, size_t successor) {
  ZoneKeys& z = step.r.keys;
  for (size_t o = 0; o < z.keys.size(); ++o) {
    KeyEntry& old = z.keys[o];
    if (o == successor || old.role != role) continue;
    if (old.state == KeyState::kActive || old.state == KeyState::kRetired) {
      old.state = KeyState::kRemoved;
      if (old.retired == 0) old.retired = step.now;
      old.removed = step.now;
      old.key.reset();
      step.event(key_text(old) + " removed");
    }
  }
}

// 3. KSK/CSK ready and the parent's DS confirmed long enough ago: swap.
void swap_in_confirmed(Step& step, KeyRole role) {
  for (size_t i : find(step.r.keys, role, KeyState::kReady)) {
    if (step.r.keys.keys[i].ds_seen == 0) continue;  // waiting for confirm_ds(): no timed event
    if (!step.due(step.r.keys.keys[i].ds_seen + step.ids)) continue;
    if (!predecessors_retired_long_enough(step, role, i)) continue;
    remove_predecessors(step, role, i);
    KeyEntry& k = step.r.keys.keys[i];
    k.state = KeyState::kActive;
    k.active = step.now;
    step.event(key_text(k) + " active");
  }
}

// 4. Retired ZSKs leave the DNSKEY RRset once their signatures expired from caches.
void remove_retired_zsks(Step& step) {
  for (size_t i : find(step.r.keys, KeyRole::kZsk, KeyState::kRetired)) {
    KeyEntry& k = step.r.keys.keys[i];
    if (!step.due(k.retired + step.iret)) continue;
    k.state = KeyState::kRemoved;
    k.removed = step.now;
    k.key.reset();
    step.event(key_text(k) + " removed");
  }
}

// The end of the lifetime of the (possibly new) active key is the next
// event, unless a rollover of the role is under way.
void schedule_end_of_lifetime(Step& step, KeyRole role, const SigningPolicy& policy) {
  const ZoneKeys& z = step.r.keys;
  const uint32_t lifetime = lifetime_of(role, policy);
  if (lifetime > 0)
    for (size_t i : find(z, role, KeyState::kActive)) {
      if (find(z, role, KeyState::kPublished).empty() && find(z, role, KeyState::kReady).empty())
        step.schedule(std::max(step.now, z.keys[i].active + lifetime));
    }
}

}  // namespace

Result<AdvanceResult> advance(ZoneKeys keys, int64_t now, const RolloverTtls& ttls, const SigningPolicy& policy,
                              const KeyFactory& factory_in) {
  const KeyFactory factory = factory_in ? factory_in : KeyFactory(new_key_entry);
  AdvanceResult r;
  r.keys = std::move(keys);
  Step step{r, now, int64_t{policy.propagation_delay} + ttls.dnskey_ttl,
            int64_t{policy.propagation_delay} + ttls.max_zone_ttl,
            int64_t{policy.parent_propagation_delay} + policy.parent_ds_ttl};
  for (KeyRole role : {KeyRole::kZsk, KeyRole::kKsk, KeyRole::kCsk}) {
    if (!role_in_use(r.keys, role)) continue;
    const RoleKeys at = role_keys(r.keys, role);
    const auto started = start_rollover(step, at, policy, factory);
    if (!started) return Error{started.error()};
    if (*started == Rollover::kStarted) continue;  // next steps from the next call, at the earliest Ipub from now
    promote_published(step, at);
    if (role != KeyRole::kZsk) swap_in_confirmed(step, role);
    if (role == KeyRole::kZsk) remove_retired_zsks(step);
    schedule_end_of_lifetime(step, role, policy);
  }
  return r;
}

Status request_rollover(ZoneKeys& z, KeyRole role, int64_t now) {
  bool has_active = false;
  for (const KeyEntry& k : z.keys) {
    if (k.role != role) continue;
    if (k.state == KeyState::kActive) has_active = true;
    if (k.state == KeyState::kPublished || k.state == KeyState::kReady || k.state == KeyState::kRetired)
      return Error{z.zone.to_text() + ": a " + std::string(role_name(role)) + " rollover is already in progress"};
  }
  if (!has_active) return Error{z.zone.to_text() + ": no active " + std::string(role_name(role)) + " to roll"};
  (role == KeyRole::kZsk ? z.zsk_roll_requested : z.ksk_roll_requested) = now;
  return {};
}

Status confirm_ds(ZoneKeys& z, uint16_t tag, int64_t now) {
  for (KeyEntry& k : z.keys) {
    if (k.tag != tag || !k.signs_keyset()) continue;
    if (k.state != KeyState::kReady)
      return Error{z.zone.to_text() + ": key " + std::to_string(tag) + " is " + std::string(state_name(k.state)) +
                   ", not waiting for its DS"};
    k.ds_seen = now;
    return {};
  }
  return Error{z.zone.to_text() + ": no KSK or CSK with tag " + std::to_string(tag)};
}

}  // namespace mailns::dnssec
