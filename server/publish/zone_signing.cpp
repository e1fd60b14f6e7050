#include "server/publish/zone_signing.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include "dnssec/atomic_file.hpp"
#include "dnssec/file_batch.hpp"
#include "dnssec/key_recovery.hpp"
#include "dnssec/key_store.hpp"
#include "dnssec/rollover.hpp"
#include "server/publish/parallel_for.hpp"
#include "server/publish/zone_version.hpp"
#include "zone/rr_type.hpp"
#include "zone/soa.hpp"

namespace mailns::server {

namespace {

// The TTLs the rollover timing needs (RFC 7583): the DNSKEY TTL (the SOA
// TTL unless the policy sets one) and the largest TTL a resolver may hold
// data of this zone, negative answers included (RFC 2308 5).
dnssec::RolloverTtls rollover_ttls(const std::vector<zone::Record>& records, const zone::DnsName& origin,
                                   const dnssec::SigningPolicy& policy) {
  dnssec::RolloverTtls t;
  uint32_t max_ttl = 0;
  for (const zone::Record& r : records) {
    max_ttl = std::max(max_ttl, r.ttl);
    if (r.type != zone::rrtype::SOA || !(r.owner == origin)) continue;
    if (const auto minimum = zone::soa_minimum(r.rdata)) {
      t.dnskey_ttl = r.ttl;
      max_ttl = std::max(max_ttl, std::min(r.ttl, *minimum));
    }
  }
  if (policy.dnskey_ttl) t.dnskey_ttl = *policy.dnskey_ttl;
  t.max_zone_ttl = std::max(max_ttl, t.dnskey_ttl);
  return t;
}

// check-config: the decisions the next start takes about the leftovers of
// an interrupted change in the zone's key directory (key_recovery), as
// warnings; the same plan serve carries out.
void report_recovery(SignJob& job, const dnssec::ZoneKeys* state, int64_t now) {
  const DnssecSettings& s = *job.settings;
  auto plan = dnssec::plan_key_recovery(s.key_dir, job.origin, state, s.policy, now);
  if (!plan) {
    job.warnings.push_back(plan.error());
    return;
  }
  for (auto& m : plan->messages(job.origin, /*done=*/false)) job.warnings.push_back(std::move(m));
}

// check-config, a zone without keys.state: what its first start will do
// (create its keys, or finish a creation a crash interrupted).
std::string first_start_plan(SignJob& job, const std::string& state, int64_t now) {
  const DnssecSettings& s = *job.settings;
  const std::string zname = job.origin.to_text();
  auto plan = dnssec::plan_key_recovery(s.key_dir, job.origin, nullptr, s.policy, now);
  if (!plan || plan->nothing_to_do())
    return zname + ": no DNSSEC keys yet (no " + state + "); " + kFirstKeysCreatedBy;
  for (auto& m : plan->messages(job.origin, /*done=*/false)) job.warnings.push_back(std::move(m));
  std::string create;
  for (dnssec::KeyRole r : plan->to_create) create += (create.empty() ? "" : " and ") + std::string(dnssec::role_name(r));
  return zname + ": no DNSSEC keys yet (no " + state + "; an interrupted first creation left the files above); " +
         "the next start makes the zone's first keys from them" +
         (create.empty() ? std::string() : ", creating the missing " + create);
}

// Keys for one job: loaded (or created), advanced, saved into batch (with
// the zone's lock, held until the batch is committed). Returns the key set
// to sign with, or sets job.error.
std::optional<dnssec::ZoneKeySet> prepare_keys(SignJob& job, KeyAccess access, int64_t now, dnssec::BatchSlot batch) {
  const DnssecSettings& s = *job.settings;
  const std::string zname = job.origin.to_text();
  const std::string dir = s.key_dir + "/" + dnssec::zone_directory_name(job.origin);
  const std::string state = dir + "/" + dnssec::kStateFileName;
  // Creating: asked again under the lock below (a missing name looked up
  // in a key directory of thousands is not free).
  bool existed = access == KeyAccess::kCreate || dnssec::file_exists(state);
  if (!existed) {
    job.missing_keys = true;
    if (access == KeyAccess::kExisting)
      job.error = zname + ": its DNSSEC keys are gone (no " + state +
                  "); restore the key directory from a backup (new keys would not match the DS at the parent)";
    else
      job.error = first_start_plan(job, state, now);
    return std::nullopt;
  }
  // Held until the advanced state is saved: a CLI request (rollover,
  // confirm-ds) between our load and our save would otherwise be lost.
  std::optional<dnssec::FileLock> lock;
  if (access != KeyAccess::kReadOnly) {
    auto l = dnssec::lock_zone_keys(s.key_dir, job.origin, access == KeyAccess::kCreate);
    if (!l) {
      job.error = l.error();
      return std::nullopt;
    }
    if (batch) batch.batch->hold(batch.group, std::move(*l));  // until what is saved under it is durable
    else lock.emplace(std::move(*l));
    existed = dnssec::file_exists(state);  // another process may have made them meanwhile
  }
  auto keys = access == KeyAccess::kCreate ? dnssec::load_or_create(s.key_dir, job.origin, s.policy, now, batch)
                                           : dnssec::load_keys(s.key_dir, job.origin);
  if (!keys) {
    job.error = keys.error();
    return std::nullopt;
  }
  for (auto& w : keys->warnings) job.warnings.push_back(std::move(w));
  for (auto& e : keys->events) job.events.push_back(std::move(e));
  keys->warnings.clear();
  keys->events.clear();
  // check-config: what the next start will do with a crash's leftovers.
  if (access == KeyAccess::kReadOnly) report_recovery(job, &*keys, now);
  if (!existed) {
    job.keys_created = true;
    std::string tags;
    for (const auto& k : keys->keys)
      tags += (tags.empty() ? "" : ", ") + std::string(dnssec::role_name(k.role)) + " " + std::to_string(k.tag);
    job.events.push_back(zname + ": created DNSSEC keys (" + tags + ", " +
                         std::string(dnssec::algorithm_config_word(s.policy.algorithm)) + ") in " + dir +
                         "; give the parent zone the DS from `mailns dnssec ds`");
  }
  std::optional<int64_t> next_event;
  if (access != KeyAccess::kReadOnly) {
    auto step = dnssec::advance(*keys, now, rollover_ttls(job.records, job.origin, s.policy), s.policy);
    if (!step) {
      job.warnings.push_back(step.error() + "; keeping the keys as they are and trying again in 5 minutes");
      next_event = now + 300;
    } else if (step->changed) {
      if (dnssec::Status st = dnssec::save_keys(step->keys, batch); !st) {
        // The step is not on disk, so it must not be served either: a key
        // that exists only in memory would vanish at the next start.
        job.warnings.push_back(st.error() + "; the rollover step is postponed, trying again in 5 minutes");
        next_event = now + 300;
      } else {
        for (auto& e : step->events) job.events.push_back(std::move(e));
        next_event = step->next_event;
        *keys = std::move(step->keys);
      }
    } else {
      next_event = step->next_event;
    }
  }
  job.next_resign = next_event;
  return dnssec::key_set(*keys);
}

}  // namespace

namespace {
// The result of signing one job's zone into the job. Nothing but the serial
// changed: the served version stays, with its serial and the SOA signatures
// that go with it (its records are `previous`).
void take_result(SignJob& job, dnssec::Result<dnssec::SignedZone> r, std::vector<zone::Record>& previous,
                 int64_t now) {
  if (!r) {
    job.error = r.error();
    return;
  }
  for (auto& w : r->warnings) job.warnings.push_back(std::move(w));
  job.signatures = r->signatures;
  job.reused = r->reused;
  job.signed_records = std::move(r->records);
  if (job.previous && !job.new_serial_anyway && same_apart_from_serial(job.signed_records, *job.previous)) {
    job.unchanged = true;
    job.reused += job.signatures;
    job.signatures = 0;
    job.signed_records = std::move(previous);
  }
  if (auto t = dnssec::next_resign_time(job.signed_records, job.settings->policy, now))
    job.next_resign = job.next_resign ? std::min(*job.next_resign, *t) : *t;
  job.online_signer = std::move(r->online_signer);
}

// One job from start to end on one thread: keys, the previous version's
// records (a copy, freed as soon as the zone is signed: holding those of
// every zone at once doubled a 10,000-zone start's peak memory), signing.
void sign_job(SignJob& job, KeyAccess access, int64_t now, dnssec::BatchSlot batch) {
  std::optional<dnssec::ZoneKeySet> keys = prepare_keys(job, access, now, batch);
  if (!keys) return;
  std::vector<zone::Record> previous;
  if (job.previous) previous = served_records(*job.previous);
  take_result(job, dnssec::sign_zone(job.origin, job.records, *keys, job.settings->policy, now, previous), previous,
              now);
}
}  // namespace

namespace {
// Signs jobs on up to `threads` threads; the key files they write go into
// batch (nullptr: written at once).
void sign_all(std::span<SignJob> jobs, KeyAccess access, int64_t now, unsigned threads, dnssec::FileBatch* batch) {
  // Key files are read (and on a first start, keys generated: RSA takes a
  // while) on the same threads that sign.
  // An exception (out of memory, a filesystem error) fails its zone only,
  // which keeps its last good version; escaping a thread it would terminate.
  parallel_for(jobs.size(), threads, [&](size_t i) {
    try {
      SignJob& job = jobs[i];
      sign_job(job, access, now, dnssec::BatchSlot{batch, i});
      if (job.build && job.error.empty() && !job.keeps_previous())
        job.built = build_zone(job.origin, std::move(job.signed_records), job.build_errors, job.warnings, job.online_signer);
    } catch (const std::exception& e) {
      jobs[i].error = jobs[i].origin.to_text() + ": signing failed: " + e.what();
    } catch (...) {
      jobs[i].error = jobs[i].origin.to_text() + ": signing failed";
    }
  });
}

// A job whose keys did not become durable: its signatures must not be
// served (a crash would lose the key that made them).
void fail_unsaved(SignJob& job, const std::string& why) {
  job.error = job.origin.to_text() + ": " + without_zone_prefix(why, job.origin) +
              "; its DNSSEC keys are not on disk, so it is not served signed";
  std::vector<zone::Record>().swap(job.signed_records);
  job.built.reset();
  job.online_signer.reset();
  job.unchanged = false;
  job.signatures = 0;
}

// How many zones' keys go into one batch: each holds its zone's lock file
// open until the batch is committed, so the two batches in flight (one
// committing, one signing) stay well inside the descriptor limit; and about
// an eighth of the jobs, so that committing one batch (renames and syncs,
// on its own thread) overlaps signing the next.
size_t zones_per_batch(size_t jobs) {
  rlimit lim{};
  const size_t fds = ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY ? lim.rlim_cur : 4096;
  return std::min(std::clamp<size_t>(fds / 4, 16, 2048), std::max<size_t>(jobs / 8, 64));
}

// A batch of signed jobs whose key files are being made durable on their
// own thread; finish() waits for it and fails the jobs whose keys did not
// become durable.
class BatchCommit {
 public:
  BatchCommit(std::span<SignJob> part, std::unique_ptr<dnssec::FileBatch> batch)
      : part_(part), batch_(std::move(batch)) {
    const auto commit = [b = batch_.get()] { return b->commit(); };
    try {
      done_ = std::async(std::launch::async, commit);
    } catch (const std::system_error&) {  // no thread to be had: committed when finished
      done_ = std::async(std::launch::deferred, commit);
    }
  }
  void finish() {
    for (const auto& [i, why] : done_.get())
      if (part_[i].error.empty()) fail_unsaved(part_[i], why);
  }

