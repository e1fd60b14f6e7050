#include "server/publish/resigner.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "server/logging.hpp"
#include "zone/signature_expiry.hpp"
#include "zone/soa_serial.hpp"

namespace mailns::server {

namespace {
constexpr int64_t kRetrySeconds = 60;
constexpr int64_t kMaxRetrySeconds = 3600;

}  // namespace

Resigner::Resigner(std::vector<LoadedZone> zones, SnapshotHolder& snapshots, zone::AnswerOptions options,
                   unsigned threads)
    : zones_(std::move(zones)), snapshots_(snapshots), options_(options), threads_(threads == 0 ? 1 : threads) {
  index_zones();
}

void Resigner::index_zones() {
  position_.clear();
  position_.reserve(zones_.size());
  for (size_t i = 0; i < zones_.size(); ++i) position_[std::string(zones_[i].zone->origin().lookup_form())] = i;
}

void Resigner::set_zones(std::vector<LoadedZone> zones) {
  zones_ = std::move(zones);
  index_zones();
}

const LoadedZone* Resigner::find(const zone::DnsName& origin) const {
  auto it = position_.find(std::string(origin.lookup_form()));
  return it == position_.end() ? nullptr : &zones_[it->second];
}

Resigner::~Resigner() { stop(); }

void Resigner::start() {
  if (thread_.joinable() || !next_due()) return;
  stop_ = false;
  // As the workers: SIGINT/SIGTERM go to the main thread, not into the
  // middle of a key file write here.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  dnssec_log().info("re-signing scheduled; first run at {}", utc_text(*next_due()));
}

void Resigner::stop() noexcept {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<int64_t> Resigner::next_due() const {
  std::optional<int64_t> next;
  for (const LoadedZone& z : zones_)
    if (z.signing && z.signing->next_resign != 0 && (!next || z.signing->next_resign < *next))
      next = z.signing->next_resign;
  return next;
}

void Resigner::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto next = next_due();
    if (!next) break;
    const auto at = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(*next));
    if (cv_.wait_until(lock, at, [this] { return stop_; })) break;
    lock.unlock();
    // The system clock may have been set back while waiting: then nothing
    // is due yet and the loop waits again.
    resign_due(static_cast<int64_t>(std::time(nullptr)));
    lock.lock();
  }
}

void Resigner::retry_later(LoadedZone& z, const zone::DnsName& origin, const std::vector<std::string>& errors,
                           int64_t now) {
  // Back-off: 1, 2, 4 ... minutes, at most an hour, but never past the
  // moment the served signatures expire.
  const unsigned doublings = std::min(z.signing->failures, 6u);
  int64_t delay = std::min<int64_t>(kRetrySeconds << doublings, kMaxRetrySeconds);
  const auto expires = zone::earliest_signature_expiration(*z.zone);
  if (expires && *expires > now) delay = std::min(delay, std::max<int64_t>(kRetrySeconds, *expires - now));
  ++z.signing->failures;
  const std::string expiry = !expires ? std::string("it has no signatures")
                             : *expires <= now ? "its served signatures EXPIRED at " + utc_text(*expires) +
                                                     ": validating resolvers answer SERVFAIL for it"
                                               : "its served signatures expire at " + utc_text(*expires);
  for (const auto& e : errors)
    dnssec_log().error("{}: re-signing failed (attempt {}): {}; still serving serial {}; {}; trying again in {} s",
                       origin.to_text(), z.signing->failures, without_zone_prefix(e, origin), z.zone->soa_serial(),
                       expiry, delay);
  z.signing->next_resign = now + delay;
}

void Resigner::replace_zones(std::vector<LoadedZone> zones) {
  for (LoadedZone& z : zones) {
    auto [it, added] = position_.emplace(std::string(z.zone->origin().lookup_form()), zones_.size());
    if (added) zones_.push_back(std::move(z));
    else zones_[it->second] = std::move(z);
  }
}

