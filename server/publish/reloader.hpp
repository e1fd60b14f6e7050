// Reloader: applies a changed configuration to a running server. It reads
// the config again (typed, as at start), fingerprints every zone
// (server/zone_fingerprint) and rebuilds and re-signs only the zones whose
// entry or referenced files changed; the others keep their Zone object. The
// new zone set is published with one SnapshotHolder::publish. A zone whose
// rebuild fails (lint error, unreadable key or certificate, broken master
// file) keeps serving its last good version, and the next reload tries it
// again; a configuration that does not parse changes nothing. Every error
// keeps its file:line.
//
// Serials: a rebuilt zone gets the next YYYYMMDDnn serial after the last one
// served (server/serial_store, persisted in state_dir before publishing);
// an unchanged zone keeps its serial. Settings that need a restart (listen,
// threads, TCP limits, udp_payload, state_dir, control_socket) are reported
// and not applied; log_level is applied.
//
// Threading: one thread (the reload queue's) calls reload() and tick(); it
// also drives the Resigner (tick), so the zone list has a single owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/config/config.hpp"
#include "server/publish/tlsa_watch.hpp"
#include "server/publish/resigner.hpp"
#include "server/publish/serial_store.hpp"
#include "server/publish/zone_archive.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/publish/zone_fingerprint.hpp"
#include "server/publish/zone_loader.hpp"

namespace mailns::server {

struct ZoneOutcome {
  enum class Status { kLoaded, kAdded, kUnchanged, kFailed, kRemoved };
  std::string zone;  // without the final dot
  Status status = Status::kUnchanged;
  uint32_t serial = 0;              // as served after the reload (0: not served)
  std::vector<std::string> errors;  // file:line messages (kFailed)
};

const char* to_string(ZoneOutcome::Status s) noexcept;

struct ReloadOutcome {
  std::string reason;
  std::vector<std::string> config_errors;  // the config did not parse: nothing changed
  std::vector<std::string> request_errors;  // `mailns reload ZONE` named a zone not served: nothing changed
  std::vector<std::string> needs_restart;  // settings changed but not applied
  // The configuration's files had their stamps of the last reading: the
  // configuration in use was kept, not parsed again (file_stamp.hpp).
  bool config_kept = false;
  std::vector<std::string> warnings;
  std::vector<std::string> errors;  // a part of the service kept its old state (e.g. certificates)
  std::vector<ZoneOutcome> zones;
  bool published = false;
  double seconds = 0;

  bool failed() const noexcept;
  // One line per zone that changed or failed ("example.org: loaded, serial
  // 2026010203", its errors below it; verbose: the unchanged ones too),
  // then "reload: ok|failed (...)": what `mailns reload` prints.
  std::string text(bool verbose = false) const;
};

class Reloader {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds

  // listen_override: serve's --listen values (then the config's listen: is
  // not compared). clock: nullptr = the real clock.
  Reloader(std::string config_path, std::vector<std::string> listen_override, Clock clock = nullptr);

  // Start-up: loads every zone of config as serve always did, with the
  // persisted serials, and remembers the fingerprints. The result is what
  // load_zones returns (serve logs it and builds the SnapshotHolder and the
  // Resigner from it, then calls attach()).
  ZoneSetResult initial_load(Config config);
  void attach(SnapshotHolder& snapshots, Resigner& resigner);

  // Re-reads the config and applies it (see above). After attach().
  ReloadOutcome reload(const std::string& reason);
  // `mailns reload ZONE...`: only these zones (names as the operator wrote
  // them), with the configuration loaded last (its file is not read). Each
  // one whose fingerprint changed is loaded, signed and published into the
  // served snapshot beside the other zones, which are not looked at: new
  // serial, IXFR journal and NOTIFY as a reload gives. The others are
  // reported unchanged. A name that is not a zone of that configuration
  // fails the request before anything is loaded. After attach().
  ReloadOutcome reload_zones(const std::vector<std::string>& names, const std::string& reason);
  // Writes the zones of initial_load() to the archive (on the reload
  // thread, once serving), for about `budget` per call, so that a reload
  // requested meanwhile waits for one slice, not for all of them (the
  // index is written once, with the last slice); a zone whose served
  // version has changed since is left to the reload that changed it. True
  // once all are done.
  bool archive_start_up_zones(std::chrono::milliseconds budget = std::chrono::hours(24));
  // Re-signs the zones that are due (Resigner::resign_due).
  void tick(int64_t now);
  // The zones whose serial at start is the one served before it (lookup
  // forms): the secondaries have them, so no NOTIFY is sent for them.
  // Handed over once.
  std::set<std::string> take_unchanged_at_start() { return std::move(unchanged_at_start_); }
  // The zones whose version at start replaced the archived one with another
  // serial: (archived, served) pairs, handed over once (for the IXFR journal).
  using VersionChange = std::pair<std::shared_ptr<const zone::Zone>, std::shared_ptr<const zone::Zone>>;
  std::vector<VersionChange> take_start_up_changes() { return std::move(start_up_changes_); }
  // When tick() has work next (nullopt: nothing scheduled).
  std::optional<int64_t> next_due() const;

