#include "dnssec/rollover.hpp"

#include <algorithm>

#include "dnssec/key_store.hpp"

namespace mailns::dnssec {

namespace {

struct Step {
  AdvanceResult& r;
  int64_t now;
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

}  // namespace

Result<AdvanceResult> advance(ZoneKeys keys, int64_t now, const RolloverTtls& ttls, const SigningPolicy& policy,
                              const KeyFactory& factory_in) {
  const KeyFactory factory = factory_in ? factory_in : KeyFactory(new_key_entry);
  AdvanceResult r;
  r.keys = std::move(keys);
  ZoneKeys& z = r.keys;
  Step step{r, now};
  const int64_t ipub = int64_t{policy.propagation_delay} + ttls.dnskey_ttl;                 // RFC 7583 3.2.1
  const int64_t iret = int64_t{policy.propagation_delay} + ttls.max_zone_ttl;               // Dsgn = 0: whole-zone re-sign
  const int64_t ids = int64_t{policy.parent_propagation_delay} + policy.parent_ds_ttl;      // RFC 7583 3.3.1

  for (KeyRole role : {KeyRole::kZsk, KeyRole::kKsk, KeyRole::kCsk}) {
    const auto active = find(z, role, KeyState::kActive);
    const bool used = std::any_of(z.keys.begin(), z.keys.end(),
                                  [&](const KeyEntry& k) { return k.role == role && k.state != KeyState::kRemoved; });
    if (!used) continue;  // role not used in this zone
    const auto published = find(z, role, KeyState::kPublished);
    const auto ready = find(z, role, KeyState::kReady);
    const auto retired = find(z, role, KeyState::kRetired);

    // 1. Start a rollover: lifetime reached or requested, none in progress.
    if (!active.empty() && published.empty() && ready.empty() && (role == KeyRole::kZsk ? retired.empty() : true)) {
      const uint32_t lifetime = role == KeyRole::kZsk ? policy.zsk_lifetime : policy.ksk_lifetime;
      int64_t& request = role == KeyRole::kZsk ? z.zsk_roll_requested : z.ksk_roll_requested;
      const KeyEntry& cur = z.keys[active.front()];
      const bool by_age = lifetime > 0 && step.due(cur.active + lifetime);
      const bool by_request = request > 0 && now >= request;
      // A CSK whose predecessor is still retiring waits for it.
      const bool csk_busy = role == KeyRole::kCsk && !retired.empty();
      if ((by_age || by_request) && !csk_busy) {
        auto e = factory(z, cur.algorithm, role, now);
        if (!e) return Error{e.error()};
        e->state = KeyState::kPublished;
        e->published = now;
        request = 0;
        z.keys.push_back(std::move(*e));
        step.event(key_text(z.keys.back()) + " published to replace " + key_text(z.keys[active.front()]) +
                   (by_request ? " (requested)" : " (lifetime reached)"));
        step.schedule(now + ipub);
        continue;  // next steps from the next call, at the earliest Ipub from now
      }
    }

    // 2. Published long enough: caches know the new DNSKEY.
    for (size_t i : published) {
      KeyEntry& k = z.keys[i];
      if (!step.due(k.published + ipub)) continue;
      if (role == KeyRole::kZsk) {
        // The new ZSK signs from now on; the old one retires.
        for (size_t a : active) {
          z.keys[a].state = KeyState::kRetired;
          z.keys[a].retired = now;
          step.event(key_text(z.keys[a]) + " retired");
        }
        k.state = KeyState::kActive;
        k.ready = k.active = now;
        step.event(key_text(k) + " active");
        step.schedule(now + iret);
      } else {
        k.state = KeyState::kReady;
        k.ready = now;
        step.event(key_text(k) + " ready: submit its DS to the parent (CDS/CDNSKEY now point at it), then confirm");
        if (role == KeyRole::kCsk) {
          for (size_t a : active) {
            z.keys[a].state = KeyState::kRetired;
            z.keys[a].retired = now;
            step.event(key_text(z.keys[a]) + " no longer signs the zone (still signs the DNSKEY RRset)");
          }
          step.schedule(now + iret);
        }
      }
    }

    // 3. KSK/CSK ready and the parent's DS confirmed long enough ago: swap.
    if (role != KeyRole::kZsk) {
      for (size_t i : find(z, role, KeyState::kReady)) {
        KeyEntry& k = z.keys[i];
        if (k.ds_seen == 0) continue;  // waiting for confirm_ds(): no timed event
        if (!step.due(k.ds_seen + ids)) continue;
        // The old CSK must also have been out of zone signing for Iret.
        bool old_done = true;
        for (size_t o = 0; o < z.keys.size(); ++o) {
          const KeyEntry& old = z.keys[o];
          if (o == i || old.role != role) continue;
          if (role == KeyRole::kCsk && old.state == KeyState::kRetired && !step.due(old.retired + iret)) old_done = false;
        }
        if (!old_done) continue;
        for (size_t o = 0; o < z.keys.size(); ++o) {
          KeyEntry& old = z.keys[o];
          if (o == i || old.role != role) continue;
          if (old.state == KeyState::kActive || old.state == KeyState::kRetired) {
            old.state = KeyState::kRemoved;
            if (old.retired == 0) old.retired = now;
            old.removed = now;
            old.key.reset();
            step.event(key_text(old) + " removed");
          }
        }
        k.state = KeyState::kActive;
        k.active = now;
        step.event(key_text(k) + " active");
      }
    }

    // 4. Retired ZSKs leave the DNSKEY RRset once their signatures expired from caches.
    if (role == KeyRole::kZsk) {
      for (size_t i : find(z, role, KeyState::kRetired)) {
        KeyEntry& k = z.keys[i];
        if (!step.due(k.retired + iret)) continue;
        k.state = KeyState::kRemoved;
        k.removed = now;
        k.key.reset();
        step.event(key_text(k) + " removed");
      }
    }

    // Lifetime of the (possibly new) active key.
    const uint32_t lifetime = role == KeyRole::kZsk ? policy.zsk_lifetime : policy.ksk_lifetime;
    if (lifetime > 0)
      for (size_t i : find(z, role, KeyState::kActive)) {
        if (find(z, role, KeyState::kPublished).empty() && find(z, role, KeyState::kReady).empty())
          step.schedule(std::max(now, z.keys[i].active + lifetime));
      }
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
