// mailns dnssec ds|keys|rollover|confirm-ds: the operator's view of the key
// store (dnssec/key_store) of the zones a configuration signs.
//   ds -c FILE DOMAIN        DS (digest type 2, SHA-256) and DNSKEY of the
//                            zone's KSK/CSK in master-file syntax, for the
//                            registrar. Creates the keys when the zone has
//                            none yet, exactly as `serve` would on its first
//                            start, so the DS can be registered beforehand.
//                            A zone serve would not serve (not configured,
//                            or left out for its errors) gets no DS.
//   keys -c FILE             every signed zone's keys: tag, algorithm, role,
//                            state, age. Reads only.
//   rollover -c FILE DOMAIN [--ksk|--zsk]
//                            records a rollover request in the key state;
//                            the server carries it out (at its next re-sign
//                            or restart). Never creates keys.
//   confirm-ds -c FILE DOMAIN TAG
//                            the parent now publishes the DS of the new
//                            KSK/CSK: lets its rollover finish.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "dnssec/atomic_file.hpp"
#include "dnssec/ds.hpp"
#include "dnssec/key_store.hpp"
#include "dnssec/rollover.hpp"
#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/config/duration.hpp"
#include "server/publish/zone_archive.hpp"
#include "server/publish/zone_loader.hpp"
#include "server/publish/zone_signing.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

std::string state_path(const DnssecSettings& s, const zone::DnsName& origin) {
  return s.key_dir + "/" + dnssec::zone_directory_name(origin) + "/" + dnssec::kStateFileName;
}

// The configuration and the settings of one zone named on the command line;
// prints why not and returns nullptr when the zone is unknown or unsigned.
struct ZoneArg {
  std::optional<Config> config;
  zone::DnsName origin;
  const DnssecSettings* settings = nullptr;
};

ZoneArg zone_arg(const std::string& command, const std::string& config_path, const std::string& domain) {
  ZoneArg out;
  ConfigResult cfg = load_config(config_path);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return out;
  }
  std::string err;
  auto origin = zone::DnsName::from_text(domain, &err);
  if (!origin) {
    std::fprintf(stderr, "mailns %s: '%s' is not a domain name: %s\n", command.c_str(), domain.c_str(), err.c_str());
    return out;
  }
  out.config = std::move(cfg.config);
  bool known = false;
  std::string list;
  for (const auto& o : out.config->all_origins()) {
    known |= o == *origin;
    list += (list.empty() ? "" : ", ") + o.to_text();
  }
  if (!known) {
    std::fprintf(stderr, "mailns %s: %s serves no zone %s (its zones: %s); declare it under mail_domains: or zones:\n",
                 command.c_str(), config_path.c_str(), origin->to_text().c_str(), list.c_str());
    return out;
  }
  const DnssecSettings& s = out.config->dnssec_for(*origin);
  if (!s.enabled) {
    std::fprintf(stderr,
                 "mailns %s: DNSSEC is not enabled for %s in %s; set \"dnssec: { enabled: true }\" at the top "
                 "level or in the zone's entry\n",
                 command.c_str(), origin->to_text().c_str(), config_path.c_str());
    return out;
  }
  out.origin = *origin;
  out.settings = &s;
  return out;
}

// Loads the zone's existing keys; prints why not. With `lock`, the zone's key
// state stays locked (lock_zone_keys) until *lock goes: for the commands that
// change it.
std::optional<dnssec::ZoneKeys> existing_keys(const std::string& command, const ZoneArg& z,
                                              std::optional<dnssec::FileLock>* lock = nullptr) {
  if (!dnssec::file_exists(state_path(*z.settings, z.origin))) {
    std::fprintf(stderr, "mailns %s: %s has no DNSSEC keys yet (no %s); %s\n", command.c_str(),
                 z.origin.to_text().c_str(), state_path(*z.settings, z.origin).c_str(), kFirstKeysCreatedBy);
    return std::nullopt;
  }
  if (lock) {
    auto l = dnssec::lock_zone_keys(z.settings->key_dir, z.origin, false);
    if (!l) {
      std::fprintf(stderr, "mailns %s: %s\n", command.c_str(), l.error().c_str());
      return std::nullopt;
    }
    lock->emplace(std::move(*l));
  }
  auto keys = dnssec::load_keys(z.settings->key_dir, z.origin);
  if (!keys) {
    std::fprintf(stderr, "mailns %s: %s\n", command.c_str(), keys.error().c_str());
    return std::nullopt;
  }
  return std::move(*keys);
}

