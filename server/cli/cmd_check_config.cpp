// mailns check-config: parse the configuration and load every zone exactly
// as serve would (mail domains synthesized and linted, zones signed with
// their existing DNSSEC keys), without binding anything or writing keys.
// Prints warnings, then one summary line and exits 0, or prints every error
// and exits 1.
#include <cstdio>
#include <string>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/publish/state_dir_leftovers.hpp"
#include "server/publish/zone_archive.hpp"
#include "server/publish/zone_loader.hpp"

namespace mailns::server {

namespace {
// What a crash left in state_dir that the next start moves aside (issue 19;
// the key store's leftovers are reported with each zone's keys). Never a
// reason to fail: the start carries on without them.
void report_leftovers(const Config& config) {
  for (const std::string& p : state_dir_leftovers(config.server.state_dir))
    std::fprintf(stderr, "warning: %s: the next start moves it aside to %s/orphans/ (the temporary file of an "
                 "interrupted write)\n", p.c_str(), config.server.state_dir.c_str());
  const ZoneArchive archive(config.server.state_dir + "/zones");
  for (const std::string& m : archive.leftover_messages(archive.leftovers(), /*done=*/false))
    std::fprintf(stderr, "warning: %s\n", m.c_str());
}
}  // namespace

int run_check_config(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage);
  if (!opts) return usage_error("check-config", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (!opts->positional.empty())
    return usage_error("check-config", "unexpected argument '" + opts->positional[0] + "'");

  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    std::fprintf(stderr, "%s: %zu error%s\n", opts->config.c_str(), cfg.errors.size(),
                 cfg.errors.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  const Config& config = *cfg.config;
  report_leftovers(config);
  // Keys are read, never created or advanced: a check must not write into
  // the key store (run as another user it would leave files the server
  // cannot read). A zone without keys yet is checked unsigned.
  LoadOptions load;
  load.keys = KeyAccess::kReadOnly;
  load.unsigned_without_keys = true;
  ZoneSetResult zones = load_zones(config, load);
  for (const auto& w : zones.warnings) std::fprintf(stderr, "%s\n", w.c_str());
  for (const auto& e : zones.domain_errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!zones.snapshot || !zones.domain_errors.empty()) {
    for (const auto& e : zones.errors) std::fprintf(stderr, "%s\n", e.c_str());
    const size_t n = zones.errors.size() + zones.domain_errors.size();
    std::fprintf(stderr, "%s: %zu error%s\n", opts->config.c_str(), n, n == 1 ? "" : "s");
    return kExitFailure;
  }

  std::string zone_list;
  for (const LoadedZone& lz : zones.zones) {
    const zone::Zone& z = *lz.zone;
    if (!zone_list.empty()) zone_list += ", ";
    zone_list += z.origin().to_text() + " serial " + std::to_string(z.soa_serial()) + ", " +
                 std::to_string(z.record_count()) + " records";
    if (lz.signing) zone_list += ", signed";
  }
  std::string listen;
  for (const auto& a : config.server.listen) listen += (listen.empty() ? "" : ", ") + a.to_string();
  const size_t n = zones.snapshot->zones().size();
  std::printf("%s: OK: %zu zone%s (%s); listen %s; %u thread%s\n", opts->config.c_str(), n, n == 1 ? "" : "s",
              zone_list.c_str(), listen.c_str(), config.server.threads, config.server.threads == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace mailns::server
