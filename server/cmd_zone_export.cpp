// mailns zone export -c FILE ORIGIN: load the configuration (master-file
// zones and synthesized mail domains) and print one zone as master-file text
// (zone::export_zone) on stdout.
#include <cstdio>
#include <string>

#include "server/cli_options.hpp"
#include "server/commands.hpp"
#include "server/config.hpp"
#include "server/zone_loader.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {

int run_zone_export(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage);
  if (!opts) return usage_error("zone export", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (opts->positional.size() != 1)
    return usage_error("zone export", opts->positional.empty() ? "missing ORIGIN (the zone to print)"
                                                               : "give exactly one ORIGIN");

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
  ZoneSetResult zones = load_zones(config, serial_for_today());
  for (const auto& w : zones.warnings) std::fprintf(stderr, "%s\n", w.c_str());
  for (const auto& e : zones.domain_errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!zones.snapshot) {
    for (const auto& e : zones.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  const zone::Zone* found = nullptr;
  std::string known;
  for (const auto& z : zones.snapshot->zones()) {
    if (z->origin() == *origin) found = z.get();
    known += (known.empty() ? "" : ", ") + z->origin().to_text();
  }
  if (!found) {
    std::fprintf(stderr, "mailns zone export: %s serves no zone %s (its zones: %s)\n", opts->config.c_str(),
                 origin->to_text().c_str(), known.c_str());
    return kExitFailure;
  }
  const std::string text = zone::export_zone(*found);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace mailns::server