// Whether serve would serve the zone: it leaves out a mail domain with lint
// errors (and a master file with errors stops it), so a DS registered for it
// would point at nothing, unless it has a last good version to serve
// (never dark). Prints why not.
bool served(const ZoneArg& z) {
  LoadOptions load;
  load.keys = std::nullopt;  // nothing signed: no key is read or made
  ZoneSetResult res = load_zones(*z.config, load);
  for (const LoadedZone& lz : res.zones)
    if (lz.zone->origin() == z.origin) return true;
  std::vector<std::string> errors = std::move(res.errors);
  errors.insert(errors.end(), res.domain_errors.begin(), res.domain_errors.end());
  const ZoneArchive archive(z.config->server.state_dir + "/zones");
  if (archive.has(z.origin)) {
    // Never dark: serve keeps serving its last good version, signed with these keys.
    std::fprintf(stderr, "mailns dnssec ds: warning: %s has errors and is served from its last good version (%s):\n",
                 z.origin.to_text().c_str(), archive.path_of(z.origin).c_str());
    for (const auto& e : errors_about(errors, *z.config, z.origin)) std::fprintf(stderr, "%s\n", e.c_str());
    return true;
  }
  std::fprintf(stderr,
               "mailns dnssec ds: %s is not served because of these errors; fix them (`mailns check-config` lists "
               "every finding) and run this again, no DS is printed and no key is made until then:\n",
               z.origin.to_text().c_str());
  for (const auto& e : errors_about(errors, *z.config, z.origin)) std::fprintf(stderr, "%s\n", e.c_str());
  return false;
}