 private:
  std::span<SignJob> part_;
  std::unique_ptr<dnssec::FileBatch> batch_;
  std::future<std::map<size_t, std::string>> done_;
};
}  // namespace

SignStats sign_jobs(std::span<SignJob> jobs, KeyAccess access, int64_t now, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  if (access == KeyAccess::kReadOnly) {
    sign_all(jobs, access, now, threads, nullptr);
  } else {
    // Keys made or advanced in a batch are durable (few syncs for all of
    // them, dnssec/file_batch) before sign_jobs returns, that is before any
    // signature made with them is served or archived. One batch is
    // committed while the next one is signed.
    const size_t per_batch = zones_per_batch(jobs.size());
    std::optional<BatchCommit> committing;
    for (size_t first = 0; first < jobs.size(); first += per_batch) {
      const std::span<SignJob> part = jobs.subspan(first, std::min(per_batch, jobs.size() - first));
      auto batch = std::make_unique<dnssec::FileBatch>();
      sign_all(part, access, now, threads, batch.get());
      if (committing) committing->finish();
      committing.emplace(part, std::move(batch));
    }
    if (committing) committing->finish();
  }

  SignStats stats;
  for (const SignJob& j : jobs) {
    if (j.error.empty()) {
      ++stats.zones;
      stats.signatures += j.signatures;
      stats.reused += j.reused;
      stats.unchanged += j.unchanged ? 1 : 0;
    } else {
      ++stats.failed;
    }
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

std::shared_ptr<const zone::Zone> build_zone(const zone::DnsName& origin, std::vector<zone::Record> records,
                                             std::vector<std::string>& errors, std::vector<std::string>& warnings,
                                             std::shared_ptr<const zone::OnlineSigner> online_signer) {
  zone::ZoneBuilder b(origin);
  b.reserve_signatures(records);
  for (auto& r : records) b.add(std::move(r));
  auto built = b.build();
  if (built && online_signer) built->attach_online_signer(std::move(online_signer));
  for (const auto& w : b.warnings()) warnings.push_back(origin.to_text() + ": " + w);
  if (!built)
    for (const auto& e : b.errors()) errors.push_back(origin.to_text() + ": " + e);
  return built;
}

std::vector<zone::Record> zone_records(const zone::Zone& zone) {
  std::vector<zone::Record> out;
  out.reserve(zone.record_count());
  zone.for_each_node([&](const zone::Node& n) {
    for (const zone::RRset& s : n.rrsets()) {
      if (s.type == zone::rrtype::RRSIG) continue;  // made anew by the signer
      for (const auto rd : s.rdatas) out.push_back(zone::Record{n.name(), s.type, 1, s.ttl, zone::rdata_copy(rd)});
    }
  });
  return out;
}

std::string without_zone_prefix(const std::string& message, const zone::DnsName& origin) {
  const std::string prefix = origin.to_text() + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

}  // namespace mailns::server
