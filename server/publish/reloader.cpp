#include "server/publish/reloader.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "server/config/config_subset.hpp"
#include "server/logging.hpp"
#include "server/publish/state_dir_leftovers.hpp"
#include "zone/soa_serial.hpp"
#include "zone/usable_cpus.hpp"

namespace mailns::server {

namespace {

std::string without_dot(std::string s) {
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string settings_diff(const ServerSettings& a, const ServerSettings& b, bool compare_listen) {
  std::string out;
  auto add = [&](const char* what) { out += (out.empty() ? "" : ", ") + std::string(what); };
  if (compare_listen && !(a.listen == b.listen)) add("listen");
  if (a.threads != b.threads) add("threads");
  if (a.udp_payload != b.udp_payload) add("udp_payload");
  if (a.tcp_idle_timeout != b.tcp_idle_timeout) add("tcp_idle_timeout");
  if (a.tcp_io_timeout != b.tcp_io_timeout) add("tcp_io_timeout");
  if (a.tcp_max_connections != b.tcp_max_connections) add("tcp_max_connections");
  if (a.tcp_max_connections_per_address != b.tcp_max_connections_per_address)
    add("tcp_max_connections_per_address");
  if (a.state_dir != b.state_dir) add("state_dir");
  if (a.control_socket != b.control_socket) add("control_socket");
  if (a.watch_files != b.watch_files) add("watch_files");
  if (a.metrics_listen != b.metrics_listen) add("metrics_listen");
  if (!(a.dnstap == b.dnstap)) add("dnstap");
  if (a.nsid != b.nsid) add("nsid");
  if (a.rate_limit != b.rate_limit) add("rate_limit");
  if (a.cookies != b.cookies) add("cookies");
  return out;
}

}  // namespace

const char* to_string(ZoneOutcome::Status s) noexcept {
  switch (s) {
    case ZoneOutcome::Status::kLoaded: return "loaded";
    case ZoneOutcome::Status::kAdded: return "added";
    case ZoneOutcome::Status::kUnchanged: return "unchanged";
    case ZoneOutcome::Status::kFailed: return "failed";
    case ZoneOutcome::Status::kRemoved: return "removed";
  }
  return "?";
}

bool ReloadOutcome::failed() const noexcept {
  if (!config_errors.empty() || !request_errors.empty() || !errors.empty()) return true;
  for (const auto& z : zones)
    if (z.status == ZoneOutcome::Status::kFailed) return true;
  return false;
}

std::string ReloadOutcome::text(bool verbose) const {
  std::string out;
  for (const auto& e : config_errors) out += "error: " + e + "\n";
  for (const auto& e : request_errors) out += "error: " + e + "\n";
  for (const auto& z : zones) {
    if (z.status == ZoneOutcome::Status::kUnchanged && !verbose) continue;
    out += z.zone + ": " + to_string(z.status);
    if (z.status == ZoneOutcome::Status::kFailed)
      out += z.serial ? ", still serving serial " + std::to_string(z.serial) : std::string(", not served");
    else if (z.serial)
      out += ", serial " + std::to_string(z.serial);
    out += "\n";
    for (const auto& e : z.errors) out += "  " + e + "\n";
  }
  for (const auto& r : needs_restart) out += "needs a restart: " + r + "\n";
  for (const auto& w : warnings) out += "warning: " + w + "\n";
  for (const auto& e : errors) out += "error: " + e + "\n";
  size_t failed_zones = 0, changed = 0;
  for (const auto& z : zones) {
    if (z.status == ZoneOutcome::Status::kFailed) ++failed_zones;
    if (z.status == ZoneOutcome::Status::kLoaded || z.status == ZoneOutcome::Status::kAdded ||
        z.status == ZoneOutcome::Status::kRemoved)
      ++changed;
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  if (!request_errors.empty())
    out += "reload: failed (" + std::to_string(request_errors.size()) + " zone name" +
           (request_errors.size() == 1 ? "" : "s") + " not served; nothing changed)\n";
  else if (!config_errors.empty())
    out += "reload: failed (" + std::to_string(config_errors.size()) + " configuration error" +
           (config_errors.size() == 1 ? "" : "s") + "; nothing changed, the last good configuration is served)\n";
  else
    out += std::string("reload: ") + (failed_zones || !errors.empty() ? "failed" : "ok") + " (" +
           std::to_string(changed) + " changed, " + std::to_string(failed_zones) + " failed, " +
           std::to_string(zones.size() - changed - failed_zones) + " unchanged, " + secs + " s)\n";
  return out;
}

Reloader::Reloader(std::string config_path, std::vector<std::string> listen_override, Clock clock)
    : path_(std::move(config_path)), listen_override_(std::move(listen_override)), clock_(std::move(clock)) {}

LoadOptions Reloader::load_options(
    int64_t now, std::function<std::shared_ptr<const zone::Zone>(const zone::DnsName&)> previous) {
  LoadOptions o;
  o.now = now;
  o.previous_for = std::move(previous);
  o.last_served_serial = [this](const zone::DnsName& origin) { return serials_.get(origin); };
  o.serial_for = [this, now](const zone::DnsName& origin, uint32_t in_records) {
    // A master file whose serial is ahead of ours wins (the operator bumped it).
    const auto stored = serials_.get(origin);
    if (!stored) return in_records != 0 && zone::serial_greater(in_records, zone::first_serial_of_day(now)) ? in_records
                                                                                                : zone::first_serial_of_day(now);
    return serials_.next_for(origin, now, in_records ? std::optional<uint32_t>(in_records) : std::nullopt);
  };
  return o;
}

void Reloader::remember_serials(const std::vector<LoadedZone>& zones, bool archive_too) {
  for (const LoadedZone& z : zones) {
    const uint32_t s = z.zone->soa_serial();
    const auto old = serials_.get(z.zone->origin());
    if (!old || zone::serial_greater(s, *old)) serials_.set(z.zone->origin(), s);
  }
  if (std::string err = serials_.save(); !err.empty())
    server_log().error("{}; serials may go backwards after a restart (fix the state directory)", err);
  if (archive_too) archive(zones);
}

void Reloader::archive(const std::vector<LoadedZone>& zones) {
  for (const std::string& err : archive_.save(zones))
    server_log().error("{}; the last good version of that zone is not kept (fix the state directory)", err);
}

bool Reloader::archive_start_up_zones(std::chrono::milliseconds budget) {
  constexpr size_t kChunk = 8;  // zones between two looks at the clock
  const auto started = std::chrono::steady_clock::now();
  while (start_up_archived_ < start_up_zones_.size() && std::chrono::steady_clock::now() - started <= budget) {
    const size_t end = std::min(start_up_zones_.size(), start_up_archived_ + kChunk);
    std::vector<ArchiveEntry> chunk;
    for (size_t i = start_up_archived_; i < end; ++i) {
      // A zone reloaded or re-signed since was archived then, in its newer version.
      const ArchiveEntry& e = start_up_zones_[i];
      const LoadedZone* served = resigner_ ? resigner_->find(e.zone->origin()) : nullptr;
      if (!resigner_ || (served && served->zone == e.zone)) chunk.push_back(e);
    }
    for (const std::string& err : archive_.save(chunk, /*index_later=*/true))
      server_log().error("{}; the last good version of that zone is not kept (fix the state directory)", err);
    start_up_archived_ = end;
  }
  start_up_archive_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (start_up_archived_ < start_up_zones_.size()) return false;
  if (std::string err = archive_.write_pending_index(); !err.empty())
    server_log().error("{}; the last good versions written are not named yet (fix the state directory)", err);
  start_up_zones_.clear();
  start_up_zones_.shrink_to_fit();
  start_up_archived_ = 0;
  // Exporting thousands of zones leaves freed pages between live small
  // allocations; give them back (about 20 MB for 1000 signed zones).
  malloc_trim(0);
  server_log().debug("kept the start-up version of every zone in {} in {:.3f} s", archive_.dir(),
                     start_up_archive_seconds_);
  return true;
}

void Reloader::fall_back_to_archive(const Config& cfg, ZoneSetResult& res, int64_t now) {
  std::set<std::string> served;
  for (const LoadedZone& z : res.zones) served.insert(fingerprint_key(z.zone->origin()));
  bool added = false;
  for (const zone::DnsName& o : cfg.all_origins()) {
    if (!served.insert(fingerprint_key(o)).second) continue;
    std::string error;
    std::optional<LoadedZone> last = archive_.load(o, cfg.dnssec_for(o), now, &error);
    if (!error.empty()) zone_log().error("{}", error);
    if (!last) continue;
    const std::string name = without_dot(o.to_text());
    // Its errors no longer stop the start: they are the reason it is served from the archive.
    const size_t before = res.errors.size();
    std::erase_if(res.errors, [&](const std::string& e) { return error_is_about_zone(e, cfg, o); });
    zone_log().error("{}: the configuration or its files have errors (above{}); serving the last good version, "
                     "serial {}, from {}", name, before != res.errors.size() ? " and below" : "",
                     last->zone->soa_serial(), archive_.path_of(o));
    res.zones.push_back(std::move(*last));
    added = true;
  }
  if (!added || !res.errors.empty()) return;
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  for (const LoadedZone& z : res.zones) zones.push_back(z.zone);
  res.snapshot = std::make_shared<const zone::Snapshot>(std::move(zones), answer_options(cfg.server));
}

ZoneSetResult Reloader::initial_load(Config config) {
  serials_ = SerialStore(config.server.state_dir + "/serials");
  archive_ = ZoneArchive(config.server.state_dir + "/zones");
  std::vector<std::string> warnings;
  serials_.load(warnings);
  for (const auto& w : warnings) server_log().warn("{}", w);
  // Leftovers of a crash (issue 19): never loaded, moved aside.
  for (const auto& m : tidy_state_dir(config.server.state_dir)) server_log().warn("{}", m);
  for (const auto& m : archive_.tidy()) server_log().warn("{}", m);
  const int64_t t = now();
  auto cfg = std::make_shared<Config>(std::move(config));
  // The archived version of each zone is the one served before this start:
  // a zone with nothing changed keeps it (serial and signatures).
  LoadOptions options = load_options(t, [this](const zone::DnsName& o) { return archive_.load_zone(o); });
  // An unsigned master-file zone whose file has not changed since its
  // archived version was built from it is taken from there, not parsed.
  options.unchanged_master = [this](const zone::DnsName& o, const std::string& stamp) {
    return archive_.load_unchanged(o, stamp);
  };
  // Nothing is answered yet: every core loads and signs.
  options.threads = std::max(cfg->server.threads, zone::usable_cpus());
  // The files' stamps before they are read: one changed while loading is
  // loaded again at the next reload.
  ConfigFingerprints fp = fingerprint_config(*cfg);
  ZoneSetResult res = load_zones(*cfg, options);
  if (res.masters_unchanged)
    zone_log().info("{} master-file zone{} taken from {}: their files are unchanged since", res.masters_unchanged,
                    res.masters_unchanged == 1 ? "" : "s", archive_.dir());
  fall_back_to_archive(*cfg, res, t);
  for (LoadedZone& z : res.zones) {
    const auto before = serials_.get(z.zone->origin());
    if (before && *before == z.zone->soa_serial()) unchanged_at_start_.insert(std::string(z.zone->origin().lookup_form()));
    if (z.replaces && z.replaces->soa_serial() != z.zone->soa_serial()) start_up_changes_.emplace_back(z.replaces, z.zone);
    z.replaces.reset();
  }
  if (res.snapshot) {
    // Serials now (a crash must not lower them); the archive once serving
    // (archive_start_up_zones, on the reload thread): it is not needed to
    // answer and may write thousands of files.
    remember_serials(res.zones, /*archive=*/false);
    for (const LoadedZone& z : res.zones) start_up_zones_.push_back(ArchiveEntry{z.zone, z.source_stamp});
  }
  running_ = cfg->server;
  for (const auto& d : cfg->mail_domains) tlsa_.check(d, nullptr);  // remember the certificates' keys
  for (const LoadedZone& z : res.zones) {
    const std::string key = fingerprint_key(z.zone->origin());
    meta_[key] = ZoneMeta{std::move(fp.zones[key]), cfg};
  }
  watched_files_ = std::move(fp.files);
  config_ = std::move(cfg);
  return res;
}

void Reloader::attach(SnapshotHolder& snapshots, Resigner& resigner) {
  snapshots_ = &snapshots;
  resigner_ = &resigner;
  resigner.set_before_publish([this](const std::vector<LoadedZone>& zones) { remember_serials(zones); });
}

void Reloader::tick(int64_t t) {
  if (resigner_) resigner_->resign_due(t);
}

std::optional<int64_t> Reloader::next_due() const { return resigner_ ? resigner_->next_due() : std::nullopt; }

std::vector<std::string> Reloader::watched_files() const { return watched_files_; }

ReloadOutcome Reloader::reload(const std::string& reason) {
  const auto started = std::chrono::steady_clock::now();
  ReloadOutcome out;
  out.reason = reason;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  std::shared_ptr<const Config> cfg = read_config(out);
  if (!cfg) {
    out.seconds = elapsed();
    return out;
  }
  ConfigFingerprints fp = fingerprint_config(*cfg);
  if (out.config_kept) {
    // The same zones with the same entries: only those whose files changed
    // are looked at, and published as `mailns reload ZONE` does.
    reload_changed_files(fp, out);
    watched_files_ = std::move(fp.files);
    out.seconds = elapsed();
    log_outcome(out);
    return out;
  }
  CurrentZones current;  // the served zones by key, as the resigner has them now
  for (const LoadedZone& z : resigner_->zones()) current[fingerprint_key(z.zone->origin())] = &z;
  const std::set<std::string> changed = changed_zones(*cfg, fp, current);
  std::vector<zone::DnsName> changed_origins;
  for (const zone::DnsName& o : cfg->all_origins())
    if (changed.count(fingerprint_key(o))) changed_origins.push_back(o);
  std::vector<std::string> load_errors;
  std::map<std::string, LoadedZone> rebuilt = rebuild(cfg, changed_origins, current, load_errors);

  NextZones next;
  std::set<std::string> served;
  for (const zone::DnsName& o : cfg->all_origins()) {
    const std::string key = fingerprint_key(o);
    if (!served.insert(key).second) continue;
    const auto cur = current.find(key);
    const LoadedZone* old = cur == current.end() ? nullptr : cur->second;
    auto r = rebuilt.find(key);
    if (!changed.count(key)) out.zones.push_back(keep_unchanged(*old, o, fp.zones[key], cfg, next));
    else if (r != rebuilt.end()) out.zones.push_back(take_rebuilt(std::move(r->second), old, o, fp.zones[key], cfg, next, out));
    else out.zones.push_back(keep_failed(old, o, load_errors, cfg, next, out.reason));
  }
  for (const auto& [key, z] : current)
    if (!served.count(key)) {
      ZoneOutcome zo;
      zo.zone = without_dot(key);
      zo.status = ZoneOutcome::Status::kRemoved;
      out.zones.push_back(std::move(zo));
    }
  // The new configuration is config() from here: the publication's
  // observers (SnapshotHolder::add_before_swap) read the one it comes from.
  config_ = cfg;
  out.published = publish(std::move(next.zones), out, next.from_archive);
  meta_ = std::move(next.meta);
  watched_files_ = std::move(fp.files);
  out.seconds = elapsed();
  log_outcome(out);
  return out;
}

ReloadOutcome Reloader::reload_zones(const std::vector<std::string>& names, const std::string& reason) {
  const auto started = std::chrono::steady_clock::now();
  ReloadOutcome out;
  out.reason = reason;
  const std::vector<zone::DnsName> origins = requested_zones(names, out);
  if (!out.request_errors.empty()) {
    for (const auto& e : out.request_errors) server_log().error("reload ({}): {}", reason, e);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
  }
  std::map<std::string, std::string> fingerprints;
  for (const zone::DnsName& o : origins) {
    std::vector<std::string> files;
    fingerprints[fingerprint_key(o)] = zone_fingerprint(*config_, o, &files).value_or("?");
    for (const std::string& f : files) {  // the watched files stay sorted and unique
      auto at = std::lower_bound(watched_files_.begin(), watched_files_.end(), f);
      if (at == watched_files_.end() || *at != f) watched_files_.insert(at, f);
    }
  }
  reload_listed(origins, fingerprints, out);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log_outcome(out);
  return out;
}

void Reloader::reload_changed_files(ConfigFingerprints& fp, ReloadOutcome& out) {
  std::vector<zone::DnsName> listed;
  std::map<std::string, std::string> fingerprints;
  std::set<std::string> seen;
  for (const zone::DnsName& o : config_->all_origins()) {
    const std::string key = fingerprint_key(o);
    if (!seen.insert(key).second) continue;
    const std::string& fingerprint = fp.zones[key];
    const auto m = meta_.find(key);
    const LoadedZone* served = resigner_->find(o);
    if (served && m != meta_.end() && m->second.fingerprint == fingerprint) {
      out.zones.push_back(ZoneOutcome{without_dot(o.to_text()), ZoneOutcome::Status::kUnchanged,
                                      served->zone->soa_serial(), {}});
      continue;
    }
    listed.push_back(o);
    fingerprints[key] = fingerprint;
  }
  if (!listed.empty()) reload_listed(listed, fingerprints, out);
}

void Reloader::reload_listed(const std::vector<zone::DnsName>& origins,
                             const std::map<std::string, std::string>& fingerprints, ReloadOutcome& out) {
  const std::string& reason = out.reason;
  CurrentZones current;  // the served versions of these zones only
  for (const zone::DnsName& o : origins)
    if (const LoadedZone* z = resigner_->find(o)) current[fingerprint_key(o)] = z;
  std::vector<zone::DnsName> changed;
  for (const zone::DnsName& o : origins) {
    const std::string key = fingerprint_key(o);
    auto m = meta_.find(key);
    if (m == meta_.end() || m->second.fingerprint != fingerprints.at(key) || !current.count(key)) changed.push_back(o);
  }
  std::vector<std::string> load_errors;
  std::map<std::string, LoadedZone> rebuilt = rebuild(config_, changed, current, load_errors);
  NextZones next;
  for (const zone::DnsName& o : origins) {
    const std::string key = fingerprint_key(o);
    const auto cur = current.find(key);
    const LoadedZone* old = cur == current.end() ? nullptr : cur->second;
    auto r = rebuilt.find(key);
    if (std::find(changed.begin(), changed.end(), o) == changed.end())
      out.zones.push_back(keep_unchanged(*old, o, fingerprints.at(key), config_, next));
    else if (r != rebuilt.end())
      out.zones.push_back(take_rebuilt(std::move(r->second), old, o, fingerprints.at(key), config_, next, out));
    else
      out.zones.push_back(keep_failed(old, o, load_errors, config_, next, reason));
  }
  out.published = publish_some(std::move(next.zones), out, next.from_archive);
  for (auto& [key, meta] : next.meta) meta_[key] = std::move(meta);
}

std::vector<zone::DnsName> Reloader::requested_zones(const std::vector<std::string>& names,
                                                     ReloadOutcome& out) const {
  std::vector<zone::DnsName> origins;
  for (const std::string& n : names) {
    std::string error;
    auto name = zone::DnsName::from_text(n, &error);
    if (!name) out.request_errors.push_back("'" + n + "' is not a domain name: " + error);
    else if (std::find(origins.begin(), origins.end(), *name) == origins.end()) origins.push_back(*name);
  }
  if (origins.empty() && out.request_errors.empty()) out.request_errors.push_back("no zone named");
  std::vector<zone::DnsName> missing;
  (void)config_subset(*config_, origins, &missing);
  for (const zone::DnsName& m : missing)
    out.request_errors.push_back(without_dot(m.to_text()) + ": not a zone of the configuration loaded last (" + path_ +
                                 " as of the last full reload: zones:, mail_domains:, reverse_zones:); nothing was "
                                 "reloaded (a zone added to the file needs `mailns reload` without a zone name)");
  return origins;
}

std::shared_ptr<const Config> Reloader::read_config(ReloadOutcome& out) {
  const std::string& reason = out.reason;
  // Nothing to parse when no file of it changed: a reload with one zone
  // file changed among 100,000 costs their stamps, not the YAML.
  if (inputs_unchanged(config_->inputs)) {
    out.config_kept = true;
    return config_;
  }
  ConfigResult parsed = load_config(path_);
  if (!parsed.config) {
    out.config_errors = std::move(parsed.errors);
    for (const auto& e : out.config_errors) server_log().error("reload ({}): {}", reason, e);
    server_log().error("reload ({}): {} configuration error{}; still serving the last good configuration", reason,
                       out.config_errors.size(), out.config_errors.size() == 1 ? "" : "s");
    return nullptr;
  }
  if (!listen_override_.empty()) (void)apply_listen_override(*parsed.config, listen_override_);
  auto cfg = std::make_shared<const Config>(std::move(*parsed.config));
  if (std::string d = settings_diff(running_, cfg->server, listen_override_.empty()); !d.empty()) {
    out.needs_restart.push_back(d);
    server_log().warn("reload ({}): server settings changed ({}); they need a restart and are not applied", reason, d);
  }
  if (cfg->server.log_level != config_->server.log_level) init_logging(cfg->server.log_level);
  return cfg;
}

std::set<std::string> Reloader::changed_zones(const Config& cfg, ConfigFingerprints& fp,
                                              const CurrentZones& current) const {
  std::set<std::string> changed;
  for (const zone::DnsName& o : cfg.all_origins()) {
    const std::string key = fingerprint_key(o);
    auto m = meta_.find(key);
    if (m == meta_.end() || m->second.fingerprint != fp.zones[key] || !current.count(key)) changed.insert(key);
  }
  return changed;
}

std::map<std::string, LoadedZone> Reloader::rebuild(const std::shared_ptr<const Config>& cfg,
                                                    const std::vector<zone::DnsName>& changed,
                                                    const CurrentZones& current,
                                                    std::vector<std::string>& load_errors) {
  std::map<std::string, LoadedZone> rebuilt;
  if (changed.empty()) return rebuilt;
  // The changed zones, loaded from a copy of the config that has only them
  // (reverse zones need every mail domain's hosts: then all mail domains
  // are synthesized, and only the changed ones kept).
  const Config partial = config_subset(*cfg, changed);
  std::set<std::string> keys;
  for (const zone::DnsName& o : changed) keys.insert(fingerprint_key(o));
  ZoneSetResult res = load_zones(partial, load_options(now(), [&current](const zone::DnsName& o) {
                                   auto it = current.find(fingerprint_key(o));
                                   return it == current.end() ? nullptr : it->second->zone;
                                 }));
  for (const auto& e : res.events) dnssec_log().info("{}", e);
  for (const auto& w : res.warnings) zone_log().warn("{}", w);
  for (auto& e : res.errors) load_errors.push_back(std::move(e));
  for (auto& e : res.domain_errors) load_errors.push_back(std::move(e));
  for (LoadedZone& z : res.zones) {
    z.replaces.reset();  // the journal takes the difference at publication, from the served version
    const std::string key = fingerprint_key(z.zone->origin());
    if (!keys.count(key)) continue;
    if (z.signing) z.signing->settings = &cfg->dnssec_for(z.zone->origin());
    rebuilt.emplace(key, std::move(z));
  }
  return rebuilt;
}

ZoneOutcome Reloader::keep_unchanged(const LoadedZone& current, const zone::DnsName& origin,
                                     const std::string& fingerprint, const std::shared_ptr<const Config>& cfg,
                                     NextZones& next) {
  ZoneOutcome zo;
  zo.zone = without_dot(origin.to_text());
  LoadedZone z = current;
  if (z.signing) z.signing->settings = &cfg->dnssec_for(origin);
  zo.serial = z.zone->soa_serial();
  next.zones.push_back(std::move(z));
  next.meta[fingerprint_key(origin)] = ZoneMeta{fingerprint, cfg};
  return zo;
}

ZoneOutcome Reloader::take_rebuilt(LoadedZone rebuilt, const LoadedZone* current, const zone::DnsName& origin,
                                   const std::string& fingerprint, const std::shared_ptr<const Config>& cfg,
                                   NextZones& next, ReloadOutcome& out) {
  ZoneOutcome zo;
  zo.zone = without_dot(origin.to_text());
  zo.status = current ? ZoneOutcome::Status::kLoaded : ZoneOutcome::Status::kAdded;
  for (const auto& d : cfg->mail_domains) {
    if (d.domain != origin) continue;
    // RFC 7671 8.1: a certificate whose key was not in DNS breaks DANE
    // until the cached TLSA set expires; say so loudly.
    for (const TlsaChange& c : tlsa_.check(d, current ? current->zone.get() : nullptr)) {
      if (c.broken) zone_log().error("reload ({}): {}", out.reason, c.message);
      else zone_log().info("reload ({}): {}", out.reason, c.message);
      out.warnings.push_back(c.message);
    }
  }
  zo.serial = rebuilt.zone->soa_serial();
  next.zones.push_back(std::move(rebuilt));
  next.meta[fingerprint_key(origin)] = ZoneMeta{fingerprint, cfg};
  return zo;
}

ZoneOutcome Reloader::keep_failed(const LoadedZone* current, const zone::DnsName& origin,
                                  const std::vector<std::string>& load_errors,
                                  const std::shared_ptr<const Config>& cfg, NextZones& next,
                                  const std::string& reason) {
  ZoneOutcome zo;
  zo.zone = without_dot(origin.to_text());
  zo.status = ZoneOutcome::Status::kFailed;
  zo.errors = errors_about(load_errors, *cfg, origin);
  std::optional<LoadedZone> archived;
  if (!current) {
    std::string error;
    archived = archive_.load(origin, cfg->dnssec_for(origin), now(), &error);
    if (!error.empty()) zo.errors.push_back(error);
    if (archived) current = &*archived;
    next.from_archive |= archived.has_value();
  }
  if (current) {
    // Keep the last good version, and its fingerprint: the next reload tries again.
    const std::string key = fingerprint_key(origin);
    next.zones.push_back(*current);
    zo.serial = current->zone->soa_serial();
    next.meta[key] = archived ? ZoneMeta{"failed", cfg} : meta_[key];
    next.meta[key].fingerprint = "failed";
  }
  for (const auto& e : zo.errors)
    zone_log().error("reload ({}): {}: {} ({})", reason, zo.zone, e,
                     current ? "still serving serial " + std::to_string(zo.serial) : "not served");
  return zo;
}

bool Reloader::publish(std::vector<LoadedZone> next, const ReloadOutcome& out, bool any_change) {
  for (const auto& z : out.zones)
    if (z.status == ZoneOutcome::Status::kLoaded || z.status == ZoneOutcome::Status::kAdded ||
        z.status == ZoneOutcome::Status::kRemoved)
      any_change = true;
  if (!any_change) {
    resigner_->set_zones(std::move(next));  // the settings pointers now point into the new config
    return false;
  }
  // Serials on disk first: after a crash right after publishing, the
  // restart must not serve a lower serial. The archive once served.
  remember_serials(next, /*archive_too=*/false);
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  zones.reserve(next.size());
  for (const LoadedZone& z : next) zones.push_back(z.zone);
  // The same zones as served: the served snapshot with the new versions
  // (its indexes mostly shared); otherwise one built anew.
  bool same_zones = zones.size() == resigner_->zones().size();
  for (const auto& z : out.zones)
    same_zones &= z.status != ZoneOutcome::Status::kAdded && z.status != ZoneOutcome::Status::kRemoved;
  snapshots_->publish(same_zones ? snapshots_->owner()->with_zones(zones)
                                 : std::make_shared<const zone::Snapshot>(std::move(zones), answer_options(running_)));
  archive(next);
  resigner_->set_zones(std::move(next));
  return true;
}

bool Reloader::publish_some(std::vector<LoadedZone> zones, const ReloadOutcome& out, bool any_change) {
  for (const auto& z : out.zones)
    any_change |= z.status == ZoneOutcome::Status::kLoaded || z.status == ZoneOutcome::Status::kAdded;
  if (!any_change) {
    resigner_->replace_zones(std::move(zones));
    return false;
  }
  // Their serials on disk before they are served, as publish() does, but
  // appended: the cost of a few zones does not grow with the zones served.
  std::vector<zone::DnsName> origins;
  for (const LoadedZone& z : zones) {
    const auto old = serials_.get(z.zone->origin());
    if (!old || zone::serial_greater(z.zone->soa_serial(), *old)) {
      serials_.set(z.zone->origin(), z.zone->soa_serial());
      origins.push_back(z.zone->origin());
    }
  }
  if (std::string err = serials_.append(origins); !err.empty())
    server_log().error("{}; serials may go backwards after a restart (fix the state directory)", err);
  std::vector<std::shared_ptr<const zone::Zone>> versions;
  for (const LoadedZone& z : zones) versions.push_back(z.zone);
  auto snap = snapshots_->owner()->with_zones(versions);
  snapshots_->publish(std::move(snap));
  // The last good versions once they are served: the archive is not needed
  // to answer (a crash before it is written is a start's usual case: the
  // archived version is then not the last served, zone_loader.hpp).
  archive(zones);
  resigner_->replace_zones(std::move(zones));
  return true;
}

void Reloader::log_outcome(const ReloadOutcome& out) {
  size_t n_changed = 0, n_failed = 0;
  for (const auto& z : out.zones) {
    if (z.status == ZoneOutcome::Status::kFailed) ++n_failed;
    else if (z.status != ZoneOutcome::Status::kUnchanged) {
      ++n_changed;
      zone_log().info("reload ({}): {} {}{}", out.reason, z.zone, to_string(z.status),
                      z.serial ? ", serial " + std::to_string(z.serial) : std::string());
    }
  }
  server_log().info("reload ({}): {} zone{} changed, {} failed, {} unchanged in {:.3f} s{}", out.reason, n_changed,
                    n_changed == 1 ? "" : "s", n_failed, out.zones.size() - n_changed - n_failed, out.seconds,
                    out.config_kept ? " (configuration files unchanged: not parsed again)" : "");
}

}  // namespace mailns::server