int run_ds(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, false, &usage);
  if (!opts) return usage_error("dnssec ds", usage);
  if (opts->help) return std::fputs(usage_text(), stdout), kExitOk;
  if (opts->positional.size() != 1) return usage_error("dnssec ds", "give exactly one DOMAIN");
  ZoneArg z = zone_arg("dnssec ds", opts->config, opts->positional[0]);
  if (!z.settings || !served(z)) return kExitFailure;
  auto lock = dnssec::lock_zone_keys(z.settings->key_dir, z.origin, true);
  if (!lock) {
    std::fprintf(stderr, "mailns dnssec ds: %s\n", lock.error().c_str());
    return kExitFailure;
  }
  const bool existed = dnssec::file_exists(state_path(*z.settings, z.origin));
  auto keys = dnssec::load_or_create(z.settings->key_dir, z.origin, z.settings->policy, now_seconds());
  if (!keys) {
    std::fprintf(stderr, "mailns dnssec ds: %s\n", keys.error().c_str());
    return kExitFailure;
  }
  for (const auto& e : keys->events) std::fprintf(stderr, "mailns dnssec ds: %s\n", e.c_str());
  for (const auto& w : keys->warnings) std::fprintf(stderr, "mailns dnssec ds: warning: %s\n", w.c_str());
  if (!existed)
    std::fprintf(stderr,
                 "mailns dnssec ds: %s had no DNSSEC keys; created them in %s (the server will sign with them)\n",
                 z.origin.to_text().c_str(), keys->dir.c_str());

  // Which key the parent should point at now: the one the CDS names (the
  // new one while a rollover waits for the parent, else the active one).
  const dnssec::ZoneKeySet uses = dnssec::key_set(*keys);
  const uint32_t ttl = z.settings->policy.dnskey_ttl.value_or(3600);
  std::string out;
  for (const dnssec::KeyEntry& k : keys->keys) {
    if (!k.signs_keyset() || k.state == dnssec::KeyState::kRemoved || !k.key) continue;
    bool current = false;
    for (const auto& u : uses)
      if (u.key == k.key) current = u.publish_cds;
    const auto& dnskey = k.key->dnskey_rdata();
    out += "; " + upper(dnssec::role_name(k.role)) + " " + std::to_string(k.tag) + ", " +
           std::string(dnssec::algorithm_mnemonic(k.algorithm)) + ", " + std::string(dnssec::state_name(k.state)) +
           (current ? ": the DS the parent zone should publish now"
                    : ": not the one the parent should publish now (see mailns dnssec keys)") +
           "\n";
    out += zone::record_to_text(z.origin, zone::rrtype::DS, ttl, dnssec::ds_rdata(z.origin, dnskey)) + "\n";
    out += "; its DNSKEY (flags, protocol, algorithm, public key), for registrars that ask for the key\n";
    out += zone::record_to_text(z.origin, zone::rrtype::DNSKEY, ttl, dnskey) + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

int run_keys(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, false, &usage);
  if (!opts) return usage_error("dnssec keys", usage);
  if (opts->help) return std::fputs(usage_text(), stdout), kExitOk;
  if (!opts->positional.empty())
    return usage_error("dnssec keys", "unexpected argument '" + opts->positional[0] + "'");
  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  const Config& config = *cfg.config;
  const int64_t now = now_seconds();
  int failures = 0;
  size_t signed_zones = 0;
  std::printf("%-32s %-6s %-16s %-4s %-10s %s\n", "zone", "tag", "algorithm", "role", "state", "age");
  for (const zone::DnsName& origin : config.all_origins()) {
    const DnssecSettings& s = config.dnssec_for(origin);
    if (!s.enabled) continue;
    ++signed_zones;
    const std::string name = origin.to_text();
    if (!dnssec::file_exists(state_path(s, origin))) {
      std::printf("%-32s (no keys yet: `mailns serve` or `mailns dnssec ds` creates them in %s)\n", name.c_str(),
                  s.key_dir.c_str());
      continue;
    }
    auto keys = dnssec::load_keys(s.key_dir, origin);
    if (!keys) {
      std::printf("%-32s (keys unusable, see the error)\n", name.c_str());
      std::fprintf(stderr, "mailns dnssec keys: %s\n", keys.error().c_str());
      ++failures;
      continue;
    }
    for (const dnssec::KeyEntry& k : keys->keys) {
      if (k.state == dnssec::KeyState::kRemoved) continue;
      std::printf("%-32s %-6u %-16s %-4s %-10s %s\n", name.c_str(), static_cast<unsigned>(k.tag),
                  std::string(dnssec::algorithm_mnemonic(k.algorithm)).c_str(),
                  std::string(dnssec::role_name(k.role)).c_str(), std::string(dnssec::state_name(k.state)).c_str(),
                  format_duration(now - k.created).c_str());
    }
    if (keys->zsk_roll_requested)
      std::printf("%-32s ZSK rollover requested %s ago, not started yet\n", name.c_str(),
                  format_duration(now - keys->zsk_roll_requested).c_str());
    if (keys->ksk_roll_requested)
      std::printf("%-32s KSK/CSK rollover requested %s ago, not started yet\n", name.c_str(),
                  format_duration(now - keys->ksk_roll_requested).c_str());
  }
  if (signed_zones == 0)
    std::printf("(no zone has DNSSEC enabled in %s)\n", opts->config.c_str());
  std::fflush(stdout);
  return failures ? kExitFailure : kExitOk;
}

