// Resigner: keeps the signatures of signed zones fresh while the server runs.
// Its own thread sleeps until the earliest zone is due (its RRSIGs expire
// within refresh_before, or a key rollover step is scheduled), then re-signs
// the due zones: keys re-read from the key store (so a rollover requested
// with `mailns dnssec rollover` is picked up), rollovers advanced and saved,
// a new SOA serial (server/soa_serial), the zone rebuilt, and a new Snapshot
// published through the SnapshotHolder with the other zones unchanged. The
// workers' io_contexts are never involved; a zone that fails to re-sign
// keeps being served as it was and is tried again a minute later.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/net/snapshot_holder.hpp"
#include "server/publish/zone_loader.hpp"

namespace mailns::server {

class Resigner {
 public:
  // zones: everything the snapshot serves, in its order (signed or not).
  // threads: signing threads for a re-sign run.
  Resigner(std::vector<LoadedZone> zones, SnapshotHolder& snapshots, zone::AnswerOptions options, unsigned threads);
  ~Resigner();
  Resigner(const Resigner&) = delete;
  Resigner& operator=(const Resigner&) = delete;

  // Starts the timer thread (does nothing when no zone is signed).
  void start();
  // Stops and joins it; a re-sign run in progress finishes first.
  void stop() noexcept;

  // One pass at `now`: re-signs the zones due by then and publishes a new
  // snapshot when any changed. Returns how many were re-signed. Called by
  // the thread; tests call it directly (without start()).
  size_t resign_due(int64_t now);
  // When the next zone is due; nullopt when none is signed.
  std::optional<int64_t> next_due() const;

  // For the reloader, which calls resign_due() from its own thread instead
  // of start() (so the zone list has one owner): the zones as served, and
  // their replacement after a reload (the caller publishes the snapshot).
  const std::vector<LoadedZone>& zones() const noexcept { return zones_; }
  void set_zones(std::vector<LoadedZone> zones);
  // Puts these zones in the places of the ones with the same origins (at
  // the end when there is none): `mailns reload ZONE`.
  void replace_zones(std::vector<LoadedZone> zones);
  // The zone served with this origin; nullptr when none is. One hash lookup.
  const LoadedZone* find(const zone::DnsName& origin) const;
  // Called with the new zone list right before a re-sign run publishes it
  // (the reloader persists the new serials there).
  void set_before_publish(std::function<void(const std::vector<LoadedZone>&)> fn) { before_publish_ = std::move(fn); }

 private:
  // A zone whose re-signing failed: logged with when its served signatures
  // expire, and tried again after a back-off.
  void retry_later(LoadedZone& z, const zone::DnsName& origin, const std::vector<std::string>& errors, int64_t now);
  void run();
  std::shared_ptr<const zone::Snapshot> next_snapshot(const std::vector<std::shared_ptr<const zone::Zone>>& versions) const;

  void index_zones();

  std::vector<LoadedZone> zones_;
  std::unordered_map<std::string, size_t> position_;  // zones_' index by lookup form of the origin
  SnapshotHolder& snapshots_;
  zone::AnswerOptions options_;
  unsigned threads_;
  mutable std::mutex mu_;  // guards stop_ (zones_ belongs to the timer thread)
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  std::function<void(const std::vector<LoadedZone>&)> before_publish_;
};

}  // namespace mailns::server
