// mailns serve: load the configuration and zones (signing the ones with
// DNSSEC enabled, keys created on the first start), bind, answer until
// SIGTERM/SIGINT while the re-signer keeps signatures fresh. Any
// configuration or master-file error stops start-up (exit 1).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <system_error>

#include "server/cli_options.hpp"
#include "server/commands.hpp"
#include "server/config.hpp"
#include "server/logging.hpp"
#include "server/resigner.hpp"
#include "server/server.hpp"
#include "server/snapshot_holder.hpp"
#include "server/zone_loader.hpp"

namespace mailns::server {

int run_serve(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/true, &usage);
  if (!opts) return usage_error("serve", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (!opts->positional.empty()) return usage_error("serve", "unexpected argument '" + opts->positional[0] + "'");

  init_logging(LogLevel::kInfo);
  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) server_log().error("{}", e);
    server_log().error("{}: {} error{} in the configuration; not starting", opts->config, cfg.errors.size(),
                       cfg.errors.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  Config& config = *cfg.config;
  if (auto errors = apply_listen_override(config, opts->listen); !errors.empty()) {
    for (const auto& e : errors) std::fprintf(stderr, "mailns serve: %s\n", e.c_str());
    return kExitUsage;
  }
  init_logging(config.server.log_level);

  ZoneSetResult zones = load_zones(config, LoadOptions{});
  for (const auto& e : zones.events) dnssec_log().info("{}", e);
  for (const auto& w : zones.warnings) zone_log().warn("{}", w);
  for (const auto& e : zones.domain_errors) zone_log().error("{} (zone not served)", e);
  if (!zones.snapshot) {
    for (const auto& e : zones.errors) zone_log().error("{}", e);
    server_log().error("{} zone error{}; not starting (check with: mailns check-config -c {})", zones.errors.size(),
                       zones.errors.size() == 1 ? "" : "s", opts->config);
    return kExitFailure;
  }
  for (const LoadedZone& lz : zones.zones) {
    const auto& z = *lz.zone;
    zone_log().info("loaded {} serial {}, {} records{}, from {}", z.origin().to_text(), z.soa_serial(),
                    z.record_count(), lz.signing ? " (signed)" : "", lz.source);
  }
  if (zones.signing.zones + zones.signing.failed > 0)
    dnssec_log().info("signed {} zone{} with {} signatures in {:.3f} s{}", zones.signing.zones,
                      zones.signing.zones == 1 ? "" : "s", zones.signing.signatures, zones.signing.seconds,
                      zones.signing.failed ? "; " + std::to_string(zones.signing.failed) + " not served (see above)"
                                           : std::string());

  // A client that closes early must not kill the server on write.
  std::signal(SIGPIPE, SIG_IGN);
  SnapshotHolder snapshots(zones.snapshot);
  // Re-signing runs beside the workers on half the threads, so answering
  // keeps at least the other half of the cores while a large set is signed.
  Resigner resigner(std::move(zones.zones), snapshots, answer_options(config.server),
                    std::max(1u, config.server.threads / 2));
  try {
    Server server(config.server, snapshots);
    resigner.start();
    server.run();
  } catch (const std::system_error& e) {
    server_log().error("{}; not starting", e.what());
    return kExitFailure;
  }
  resigner.stop();
  server_log().info("shutdown complete");
  return kExitOk;
}

}  // namespace mailns::server