int run_rollover(std::span<const std::string_view> args) {
  std::string usage;
  static constexpr std::string_view kSwitches[] = {"--ksk", "--zsk"};
  auto opts = parse_cli_options(args, false, &usage, kSwitches);
  if (!opts) return usage_error("dnssec rollover", usage);
  if (opts->help) return std::fputs(usage_text(), stdout), kExitOk;
  if (opts->positional.size() != 1) return usage_error("dnssec rollover", "give exactly one DOMAIN");
  if (opts->has("--ksk") && opts->has("--zsk"))
    return usage_error("dnssec rollover", "give --ksk or --zsk, not both (roll one, then the other)");
  ZoneArg z = zone_arg("dnssec rollover", opts->config, opts->positional[0]);
  if (!z.settings) return kExitFailure;
  std::optional<dnssec::FileLock> lock;
  auto keys = existing_keys("dnssec rollover", z, &lock);
  if (!keys) return kExitFailure;
  bool has_csk = false;
  for (const auto& k : keys->keys)
    if (k.state != dnssec::KeyState::kRemoved && k.role == dnssec::KeyRole::kCsk) has_csk = true;
  dnssec::KeyRole role;
  if (has_csk) {
    if (opts->has("--zsk")) {
      std::fprintf(stderr, "mailns dnssec rollover: %s signs with a CSK (no separate ZSK); roll it without --zsk\n",
                   z.origin.to_text().c_str());
      return kExitFailure;
    }
    role = dnssec::KeyRole::kCsk;
  } else if (opts->has("--ksk")) {
    role = dnssec::KeyRole::kKsk;
  } else if (opts->has("--zsk")) {
    role = dnssec::KeyRole::kZsk;
  } else {
    return usage_error("dnssec rollover",
                       z.origin.to_text() + " has a KSK and a ZSK; say which to roll: --ksk or --zsk");
  }
  if (dnssec::Status st = dnssec::request_rollover(*keys, role, now_seconds()); !st) {
    std::fprintf(stderr, "mailns dnssec rollover: %s\n", st.error().c_str());
    return kExitFailure;
  }
  if (dnssec::Status st = dnssec::save_keys(*keys); !st) {
    std::fprintf(stderr, "mailns dnssec rollover: %s\n", st.error().c_str());
    return kExitFailure;
  }
  const std::string r = upper(dnssec::role_name(role));
  std::printf("%s: %s rollover requested.\n"
              "A running mailns serve starts it at its next re-sign of the zone, or at its next start;\n"
              "`mailns dnssec keys -c %s` shows the progress.\n",
              z.origin.to_text().c_str(), r.c_str(), opts->config.c_str());
  if (role != dnssec::KeyRole::kZsk)
    std::printf("Once the new %s is \"ready\", give the parent its DS (`mailns dnssec ds -c %s %s`), and when the\n"
                "parent publishes it, run `mailns dnssec confirm-ds -c %s %s TAG` so the old key can go.\n",
                r.c_str(), opts->config.c_str(), opts->positional[0].c_str(), opts->config.c_str(),
                opts->positional[0].c_str());
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

int run_confirm_ds(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, false, &usage);
  if (!opts) return usage_error("dnssec confirm-ds", usage);
  if (opts->help) return std::fputs(usage_text(), stdout), kExitOk;
  if (opts->positional.size() != 2) return usage_error("dnssec confirm-ds", "give DOMAIN and the new key's TAG");
  const std::string& tag_text = opts->positional[1];
  unsigned long tag = 0;
  char* end = nullptr;
  tag = std::strtoul(tag_text.c_str(), &end, 10);
  if (tag_text.empty() || *end != '\0' || tag > 65535)
    return usage_error("dnssec confirm-ds", "TAG is a key tag, a number from 0 to 65535 (see mailns dnssec keys)");
  ZoneArg z = zone_arg("dnssec confirm-ds", opts->config, opts->positional[0]);
  if (!z.settings) return kExitFailure;
  std::optional<dnssec::FileLock> lock;
  auto keys = existing_keys("dnssec confirm-ds", z, &lock);
  if (!keys) return kExitFailure;
  if (dnssec::Status st = dnssec::confirm_ds(*keys, static_cast<uint16_t>(tag), now_seconds()); !st) {
    std::fprintf(stderr, "mailns dnssec confirm-ds: %s\n", st.error().c_str());
    return kExitFailure;
  }
  if (dnssec::Status st = dnssec::save_keys(*keys); !st) {
    std::fprintf(stderr, "mailns dnssec confirm-ds: %s\n", st.error().c_str());
    return kExitFailure;
  }
  std::printf("%s: DS of key %lu confirmed at the parent; the server retires the old key once the old DS has\n"
              "expired from caches (parent DS TTL + propagation delay), at a re-sign or restart after that.\n",
              z.origin.to_text().c_str(), tag);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int run_dnssec(std::span<const std::string_view> args) {
  if (!args.empty()) {
    const auto rest = args.subspan(1);
    if (args[0] == "ds") return run_ds(rest);
    if (args[0] == "keys") return run_keys(rest);
    if (args[0] == "rollover") return run_rollover(rest);
    if (args[0] == "confirm-ds") return run_confirm_ds(rest);
  }
  std::fprintf(stderr, "mailns dnssec: expected 'ds', 'keys', 'rollover' or 'confirm-ds'\n\n%s", usage_text());
  return kExitUsage;
}

}  // namespace mailns::server
