#include "dnssec/key_store.hpp"

#include <dirent.h>

#include <algorithm>

#include "dnssec/atomic_file.hpp"

namespace mailns::dnssec {

namespace {
std::string state_path(const std::string& dir) { return dir + "/" + kStateFileName; }

bool has_pem_files(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".pem") == 0) found = true;
  }
  ::closedir(d);
  return found;
}

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

Status save_keys(const ZoneKeys& z) {
  for (const KeyEntry& k : z.keys) {
    if (k.state == KeyState::kRemoved || !k.key) continue;
    const std::string path = z.dir + "/" + k.file;
    if (file_exists(path)) continue;
    if (Status s = k.key->save_pem_file_new(path); !s) return Error{z.zone.to_text() + ": " + s.error()};
  }
  if (Status s = write_file_atomic(state_path(z.dir), format_key_state(z), 0600); !s)
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
  auto lock = FileLock::acquire(dir + "/" + kLockFileName, 0600, wait);
  if (!lock) return Error{zname + ": " + lock.error()};
  return lock;
}

Result<ZoneKeys> load_or_create(const std::string& key_dir, const zone::DnsName& zone, const SigningPolicy& policy,
                                int64_t now) {
  const std::string zname = zone.to_text();
  if (Status s = make_directory(key_dir, 0700); !s) return Error{zname + ": key directory " + s.error()};
  const std::string dir = key_dir + "/" + zone_directory_name(zone);
  if (Status s = make_directory(dir, 0700); !s) return Error{zname + ": key directory " + s.error()};

  if (file_exists(state_path(dir))) {
    auto z = load_keys(key_dir, zone);
    if (z) check_policy(*z, policy);
    return z;
  }
  if (has_pem_files(dir))
    return Error{zname + ": " + dir + " has key files but no " + kStateFileName +
                 "; refusing to generate new keys next to them (restore " + kStateFileName +
                 " or move the .pem files away)"};

  ZoneKeys z;
  z.zone = zone;
  z.dir = dir;
  const KeyRole roles_csk[] = {KeyRole::kCsk};
  const KeyRole roles_split[] = {KeyRole::kKsk, KeyRole::kZsk};
  const std::span<const KeyRole> roles =
      policy.keys == KeyScheme::kCsk ? std::span<const KeyRole>(roles_csk) : std::span<const KeyRole>(roles_split);
  for (KeyRole role : roles) {
    auto e = new_key_entry(z, policy.algorithm, role, now);
    if (!e) return Error{e.error()};
    // A zone signed for the first time has no cached DNSKEYs to wait for.
    e->state = KeyState::kActive;
    e->published = e->ready = e->active = now;
    z.keys.push_back(std::move(*e));
  }
  if (Status s = save_keys(z); !s) return Error{s.error()};
  return z;
}

}  // namespace mailns::dnssec
