// mailns zone export -c FILE ORIGIN [--signed]: load the configuration
// (master-file zones and synthesized mail domains) and print one zone as
// master-file text on stdout: the unsigned records (zone::export_zone), or
// with --signed the zone as signed for serving, DNSSEC records included,
// with the keys the key store holds (read only: no key is made, no rollover
// step is taken, nothing is written).
#include <algorithm>
#include <cstdio>
#include <string>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/publish/zone_loader.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {

namespace {

// SOA first, then canonical order (RFC 4034 6.1) by owner, each RRset
// followed by its RRSIGs.
std::string signed_zone_text(const zone::DnsName& origin, std::vector<zone::Record> records) {
  auto covered = [](const zone::Record& r) -> uint16_t {
    if (r.type == zone::rrtype::RRSIG && r.rdata.size() >= 2)
      return static_cast<uint16_t>(r.rdata[0] << 8 | r.rdata[1]);  // type covered
    return r.type;
  };
  auto rank = [&](const zone::Record& r) { return r.owner == origin && covered(r) == zone::rrtype::SOA ? 0 : 1; };
  std::stable_sort(records.begin(), records.end(), [&](const zone::Record& a, const zone::Record& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (auto c = a.owner <=> b.owner; c != 0) return c < 0;
    if (covered(a) != covered(b)) return covered(a) < covered(b);
    return (a.type == zone::rrtype::RRSIG) < (b.type == zone::rrtype::RRSIG);
  });
  std::string out;
  for (const zone::Record& r : records) out += zone::record_to_text(r.owner, r.type, r.ttl, r.rdata) + '\n';
  return out;
}

}  // namespace

int run_zone_export(std::span<const std::string_view> args) {
  std::string usage;
  static constexpr std::string_view kSwitches[] = {"--signed"};
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage, kSwitches);
  if (!opts) return usage_error("zone export", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (opts->positional.size() != 1)
    return usage_error("zone export", opts->positional.empty() ? "missing ORIGIN (the zone to print)"
                                                               : "give exactly one ORIGIN");
  const bool want_signed = opts->has("--signed");

  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  const Config& config = *cfg.config;
  std::string err;
  const auto origin = zone::DnsName::from_text(opts->positional[0], &err);
  if (!origin) {
    std::fprintf(stderr, "mailns zone export: '%s' is not a domain name: %s\n", opts->positional[0].c_str(),
                 err.c_str());
    return kExitFailure;
  }
  if (want_signed && !config.dnssec_for(*origin).enabled) {
    std::fprintf(stderr,
                 "mailns zone export: DNSSEC is not enabled for %s in %s; drop --signed, or set \"dnssec: { "
                 "enabled: true }\"\n",
                 origin->to_text().c_str(), opts->config.c_str());
    return kExitFailure;
  }
  LoadOptions load;
  if (want_signed) {
    load.keys = KeyAccess::kReadOnly;
    load.keep_signed_records = true;
    load.sign_only = *origin;
  } else {
    load.keys = std::nullopt;
  }
  ZoneSetResult zones = load_zones(config, load);
  for (const auto& w : zones.warnings) std::fprintf(stderr, "%s\n", w.c_str());
  for (const auto& e : zones.domain_errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!zones.snapshot) {
    for (const auto& e : zones.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  const LoadedZone* found = nullptr;
  std::string known;
  for (const LoadedZone& z : zones.zones) {
    if (z.zone->origin() == *origin) found = &z;
    known += (known.empty() ? "" : ", ") + z.zone->origin().to_text();
  }
  if (!found) {
    const auto all = config.all_origins();
    if (std::find(all.begin(), all.end(), *origin) != all.end())
      std::fprintf(stderr, "mailns zone export: %s is configured but cannot be served; see the error above\n",
                   origin->to_text().c_str());
    else
      std::fprintf(stderr, "mailns zone export: %s serves no zone %s (its zones: %s)\n", opts->config.c_str(),
                   origin->to_text().c_str(), known.empty() ? "none" : known.c_str());
    return kExitFailure;
  }
  const std::string text = want_signed && found->signing
                               ? signed_zone_text(*origin, found->signing->signed_records)
                               : zone::export_zone(*found->zone);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace mailns::server
