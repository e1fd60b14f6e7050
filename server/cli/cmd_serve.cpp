// mailns serve: load the configuration and zones (signing the ones with
// DNSSEC enabled, keys created on the first start), bind, answer until
// SIGTERM/SIGINT while the re-signer keeps signatures fresh. Any
// configuration or master-file error stops start-up (exit 1).
#include <algorithm>
#include <functional>
#include <memory>
#include <csignal>
#include <ctime>
#include <cstdio>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <malloc.h>
#include <unistd.h>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/process_guard.hpp"
#include "server/cli/serve_status.hpp"
#include "server/config/config.hpp"
#include "server/control/control_socket.hpp"
#include "server/control/service_notify.hpp"
#include "server/dnstap/dnstap_writer.hpp"
#include "server/publish/file_watcher.hpp"
#include "server/logging.hpp"
#include "server/xfr/primary.hpp"
#include "server/publish/reload_service.hpp"
#include "server/publish/reloader.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "server/publish/resigner.hpp"
#include "server/net/cookie_secret_cell.hpp"
#include "server/net/rate_limit_report.hpp"
#include "server/net/server.hpp"
#include "server/publish/cookie_secret_store.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/publish/mta_sts_policy_dir.hpp"
#include "server/publish/zone_loader.hpp"
#include "server/web/certificate_set.hpp"
#include "server/web/http_endpoint.hpp"
#include "server/web/mta_sts_server.hpp"

