#include "dnssec/key_recovery.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>

#include "dnssec/atomic_file.hpp"
#include "dnssec/key_store.hpp"

namespace mailns::dnssec {

namespace {

std::string upper_role(KeyRole r) {
  std::string s(role_name(r));
  for (char& c : s) c = static_cast<char>(c - 32);
  return s;
}

// Regular files of a directory, sorted (so that every run decides alike).
Result<std::vector<std::string>> regular_files(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Error{dir + ": cannot read the key directory"};
  std::vector<std::string> out;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    struct stat st {};
    if (::lstat((dir + "/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// "ksk-13-12345.pem" as new_key_entry names key files.
struct KeyFileName {
  KeyRole role;
  uint8_t algorithm;
  uint16_t tag;
};

std::optional<KeyFileName> parse_key_file_name(const std::string& n) {
  if (n.size() < 10 || n.compare(n.size() - 4, 4, ".pem") != 0 || n[3] != '-') return std::nullopt;
  KeyFileName out{};
  const std::string role = n.substr(0, 3);
  if (role == "ksk") out.role = KeyRole::kKsk;
  else if (role == "zsk") out.role = KeyRole::kZsk;
  else if (role == "csk") out.role = KeyRole::kCsk;
  else return std::nullopt;
  const char* p = n.data() + 4;
  const char* end = n.data() + n.size() - 4;
  unsigned alg = 0, tag = 0;
  auto a = std::from_chars(p, end, alg);
  if (a.ec != std::errc() || a.ptr == end || *a.ptr != '-' || alg > 255) return std::nullopt;
  auto t = std::from_chars(a.ptr + 1, end, tag);
  if (t.ec != std::errc() || t.ptr != end || tag > 65535) return std::nullopt;
  out.algorithm = static_cast<uint8_t>(alg);
  out.tag = static_cast<uint16_t>(tag);
  return out;
}

// The key in a leftover file, when it is complete and valid; else why not.
Result<KeyEntry> read_leftover_key(const std::string& dir, const std::string& file) {
  if (is_unfinished_write(file)) return Error{"the temporary file of an interrupted write"};
  const auto name = parse_key_file_name(file);
  if (!name) return Error{"not a key file of mailns (expected e.g. ksk-13-12345.pem)"};
  const std::string path = dir + "/" + file;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error{"cannot be read"};
  if ((st.st_mode & 0777) != 0600) return Error{"its mode is not 0600"};
  auto key = SigningKey::load_pem_file(path, role_flags(name->role));
  if (!key) return Error{"does not parse: " + key.error()};
  if (key->tag() != name->tag || algorithm_number(key->algorithm()) != name->algorithm)
    return Error{"holds key " + std::to_string(key->tag()) + " (algorithm " +
                 std::to_string(algorithm_number(key->algorithm())) + "), not the one its name says"};
  KeyEntry e;
  e.tag = key->tag();
  e.algorithm = key->algorithm();
  e.role = name->role;
  e.file = file;
  e.key = std::make_shared<const SigningKey>(std::move(*key));
  return e;
}

bool tag_taken(const ZoneKeys* state, const std::vector<Leftover>& adopted, uint16_t tag) {
  if (state)
    for (const KeyEntry& k : state->keys)
      if (k.tag == tag) return true;
  return std::any_of(adopted.begin(), adopted.end(), [&](const Leftover& l) { return l.entry && l.entry->tag == tag; });
}

// Without keys.state: the roles a first start makes.
std::vector<KeyRole> first_roles(const SigningPolicy& policy) {
  if (policy.keys == KeyScheme::kCsk) return {KeyRole::kCsk};
  return {KeyRole::kKsk, KeyRole::kZsk};
}

// First creation interrupted: the key is the zone's first of its role,
// active at once; "" when adopted, else why not.
std::string adopt_as_first_key(KeyEntry& e, const std::vector<KeyRole>& needed, const SigningPolicy& policy,
                               int64_t now) {
  if (std::find(needed.begin(), needed.end(), e.role) == needed.end())
    return "the zone's first keys need no (other) " + upper_role(e.role);
  if (e.algorithm != policy.algorithm) return "the policy asks for another algorithm";
  e.state = KeyState::kActive;
  e.created = e.published = e.ready = e.active = now;
  return {};
}

// With keys.state: the new key of a rollover that was due and not started
// (the crash came between its key file and the state naming it); "" when
// adopted (as published from now), else why not.
std::string adopt_as_rollover_key(KeyEntry& e, const ZoneKeys& z, const SigningPolicy& policy, int64_t now,
                                  std::vector<KeyRole>& rolled) {
  if (std::find(rolled.begin(), rolled.end(), e.role) != rolled.end())
    return "another leftover " + upper_role(e.role) + " is adopted";
  const KeyEntry* active = nullptr;
  for (const KeyEntry& k : z.keys) {
    if (k.role != e.role || k.state == KeyState::kRemoved) continue;
    if (k.state == KeyState::kActive && !active) active = &k;
    const bool busy = k.state == KeyState::kPublished || k.state == KeyState::kReady ||
                      (k.state == KeyState::kRetired && (e.role == KeyRole::kZsk || e.role == KeyRole::kCsk));
    if (busy) return "a " + upper_role(e.role) + " rollover is already under way";
  }
  if (!active) return "the zone has no active " + upper_role(e.role) + " to replace";
  if (e.algorithm != active->algorithm) return "the zone's " + upper_role(e.role) + " uses another algorithm";
  const int64_t request = e.role == KeyRole::kZsk ? z.zsk_roll_requested : z.ksk_roll_requested;
  const uint32_t lifetime = e.role == KeyRole::kZsk ? policy.zsk_lifetime : policy.ksk_lifetime;
  const bool due = (request > 0 && now >= request) || (lifetime > 0 && now >= active->active + lifetime);
  if (!due) return "no " + upper_role(e.role) + " rollover is requested or due";
  e.state = KeyState::kPublished;
  e.created = e.published = now;
  rolled.push_back(e.role);
  return {};
}

}  // namespace

std::string orphan_directory(const std::string& key_dir, const zone::DnsName& zone) {
  return key_dir + "/" + kOrphanDirName + "/" + zone_directory_name(zone);
}

Result<KeyRecovery> plan_key_recovery(const std::string& key_dir, const zone::DnsName& zone, const ZoneKeys* state,
                                      const SigningPolicy& policy, int64_t now) {
  KeyRecovery plan;
  plan.dir = key_dir + "/" + zone_directory_name(zone);
  plan.orphan_dir = orphan_directory(key_dir, zone);
  plan.has_state = state != nullptr;
  std::vector<KeyRole> needed = state ? std::vector<KeyRole>{} : first_roles(policy);
  std::vector<KeyRole> rolled;
  if (!file_exists(plan.dir)) {
    plan.to_create = needed;
    return plan;
  }
  auto files = regular_files(plan.dir);
  if (!files) return Error{zone.to_text() + ": " + files.error()};
  for (const std::string& f : *files) {
    if (f == kStateFileName || f == kLockFileName) continue;
    if (state && std::any_of(state->keys.begin(), state->keys.end(), [&](const KeyEntry& k) { return k.file == f; }))
      continue;
    Leftover l;
    l.file = f;
    auto key = read_leftover_key(plan.dir, f);
    if (!key) {
      l.why = key.error();
    } else if (tag_taken(state, plan.leftovers, key->tag)) {
      l.why = "its key tag " + std::to_string(key->tag) + " is taken by another key of the zone";
    } else {
      l.why = state ? adopt_as_rollover_key(*key, *state, policy, now, rolled)
                    : adopt_as_first_key(*key, needed, policy, now);
      if (l.why.empty()) {
        if (!state) std::erase(needed, key->role);
        l.action = LeftoverAction::kAdopt;
        l.entry = std::move(*key);
      }
    }
    plan.leftovers.push_back(std::move(l));
  }
  plan.to_create = needed;
  return plan;
}

std::vector<std::string> KeyRecovery::messages(const zone::DnsName& zone, bool done) const {
  std::vector<std::string> out;
  const std::string zname = zone.to_text();
  for (const Leftover& l : leftovers) {
    const std::string path = dir + "/" + l.file;
    if (l.action == LeftoverAction::kAdopt) {
      const KeyEntry& e = *l.entry;
      const std::string as = upper_role(e.role) + " " + std::to_string(e.tag) + ", " +
                             std::string(state_name(e.state)) +
                             (has_state ? " (the new key of a rollover interrupted before keys.state named it; it "
                                          "signs only after its pre-publication interval)"
                                        : " (the zone's first keys were interrupted before keys.state named them)");
      out.push_back(zname + ": " + path + ": " + (done ? "adopted as " : "the next start adopts it as ") + as);
    } else {
      out.push_back(zname + ": " + path + ": " + (done ? "moved aside to " : "the next start moves it aside to ") +
                    orphan_dir + "/ (" + l.why + ")");
    }
  }
  return out;
}

Status apply_key_recovery(const KeyRecovery& plan, ZoneKeys& z) {
  for (const Leftover& l : plan.leftovers) {
    if (l.action == LeftoverAction::kMoveAside) {
      auto moved = move_aside(plan.dir + "/" + l.file, plan.orphan_dir);
      if (!moved) return Error{z.zone.to_text() + ": " + moved.error()};
      continue;
    }
    const KeyEntry& e = *l.entry;
    if (plan.has_state) (e.role == KeyRole::kZsk ? z.zsk_roll_requested : z.ksk_roll_requested) = 0;
    z.keys.push_back(e);
  }
  return {};
}

}  // namespace mailns::dnssec