// The served snapshot with the re-signed versions in place (its indexes
// mostly shared: the cost follows the zones re-signed, not the zones
// served); built whole when nothing is served yet.
std::shared_ptr<const zone::Snapshot> Resigner::next_snapshot(
    const std::vector<std::shared_ptr<const zone::Zone>>& versions) const {
  if (auto served = snapshots_.owner()) return served->with_zones(versions);
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  zones.reserve(zones_.size());
  for (const LoadedZone& z : zones_) zones.push_back(z.zone);
  return std::make_shared<const zone::Snapshot>(std::move(zones), options_);
}

size_t Resigner::resign_due(int64_t now) {
  std::vector<size_t> due;
  for (size_t i = 0; i < zones_.size(); ++i) {
    const auto& s = zones_[i].signing;
    if (s && s->next_resign != 0 && s->next_resign <= now) due.push_back(i);
  }
  if (due.empty()) return 0;

  std::vector<SignJob> jobs;
  jobs.reserve(due.size());
  for (size_t i : due) {
    const LoadedZone& z = zones_[i];
    SignJob job(z.zone->origin(), z.signing->records.unpack(), *z.signing->settings);
    // Every re-signed version is a new version for secondaries (RFC 1982);
    // only the signatures that are due are made anew.
    set_soa_serial(job.records, job.origin, zone::next_serial(z.zone->soa_serial(), now));
    job.previous = z.zone;
    jobs.push_back(std::move(job));
  }
  const SignStats stats = sign_jobs(jobs, KeyAccess::kExisting, now, threads_);

  size_t resigned = 0;
  std::vector<std::shared_ptr<const zone::Zone>> versions;  // the re-signed ones
  for (size_t j = 0; j < jobs.size(); ++j) {
    SignJob& job = jobs[j];
    LoadedZone& z = zones_[due[j]];
    for (const auto& e : job.events) dnssec_log().info("{}", e);
    for (const auto& w : job.warnings) dnssec_log().warn("{}", w);
    std::vector<std::string> errors;
    std::shared_ptr<const zone::Zone> built;
    if (job.error.empty() && job.unchanged && !job.online_signer) {
      // Nothing was due after all (a rollover step that changed nothing):
      // the served version stays, serial included.
      z.signing->failures = 0;
      z.signing->next_resign = std::max(job.next_resign.value_or(0), now + 1);
      continue;
    }
    if (job.error.empty()) {
      std::vector<std::string> warnings;
      built = build_zone(job.origin, std::move(job.signed_records), errors, warnings, job.online_signer);
      if (built) built->attach_documents(z.zone->documents());  // the same policy documents as before
    } else {
      errors.push_back(job.error);
    }
    if (!built) {
      retry_later(z, job.origin, errors, now);
      continue;
    }
    z.signing->failures = 0;
    z.zone = std::move(built);
    versions.push_back(z.zone);
    z.signing->records = zone::PackedRecords(job.records);
    z.signing->signatures = job.signatures;
    // Never "due again right now": that would spin.
    z.signing->next_resign = std::max(job.next_resign.value_or(0), now + 1);
    ++resigned;
    // Per zone at debug: with many zones, one info line per run is enough.
    dnssec_log().debug("{}: re-signed, serial {}, {} signatures made, {} kept; next re-sign at {}",
                       job.origin.to_text(), z.zone->soa_serial(), job.signatures, job.reused,
                       utc_text(z.signing->next_resign));
  }
  if (resigned > 0) {
    if (before_publish_) before_publish_(zones_);
    snapshots_.publish(next_snapshot(versions));
    const auto next = next_due();
    dnssec_log().info("re-signed {} zone{} with {} signatures made ({} kept) in {:.3f} s and published them; next "
                      "re-sign at {}",
                      resigned, resigned == 1 ? "" : "s", stats.signatures, stats.reused, stats.seconds,
                      next ? utc_text(*next) : std::string("(none)"));
  }
  return resigned;
}

}  // namespace mailns::server