namespace mailns::server {

namespace {

// The configuration with --listen applied, logging set up; nullopt (and
// *exit_code) when it has errors.
std::optional<Config> load_serve_config(const CliOptions& opts, int* exit_code) {
  ConfigResult cfg = load_config(opts.config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) server_log().error("{}", e);
    server_log().error("{}: {} error{} in the configuration; not starting", opts.config, cfg.errors.size(),
                       cfg.errors.size() == 1 ? "" : "s");
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  if (auto errors = apply_listen_override(*cfg.config, opts.listen); !errors.empty()) {
    for (const auto& e : errors) std::fprintf(stderr, "mailns serve: %s\n", e.c_str());
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  init_logging(cfg.config->server.log_level);
  return std::move(cfg.config);
}

// Up to this many zones, start-up logs a line per zone (and per key event);
// beyond, those lines are at debug level and one summary line says what
// they would have said, so 1000 zones do not make 1000 lines.
constexpr size_t kPerZoneLines = 20;

// M_TRIM_THRESHOLD while the zones are first loaded, and glibc's default after.
constexpr int kLoadTrimThreshold = 64 << 20;
constexpr int kDefaultTrimThreshold = 128 << 10;

// Logs what the first load did; false when nothing can be served.
bool log_initial_load(const ZoneSetResult& zones, const std::string& config_path) {
  const bool per_zone = zones.zones.size() <= kPerZoneLines;
  const auto detail = per_zone ? spdlog::level::info : spdlog::level::debug;
  for (const auto& e : zones.events) dnssec_log().log(detail, "{}", e);
  if (!per_zone && !zones.events.empty())
    dnssec_log().info("{} DNSSEC key event{} (keys created, rollover steps; one line each at log_level: debug; "
                      "`mailns dnssec keys` lists the keys)",
                      zones.events.size(), zones.events.size() == 1 ? "" : "s");
  for (const auto& w : zones.warnings) zone_log().warn("{}", w);
  for (const auto& e : zones.domain_errors) zone_log().error("{} (zone not served)", e);
  if (!zones.snapshot) {
    for (const auto& e : zones.errors) zone_log().error("{}", e);
    server_log().error("{} zone error{}; not starting (check with: mailns check-config -c {})", zones.errors.size(),
                       zones.errors.size() == 1 ? "" : "s", config_path);
    return false;
  }
  size_t records = 0, signed_zones = 0;
  for (const LoadedZone& lz : zones.zones) {
    const auto& z = *lz.zone;
    records += z.record_count();
    signed_zones += lz.signing ? 1 : 0;
    zone_log().log(detail, "loaded {} serial {}, {} records{}, from {}", z.origin().to_text(), z.soa_serial(),
                   z.record_count(), lz.signing ? " (signed)" : "", lz.source);
  }
  if (!per_zone)
    zone_log().info("loaded {} zones ({} signed), {} records (one line per zone at log_level: debug)",
                    zones.zones.size(), signed_zones, records);
  if (zones.signing.zones + zones.signing.failed > 0)
    dnssec_log().info("signed {} zone{} ({} unchanged since the last run, served as they were) with {} signatures "
                      "made and {} kept in {:.3f} s{}",
                      zones.signing.zones, zones.signing.zones == 1 ? "" : "s", zones.signing.unchanged,
                      zones.signing.signatures, zones.signing.reused, zones.signing.seconds,
                      zones.signing.failed ? "; " + std::to_string(zones.signing.failed) + " not served (see above)"
                                           : std::string());
  return true;
}

// The MTA-STS endpoint's certificates as the configuration names them now;
// nullptr (and *error) when one does not load.
std::shared_ptr<CertificateSet> load_certificates(const Config& config, std::string* error) {
  if (!config.mta_sts_server) return nullptr;
  return CertificateSet::load(config.mta_sts_server->certificates, error);
}

// After a reload: new connections get the certificates as they are now; a
// certificate that does not load keeps the old ones (and fails the reload).
void reload_certificates(MtaStsServer* web, const Config& running, const Config& config, ReloadOutcome& out) {
  const bool before = running.mta_sts_server.has_value(), now = config.mta_sts_server.has_value();
  if (before != now || (now && running.mta_sts_server->listen != config.mta_sts_server->listen))
    out.needs_restart.push_back("mta_sts_server listen addresses (or the section itself)");
  if (!web || !now) return;
  std::string error;
  if (auto certs = load_certificates(config, &error)) {
    web->set_certificates(std::move(certs));
    return;
  }
  web_log().error("reload: {}; new connections keep the previous certificates", error);
  out.errors.push_back(error + "; the MTA-STS endpoint keeps the previous certificates");
}

// The files a reload should follow: the configuration's and the endpoint's certificates.
std::vector<std::string> files_to_watch(const Reloader& reloader) {
  std::vector<std::string> files = reloader.watched_files();
  if (const auto& web = reloader.config().mta_sts_server)
    for (const CertificateFiles& f : web->certificates) files.insert(files.end(), {f.cert, f.key});
  return files;
}

// The zone names of "reload [verbose] zones NAME..." (`mailns reload ZONE...`);
// nullopt for any other command.
std::optional<std::vector<std::string>> zones_to_reload(const std::string& command, bool* verbose) {
  std::istringstream words(command);
  std::string w;
  std::vector<std::string> names;
  if (!(words >> w) || w != "reload" || !(words >> w)) return std::nullopt;
  *verbose = w == "verbose";
  if (*verbose && !(words >> w)) return std::nullopt;
  if (w != "zones") return std::nullopt;
  while (words >> w) names.push_back(w);
  return names;
}

// The control socket's commands: reload [verbose] [zones NAME...], status [json].
ControlSocket::Handler control_commands(ReloadService& reloads, const ServeParts& parts) {
  return [&reloads, &parts](const std::string& command) {
    if (command == "reload" || command == "reload verbose") {
      const ReloadOutcome out = reloads.request_and_wait("mailns reload");
      return ControlReply{out.text(command == "reload verbose"), !out.failed()};
    }
    bool verbose = false;
    if (auto names = zones_to_reload(command, &verbose)) {
      const ReloadOutcome out = reloads.reload_zones_and_wait(std::move(*names));
      return ControlReply{out.text(verbose), !out.failed()};
    }
    if (command == "status" || command == "status json") {
      StatusReport report;
      if (!reloads.call([&] { report = collect_status(parts, parts.reloader.now()); }))
        return ControlReply{"the server is shutting down\n", false};
      return ControlReply{command == "status json" ? status_json(report) : status_text(report), true};
    }
    return ControlReply{"unknown command '" + command +
                            "'; known: reload, reload verbose, reload [verbose] zones NAME..., status, status json\n",
                        false};
  };
}

// GET /metrics: the Prometheus text format, gathered on the reload thread.
HttpEndpoint::Handler metrics_handler(ReloadService& reloads, const ServeParts& parts) {
  return [&reloads, &parts](std::string_view method, std::string_view, std::string_view target) {
    WebResponse r = single_resource(method, target, "/metrics", "", "text/plain; version=0.0.4; charset=utf-8");
    if (r.status != 200) return r;
    try {
      if (!reloads.call([&] { r.body = prometheus_text(collect_metrics(parts, parts.reloader.now())); }))
        return WebResponse{503, "shutting down\n", r.head};
    } catch (const std::exception& e) {
      server_log().error("metrics: {}", e.what());
      return WebResponse{503, "metrics unavailable\n", r.head};
    }
    return r;
  };
}

// The service manager's one-line status: what is served now.
std::string serving_status(const SnapshotHolder& snapshots) {
  const auto snap = snapshots.owner();
  size_t signed_zones = 0;
  for (const auto& z : snap->zones()) signed_zones += z->denial() != zone::Denial::kNone ? 1 : 0;
  return "serving " + std::to_string(snap->zones().size()) + " zones (" + std::to_string(signed_zones) + " signed)";
}

// The dnstap writer when server.dnstap is set (identity: the host name).
std::unique_ptr<DnstapWriter> start_dnstap(const ServerSettings& s) {
  if (!s.dnstap.enabled()) return nullptr;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::make_unique<DnstapWriter>(s.dnstap, s.threads, host, "mailns " MAILNS_VERSION);
}

// DNS cookies (server.cookies): the secret kept in state_dir.
std::optional<CookieSecretStore> open_cookie_store(const ServerSettings& s, int64_t now) {
  if (!s.cookies) return std::nullopt;
  CookieSecretStore store(s.state_dir + "/cookie_secret");
  std::vector<std::string> warnings;
  store.open(now, warnings);
  for (const auto& w : warnings) server_log().warn("{}", w);
  return store;
}

void log_query_policies(const ServerSettings& s) {
  if (s.rate_limit) {
    const RateLimitConfig& r = *s.rate_limit;
    server_log().info("rate limit: {} identical responses a second per /{} (IPv4) or /{} (IPv6) network, every {} "
                      "over it sent truncated{}; TCP is never limited",
                      r.responses_per_second, r.ipv4_prefix, r.ipv6_prefix,
                      r.slip == 0 ? std::string("none") : r.slip == 1 ? std::string("one") : std::to_string(r.slip) + "th",
                      r.exempt.empty() ? "" : ", " + std::to_string(r.exempt.size()) + " exempt prefixes");
  }
  if (!s.cookies) server_log().info("DNS cookies off (server.cookies: false)");
}

// Ten times a second on the reload thread: the cookie secret's rotation,
// and the rate limit's summary line.
std::function<void(int64_t)> housekeeping(const ServerSettings& s, std::optional<CookieSecretStore>& store,
                                          CookieSecretCell* cell, const Server& server) {
  auto report = std::make_shared<RateLimitReport>();
  const bool limited = s.rate_limit.has_value();
  return [&store, cell, &server, report, limited](int64_t now) {
    if (store && cell) {
      std::string error;
      if (store->rotate_if_due(now, &error)) {
        cell->store(store->secrets());
        server_log().info("DNS cookie secret rotated (the previous one stays accepted for cookies already given)");
      }
      if (!error.empty()) server_log().warn("{}", error);
    }
    if (limited)
      if (std::string line = report->update(server.totals(), now); !line.empty()) server_log().warn("{}", line);
  };
}

// Binds, starts the reload thread, the file watcher and the control socket,
// and answers until SIGTERM/SIGINT.
int run_services(const Config& config, const std::string& config_path, Reloader& reloader, SnapshotHolder& snapshots,
                 Primary& primary, ReloadService& reloads, ControlSocket& control, ServeParts& parts,
                 std::shared_ptr<CertificateSet> certificates) {
  FileWatcher watcher([&reloads] { reloads.request("file change"); });
  // Outlives the server: the workers hold its sinks.
  const std::unique_ptr<DnstapWriter> dnstap = start_dnstap(config.server);
  QueryLogFor query_logs;
  if (dnstap) query_logs = [&dnstap](unsigned worker) { return dnstap->sink(worker); };
  std::optional<CookieSecretStore> cookie_store = open_cookie_store(config.server, reloader.now());
  std::optional<CookieSecretCell> cookie_cell;
  if (cookie_store) cookie_cell.emplace(cookie_store->secrets());
  Server server(config.server, snapshots, &primary, query_logs, cookie_cell ? &*cookie_cell : nullptr);
  log_query_policies(config.server);
  parts.server = &server;
  parts.dnstap = dnstap.get();
  primary.start_notify(reloader.take_unchanged_at_start());  // the sockets are bound: secondaries can connect back
  std::optional<MtaStsServer> web;
  if (config.mta_sts_server) {
    web.emplace(*config.mta_sts_server, snapshots, std::move(certificates));
    web->start();
  }
  std::optional<HttpEndpoint> metrics;
  if (config.server.metrics_listen) {
    metrics.emplace("metrics endpoint", std::vector<ListenAddress>{*config.server.metrics_listen}, WebLimits{},
                    metrics_handler(reloads, parts), nullptr);
    metrics->start();
    server_log().info("Prometheus metrics on http://{}/metrics", config.server.metrics_listen->to_string());
  }
  // Every socket is bound and the control socket open: root is no longer needed.
  if (std::string err = drop_root(config, writable_dirs(config)); !err.empty()) throw std::runtime_error(err);
  if (config.server.run_as)
    for (const std::string& f : files_to_watch(reloader))
      if (::access(f.c_str(), R_OK) != 0)
        server_log().warn("{} is not readable by {}: a reload that needs it will fail", f, config.server.run_as->user);
  if (config.server.watch_files) {
    if (std::string err = watcher.start(); !err.empty())
      server_log().warn("{}; files are not watched (reload with SIGHUP or `mailns reload`)", err);
    watcher.set_files(files_to_watch(reloader));
  }
  reloads.set_before_reload([&](const std::string& why) { notify_reloading("reloading (" + why + ")"); });
  reloads.set_after_zone_reload([&](ReloadOutcome& out) {
    parts.last_reload = out;
    parts.last_reload_at = reloader.now();
    parts.reloads.add(out.failed(), out.seconds);
  });
  reloads.set_after_reload([&](ReloadOutcome& out) {
    if (config.server.watch_files) watcher.set_files(files_to_watch(reloader));
    primary.update_settings(reloader.config().transfer);
    reload_certificates(web ? &*web : nullptr, config, reloader.config(), out);
    parts.last_reload = out;
    parts.last_reload_at = reloader.now();
    parts.reloads.add(out.failed(), out.seconds);
    std::string summary = out.text();
    summary = summary.substr(summary.rfind('\n', summary.size() - 2) + 1);  // its last line: "reload: ok (...)"
    notify_ready(serving_status(snapshots) + "; last " + summary);
  });
  // Re-signing runs on the reload thread (Reloader::tick), never beside
  // a reload of the same zones.
  // A DKIM date passing changes what is published: reload then.
  reloads.set_next_event(
      [&reloader](int64_t now) { return synth::next_dkim_change(reloader.config().mail_domains, now); });
  reloads.set_housekeeping(housekeeping(config.server, cookie_store, cookie_cell ? &*cookie_cell : nullptr, server));
  reloads.start();
  control.start();
  server_log().info("reload with SIGHUP or `mailns reload -c {}` (control socket {}){}", config_path,
                    config.server.control_socket, config.server.watch_files ? "; watching the configuration's files" : "");
  notify_ready(serving_status(snapshots) + " on " + to_string(config.server.listen));
  server.run();
  notify_stopping("shutting down");
  watcher.stop();
  control.stop();
  reloads.stop();
  if (web) web->stop();
  primary.stop();
  parts.server = nullptr;
  parts.dnstap = nullptr;
  return kExitOk;
}

}  // namespace

int run_serve(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/true, &usage);
  if (!opts) return usage_error("serve", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (!opts->positional.empty()) return usage_error("serve", "unexpected argument '" + opts->positional[0] + "'");

  // SIGHUP is taken by the reload thread's sigwait (reload_service.hpp):
  // blocked here, before any thread exists, so every thread inherits it.
  block_reload_signal();
  init_logging(LogLevel::kInfo);
  int exit_code = kExitOk;
  std::optional<Config> loaded = load_serve_config(*opts, &exit_code);
  if (!loaded) return exit_code;
  // One instance per state_dir, one server per address, checked before
  // anything is written or bound.
  std::string lock_error;
  const std::optional<dnssec::FileLock> instance = lock_instance(loaded->server, &lock_error);
  if (!instance) {
    server_log().error("{}; not starting", lock_error);
    return kExitFailure;
  }
  if (const auto taken = addresses_served_by_others(*loaded); !taken.empty()) {
    for (const auto& m : taken) server_log().error("{}", m);
    server_log().error("not starting");
    return kExitFailure;
  }

  // The reloader loads the zones as load_zones always did, with the serials
  // persisted in state_dir, and remembers what each zone was built from.
  Reloader reloader(opts->config, opts->listen);
  // ldns takes and frees some 64 KiB buffers for every record it parses; with
  // glibc's 128 KiB trim threshold the heap shrank and grew again for nearly
  // every record of a start (40 brk calls and their page faults per zone).
  // The free pages are kept while loading, and all given back below.
  mallopt(M_TRIM_THRESHOLD, kLoadTrimThreshold);
  ZoneSetResult zones = reloader.initial_load(std::move(*loaded));
  // The configuration as started: one copy, shared with the reloader (which
  // takes a new one at each reload).
  const std::shared_ptr<const Config> started_config = reloader.shared_config();
  const Config& config = *started_config;
  if (!log_initial_load(zones, opts->config)) return kExitFailure;
  std::string cert_error;
  std::shared_ptr<CertificateSet> certificates = load_certificates(config, &cert_error);
  if (config.mta_sts_server && !certificates) {
    server_log().error("{}; not starting", cert_error);
    return kExitFailure;
  }

  // A client that closes early must not kill the server on write.
  std::signal(SIGPIPE, SIG_IGN);
  SnapshotHolder snapshots(std::move(zones.snapshot));  // not pinned here once replaced
  // Re-signing runs beside the workers on half the threads, so answering
  // keeps at least the other half of the cores while a large set is signed.
  Resigner resigner(std::move(zones.zones), snapshots, answer_options(config.server),
                    std::max(1u, config.server.threads / 2));
  zones = ZoneSetResult{};  // logged: its messages are not kept for the server's life
  // Loading and signing freed far more than is kept (parsed files, the
  // signers' work): give the free pages back to the system instead of
  // holding them for the server's life (malloc_trim also releases free
  // pages inside the heap and the signing threads' arenas).
  malloc_trim(0);
  mallopt(M_TRIM_THRESHOLD, kDefaultTrimThreshold);  // glibc's default: reloads give memory back as before
  reloader.attach(snapshots, resigner);
  // Zone transfers, TSIG, NOTIFY and the catalog zone (issue 6): from here
  // on every publication goes through it.
  Primary::Options primary_options;
  primary_options.state_dir = config.server.state_dir;
  Primary primary(config.transfer, primary_options);
  for (const auto& [from, to] : reloader.take_start_up_changes()) primary.record_start_up_change(*from, *to);
  primary.attach(snapshots);  // then the journal of the zones that did not change
  // policy_dir: each policy file is written before the snapshot with its
  // _mta-sts id is served (RFC 8461 3.3), at start and at every publication.
  write_mta_sts_policy_dirs(config.mail_domains, *snapshots.current());
  snapshots.add_before_swap([&reloader](const zone::Snapshot& next) {
    write_mta_sts_policy_dirs(reloader.config().mail_domains, next);
  });
  ReloadService reloads(reloader, snapshots);
  ServeParts parts{snapshots, reloader, resigner, primary, nullptr, nullptr, reloader.now(), std::nullopt, 0};
  ControlSocket control(config.server.control_socket, control_commands(reloads, parts));
  if (std::string err = control.open(); !err.empty()) {
    server_log().error("{}; not starting", err);
    return kExitFailure;
  }
  try {
    run_services(config, opts->config, reloader, snapshots, primary, reloads, control, parts,
                 std::move(certificates));
  } catch (const std::runtime_error& e) {  // an address cannot be bound (system_error), dnstap cannot start
    server_log().error("{}; not starting", e.what());
    return kExitFailure;
  }
  server_log().info("shutdown complete");
  return kExitOk;
}

}  // namespace mailns::server