  // Every file the current config references (the config itself included),
  // for the file watcher.
  std::vector<std::string> watched_files() const;
  const Config& config() const noexcept { return *config_; }
  std::shared_ptr<const Config> shared_config() const noexcept { return config_; }
  int64_t now() const { return clock_ ? clock_() : static_cast<int64_t>(std::time(nullptr)); }

 private:
  struct ZoneMeta {
    std::string fingerprint;
    std::shared_ptr<const Config> config;  // the config its ZoneSigning::settings point into
  };
  // previous: the version each zone compares with (load_zones' previous_for).
  LoadOptions load_options(int64_t now, std::function<std::shared_ptr<const zone::Zone>(const zone::DnsName&)> previous);
  // Persists the zones' serials and (archive_too) their versions.
  void remember_serials(const std::vector<LoadedZone>& zones, bool archive_too = true);
  void archive(const std::vector<LoadedZone>& zones);
  // Zones of cfg that load_zones left out (errors) and that have a last good
  // version in the archive: served from it, their errors kept in the log.
  void fall_back_to_archive(const Config& cfg, ZoneSetResult& res, int64_t now);

  // The steps of reload(): the new configuration (nullptr: it has errors,
  // in out); the zones whose fingerprint changed; those zones loaded again;
  // what each served zone becomes (the next set of zones and their
  // fingerprints); publishing it; the summary in the log.
  using CurrentZones = std::map<std::string, const LoadedZone*>;  // by fingerprint_key
  struct NextZones {
    std::vector<LoadedZone> zones;
    std::map<std::string, ZoneMeta> meta;
    bool from_archive = false;  // a zone not served before is served from its last good version
  };
  std::shared_ptr<const Config> read_config(ReloadOutcome& out);
  std::set<std::string> changed_zones(const Config& cfg, ConfigFingerprints& fp, const CurrentZones& current) const;
  // The changed zones loaded again from cfg (by fingerprint key), each
  // against its version in current.
  std::map<std::string, LoadedZone> rebuild(const std::shared_ptr<const Config>& cfg,
                                            const std::vector<zone::DnsName>& changed, const CurrentZones& current,
                                            std::vector<std::string>& load_errors);
  // The steps of reload_zones(): the zones named (with the request's
  // errors in out); publishing the ones that changed into the served snapshot.
  std::vector<zone::DnsName> requested_zones(const std::vector<std::string>& names, ReloadOutcome& out) const;
  bool publish_some(std::vector<LoadedZone> zones, const ReloadOutcome& out, bool any_change);
  // Loads the zones of origins whose fingerprint (by fingerprint_key)
  // differs from the served version's and publishes them beside the others.
  void reload_listed(const std::vector<zone::DnsName>& origins,
                     const std::map<std::string, std::string>& fingerprints, ReloadOutcome& out);
  // A full reload whose configuration was kept: the zones whose files
  // changed (fp) go through reload_listed, the others are reported unchanged.
  void reload_changed_files(ConfigFingerprints& fp, ReloadOutcome& out);
  ZoneOutcome keep_unchanged(const LoadedZone& current, const zone::DnsName& origin, const std::string& fingerprint,
                             const std::shared_ptr<const Config>& cfg, NextZones& next);
  ZoneOutcome take_rebuilt(LoadedZone rebuilt, const LoadedZone* current, const zone::DnsName& origin,
                           const std::string& fingerprint, const std::shared_ptr<const Config>& cfg, NextZones& next,
                           ReloadOutcome& out);
  ZoneOutcome keep_failed(const LoadedZone* current, const zone::DnsName& origin,
                          const std::vector<std::string>& load_errors, const std::shared_ptr<const Config>& cfg,
                          NextZones& next, const std::string& reason);
  bool publish(std::vector<LoadedZone> next, const ReloadOutcome& out, bool any_change);
  static void log_outcome(const ReloadOutcome& out);

  std::string path_;
  std::vector<std::string> listen_override_;
  Clock clock_;
  std::shared_ptr<const Config> config_;
  ServerSettings running_;  // as started (after --listen)
  std::vector<std::string> watched_files_;  // sorted, unique (ConfigFingerprints::files)
  TlsaWatch tlsa_;  // certificate keys per mail host, for DANE rollover warnings
  std::map<std::string, ZoneMeta> meta_;  // by fingerprint_key
  SerialStore serials_;
  ZoneArchive archive_;  // the last good version of every zone (never dark)
  std::set<std::string> unchanged_at_start_;
  std::vector<VersionChange> start_up_changes_;
  std::vector<ArchiveEntry> start_up_zones_;  // to archive once serving (no records copied)
  size_t start_up_archived_ = 0;                                   // how many of them are done
  double start_up_archive_seconds_ = 0;
  SnapshotHolder* snapshots_ = nullptr;
  Resigner* resigner_ = nullptr;
};

}  // namespace mailns::server
