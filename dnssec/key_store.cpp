#include "dnssec/key_store.hpp"

#include <algorithm>

#include "dnssec/atomic_file.hpp"
#include "dnssec/key_recovery.hpp"

namespace mailns::dnssec {

namespace {
std::string state_path(const std::string& dir) { return dir + "/" + kStateFileName; }

Status load_key_material(ZoneKeys& z) {
  const std::string zname = z.zone.to_text();
  for (KeyEntry& k : z.keys) {
    if (k.state == KeyState::kRemoved) continue;
    const std::string path = z.dir + "/" + k.file;
    auto key = SigningKey::load_pem_file(path, role_flags(k.role));
    if (!key) return Error{zname + ": " + key.error() + " (the key file is left untouched; restore it from a backup)"};
    if (key->tag() != k.tag || key->algorithm() != k.algorithm)
      return Error{zname + ": " + path + " holds key " + std::to_string(key->tag()) + " (algorithm " +
                   std::to_string(algorithm_number(key->algorithm())) + "), but " + kStateFileName + " says " +
                   std::to_string(k.tag) + " (algorithm " + std::to_string(algorithm_number(k.algorithm)) + ")"};
    k.key = std::make_shared<const SigningKey>(std::move(*key));
  }
  return {};
}

void check_policy(ZoneKeys& z, const SigningPolicy& policy) {
  const std::string zname = z.zone.to_text();
  bool alg_differs = false, has_csk = false, has_ksk = false;
  for (const KeyEntry& k : z.keys) {
    if (k.state == KeyState::kRemoved) continue;
    alg_differs |= k.algorithm != policy.algorithm;
    has_csk |= k.role == KeyRole::kCsk;
    has_ksk |= k.role == KeyRole::kKsk;
  }
  if (alg_differs)
    z.warnings.push_back(zname + ": the policy asks for " + std::string(algorithm_config_word(policy.algorithm)) +
                         " but the zone's keys use another algorithm; algorithm rollovers are not supported, "
                         "keeping the existing keys");
  if ((policy.keys == KeyScheme::kCsk && has_ksk) || (policy.keys == KeyScheme::kKskZsk && has_csk))
    z.warnings.push_back(zname + ": the policy asks for " +
                         std::string(policy.keys == KeyScheme::kCsk ? "a CSK" : "a KSK and a ZSK") +
                         " but the zone has the other scheme; keeping the existing keys");
}
}  // namespace

std::string zone_directory_name(const zone::DnsName& zone) {
  if (zone.is_root()) return "@root";
  static const char* kHex = "0123456789abcdef";
  std::string out;
  const auto w = zone.wire();
  for (size_t p = 0; p < w.size() && w[p] != 0; p += w[p] + 1) {
    if (!out.empty()) out += '.';
    for (size_t i = 1; i <= w[p]; ++i) {
      const uint8_t c = zone::dns_lower(w[p + i]);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  }
  return out;
}

Result<KeyEntry> new_key_entry(const ZoneKeys& z, Algorithm algorithm, KeyRole role, int64_t now) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto key = SigningKey::generate(algorithm, role_flags(role));
    if (!key) return Error{z.zone.to_text() + ": " + key.error()};
    const bool taken = std::any_of(z.keys.begin(), z.keys.end(), [&](const KeyEntry& k) { return k.tag == key->tag(); });
    const std::string file = std::string(role_name(role)) + "-" + std::to_string(algorithm_number(algorithm)) + "-" +
                             std::to_string(key->tag()) + ".pem";
    if (taken || (!z.dir.empty() && file_exists(z.dir + "/" + file))) continue;
    KeyEntry e;
    e.tag = key->tag();
    e.algorithm = algorithm;
    e.role = role;
    e.state = KeyState::kPublished;
    e.file = file;
    e.created = now;
    e.key = std::make_shared<const SigningKey>(std::move(*key));
    return e;
  }
  return Error{z.zone.to_text() + ": could not generate a key with an unused key tag"};
}

Result<ZoneKeys> load_keys(const std::string& key_dir, const zone::DnsName& zone) {
  const std::string dir = key_dir + "/" + zone_directory_name(zone);
  const std::string path = state_path(dir);
  auto text = read_file(path);
  if (!text) return Error{zone.to_text() + ": " + text.error()};
  auto z = parse_key_state(*text, path);
  if (!z) return Error{zone.to_text() + ": " + z.error()};
  if (!(z->zone == zone))
    return Error{zone.to_text() + ": " + path + " belongs to zone " + z->zone.to_text()};
  z->dir = dir;
  if (Status s = load_key_material(*z); !s) return Error{s.error()};
  return z;
}

