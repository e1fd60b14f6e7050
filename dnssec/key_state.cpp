#include "dnssec/key_state.hpp"

#include <charconv>
#include <sstream>

namespace mailns::dnssec {

std::string_view role_name(KeyRole r) noexcept {
  switch (r) {
    case KeyRole::kKsk: return "ksk";
    case KeyRole::kZsk: return "zsk";
    case KeyRole::kCsk: return "csk";
  }
  return "?";
}

std::string_view state_name(KeyState s) noexcept {
  switch (s) {
    case KeyState::kPublished: return "published";
    case KeyState::kReady: return "ready";
    case KeyState::kActive: return "active";
    case KeyState::kRetired: return "retired";
    case KeyState::kRemoved: return "removed";
  }
  return "?";
}

uint16_t role_flags(KeyRole r) noexcept { return r == KeyRole::kZsk ? dnskey_flags::kZsk : dnskey_flags::kKsk; }

std::string format_key_state(const ZoneKeys& z) {
  std::string out = "# mailns DNSSEC key state; rewritten atomically by mailns (edit only while it is stopped)\n";
  out += "mailns-keys 1\n";
  out += "zone " + z.zone.to_text() + "\n";
  out += "request zsk " + std::to_string(z.zsk_roll_requested) + "\n";
  out += "request ksk " + std::to_string(z.ksk_roll_requested) + "\n";
  for (const KeyEntry& k : z.keys) {
    out += "key tag=" + std::to_string(k.tag) + " algorithm=" + std::to_string(algorithm_number(k.algorithm)) +
           " role=" + std::string(role_name(k.role)) + " state=" + std::string(state_name(k.state)) +
           " file=" + k.file + " created=" + std::to_string(k.created) + " published=" + std::to_string(k.published) +
           " ready=" + std::to_string(k.ready) + " active=" + std::to_string(k.active) +
           " retired=" + std::to_string(k.retired) + " removed=" + std::to_string(k.removed) +
           " ds=" + std::to_string(k.ds_seen) + "\n";
  }
  return out;
}

namespace {
bool parse_int(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

bool valid_file_name(std::string_view f) {
  if (f.empty() || f.size() > 200 || f[0] == '.') return false;
  for (char c : f)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == '+'))
      return false;
  return true;
}
}  // namespace

Result<ZoneKeys> parse_key_state(std::string_view text, const std::string& source) {
  ZoneKeys z;
  bool header = false, have_zone = false;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  auto fail = [&](const std::string& why) { return Error{source + ":" + std::to_string(n) + ": " + why}; };
  while (std::getline(in, line)) {
    ++n;
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.empty()) continue;
    if (!header) {
      if (w.size() != 2 || w[0] != "mailns-keys") return fail("not a mailns key state file (first line must be 'mailns-keys 1')");
      if (w[1] != "1") return fail("state file version " + w[1] + " is not supported by this mailns (expects 1)");
      header = true;
      continue;
    }
    if (w[0] == "zone" && w.size() == 2) {
      auto name = zone::DnsName::from_text(w[1]);
      if (!name) return fail("bad zone name '" + w[1] + "'");
      z.zone = *name;
      have_zone = true;
    } else if (w[0] == "request" && w.size() == 3 && (w[1] == "zsk" || w[1] == "ksk")) {
      int64_t t;
      if (!parse_int(w[2], t)) return fail("bad time '" + w[2] + "'");
      (w[1] == "zsk" ? z.zsk_roll_requested : z.ksk_roll_requested) = t;
    } else if (w[0] == "key") {
      KeyEntry k;
      unsigned seen = 0;
      for (size_t i = 1; i < w.size(); ++i) {
        const auto eq = w[i].find('=');
        if (eq == std::string::npos) return fail("expected name=value, got '" + w[i] + "'");
        const std::string key = w[i].substr(0, eq), val = w[i].substr(eq + 1);
        int64_t num = 0;
        auto time_field = [&](int64_t& dst, unsigned bit) -> bool {
          if (!parse_int(val, num)) return false;
          dst = num;
          seen |= bit;
          return true;
        };
        bool ok = true;
        if (key == "tag") {
          ok = parse_int(val, num) && num <= 65535;
          k.tag = static_cast<uint16_t>(num);
          seen |= 1;
        } else if (key == "algorithm") {
          ok = parse_int(val, num) && num <= 255 && algorithm_from_number(static_cast<uint8_t>(num));
          if (ok) k.algorithm = *algorithm_from_number(static_cast<uint8_t>(num));
          seen |= 2;
        } else if (key == "role") {
          if (val == "ksk") k.role = KeyRole::kKsk;
          else if (val == "zsk") k.role = KeyRole::kZsk;
          else if (val == "csk") k.role = KeyRole::kCsk;
          else ok = false;
          seen |= 4;
        } else if (key == "state") {
          if (val == "published") k.state = KeyState::kPublished;
          else if (val == "ready") k.state = KeyState::kReady;
          else if (val == "active") k.state = KeyState::kActive;
          else if (val == "retired") k.state = KeyState::kRetired;
          else if (val == "removed") k.state = KeyState::kRemoved;
          else ok = false;
          seen |= 8;
        } else if (key == "file") {
          ok = valid_file_name(val);
          k.file = val;
          seen |= 16;
        } else if (key == "created") { ok = time_field(k.created, 32);
        } else if (key == "published") { ok = time_field(k.published, 64);
        } else if (key == "ready") { ok = time_field(k.ready, 128);
        } else if (key == "active") { ok = time_field(k.active, 256);
        } else if (key == "retired") { ok = time_field(k.retired, 512);
        } else if (key == "removed") { ok = time_field(k.removed, 1024);
        } else if (key == "ds") { ok = time_field(k.ds_seen, 2048);
        } else {
          return fail("unknown key field '" + key + "'");
        }
        if (!ok) return fail("bad value for " + key + ": '" + val + "'");
      }
      if ((seen & 31) != 31) return fail("key line needs tag, algorithm, role, state and file");
      z.keys.push_back(std::move(k));
    } else {
      return fail("unknown line '" + w[0] + "' (expected zone, request or key)");
    }
  }
  if (!header) return Error{source + ": empty key state file"};
  if (!have_zone) return Error{source + ": no 'zone' line"};
  return z;
}

ZoneKeySet key_set(const ZoneKeys& z) {
  // CDS/CDNSKEY: the ready KSK/CSK while a rollover waits for the parent,
  // otherwise the active one(s).
  bool rolling = false;
  for (const KeyEntry& k : z.keys)
    if (k.signs_keyset() && k.state == KeyState::kReady) rolling = true;
  ZoneKeySet set;
  for (const KeyEntry& k : z.keys) {
    if (k.state == KeyState::kRemoved || !k.key) continue;
    KeyUse u;
    u.key = k.key;
    u.publish = true;
    switch (k.role) {
      case KeyRole::kZsk:
        u.sign_zone = k.state == KeyState::kActive;
        break;
      case KeyRole::kKsk:
        u.sign_keyset = k.state != KeyState::kRetired;
        break;
      case KeyRole::kCsk:
        u.sign_keyset = true;
        u.sign_zone = k.state == KeyState::kReady || k.state == KeyState::kActive;
        break;
    }
    if (k.signs_keyset())
      u.publish_cds = rolling ? k.state == KeyState::kReady : k.state == KeyState::kActive;
    set.push_back(std::move(u));
  }
  return set;
}

}  // namespace mailns::dnssec