Status save_keys(const ZoneKeys& z, BatchSlot batch) {
  for (const KeyEntry& k : z.keys) {
    if (k.state == KeyState::kRemoved || !k.key) continue;
    const std::string path = z.dir + "/" + k.file;
    if (batch.exists(path)) continue;
    const std::string pem = k.key->to_pem();
    if (pem.empty()) return Error{z.zone.to_text() + ": " + path + ": cannot encode the key as PEM"};
    if (Status s = batch.write(path, pem, 0600, Place::kCreateOnly, FileBatch::Step::kFirst); !s)
      return Error{z.zone.to_text() + ": " + s.error()};
  }
  if (Status s = batch.write(state_path(z.dir), format_key_state(z), 0600, Place::kReplace, FileBatch::Step::kSecond);
      !s)
    return Error{z.zone.to_text() + ": " + s.error()};
  return {};
}

Result<FileLock> lock_zone_keys(const std::string& key_dir, const zone::DnsName& zone, bool create,
                                std::chrono::milliseconds wait) {
  const std::string zname = zone.to_text();
  const std::string dir = key_dir + "/" + zone_directory_name(zone);
  if (create) {
    if (Status s = make_directory(key_dir, 0700); !s) return Error{zname + ": key directory " + s.error()};
    if (Status s = make_directory(dir, 0700); !s) return Error{zname + ": key directory " + s.error()};
  }
  auto lock = FileLock::acquire_directory(dir, wait);
  if (!lock) return Error{zname + ": " + lock.error()};
  return lock;
}

namespace {
// The zone's first keys, or those of them an interrupted first creation did
// not leave behind (plan.to_create; the adopted ones are in z already).
Status create_first_keys(ZoneKeys& z, const std::vector<KeyRole>& roles, const SigningPolicy& policy, int64_t now) {
  for (KeyRole role : roles) {
    auto e = new_key_entry(z, policy.algorithm, role, now);
    if (!e) return Error{e.error()};
    // A zone signed for the first time has no cached DNSKEYs to wait for.
    e->state = KeyState::kActive;
    e->published = e->ready = e->active = now;
    z.keys.push_back(std::move(*e));
  }
  // Key order as a first start makes them: KSK before ZSK.
  std::stable_sort(z.keys.begin(), z.keys.end(),
                   [](const KeyEntry& a, const KeyEntry& b) { return a.role == KeyRole::kKsk && b.role != KeyRole::kKsk; });
  return {};
}

// Rolls the leftovers of a crash forward or moves them aside (key_recovery)
// and saves keys.state when that named a new key.
Status recover(const std::string& key_dir, ZoneKeys& z, const ZoneKeys* state, const SigningPolicy& policy,
               int64_t now, BatchSlot batch) {
  auto plan = plan_key_recovery(key_dir, z.zone, state, policy, now);
  if (!plan) return Error{plan.error()};
  if (Status s = apply_key_recovery(*plan, z); !s) return s;
  std::vector<std::string> messages = plan->messages(z.zone, /*done=*/true);  // one per leftover, in order
  for (size_t i = 0; i < messages.size(); ++i)
    (plan->leftovers[i].action == LeftoverAction::kAdopt ? z.events : z.warnings).push_back(std::move(messages[i]));
  if (!state) return create_first_keys(z, plan->to_create, policy, now);
  const bool adopted = std::any_of(plan->leftovers.begin(), plan->leftovers.end(),
                                   [](const Leftover& l) { return l.action == LeftoverAction::kAdopt; });
  return adopted ? save_keys(z, batch) : Status{};
}
}  // namespace

Result<ZoneKeys> load_or_create(const std::string& key_dir, const zone::DnsName& zone, const SigningPolicy& policy,
                                int64_t now, BatchSlot batch) {
  const std::string zname = zone.to_text();
  if (Status s = make_directory(key_dir, 0700); !s) return Error{zname + ": key directory " + s.error()};
  const std::string dir = key_dir + "/" + zone_directory_name(zone);
  if (Status s = make_directory(dir, 0700); !s) return Error{zname + ": key directory " + s.error()};

  if (file_exists(state_path(dir))) {
    auto z = load_keys(key_dir, zone);
    if (!z) return z;
    check_policy(*z, policy);
    const ZoneKeys before = *z;
    if (Status s = recover(key_dir, *z, &before, policy, now, batch); !s) return Error{s.error()};
    return z;
  }
  ZoneKeys z;
  z.zone = zone;
  z.dir = dir;
  if (Status s = recover(key_dir, z, nullptr, policy, now, batch); !s) return Error{s.error()};
  if (Status s = save_keys(z, batch); !s) return Error{s.error()};
  return z;
}

}  // namespace mailns::dnssec
