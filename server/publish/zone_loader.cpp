#include "server/publish/zone_loader.hpp"

#include "server/publish/dane_lint.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

#include "server/config/file_stamp.hpp"
#include "server/publish/parallel_for.hpp"
#include "server/publish/zone_version.hpp"
#include "zone/soa_serial.hpp"
#include "synth/mail_zone_set.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {

namespace {

std::string name_without_dot(const zone::DnsName& n) {
  std::string s = n.to_text();
  if (s.size() > 1) s.pop_back();
  return s;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Which zone a load_zones error is about: domain errors name the domain
// ("file:line: error: example.org: ..."), master-file errors name the file.
bool error_is_about(const std::string& error, const std::string& name, const std::string& file) {
  return contains(error, ": " + name + ": ") || contains(error, ": " + name + ".: ") || contains(error, " " + name + ". ") ||
         (!file.empty() && error.rfind(file + ":", 0) == 0);
}

void add_stats(SignStats& total, const SignStats& s) {
  total.zones += s.zones;
  total.failed += s.failed;
  total.signatures += s.signatures;
  total.reused += s.reused;
  total.unchanged += s.unchanged;
  total.seconds += s.seconds;
}

ZoneSigning signing_state(SignJob& job, const LoadOptions& options) {
  ZoneSigning st;
  st.settings = job.settings;
  st.records = zone::PackedRecords(job.records);
  std::vector<zone::Record>().swap(job.records);
  if (options.keep_signed_records) st.signed_records = job.signed_records;
  st.next_resign = job.next_resign.value_or(0);
  st.signatures = job.signatures;
  return st;
}

}  // namespace

namespace {

// One load_zones() call, in steps: master files (built, then signed),
// synthesized mail and reverse zones (signed between synthesis and build),
// then the snapshot of all of them.
class ZoneSetLoader {
 public:
  ZoneSetLoader(const Config& config, const LoadOptions& options)
      : config_(config),
        options_(options),
        now_(options.now ? options.now : static_cast<int64_t>(std::time(nullptr))) {}

  ZoneSetResult run() && {
    load_masters();
    if (!config_.mail_domains.empty() || !config_.reverse_zones.empty()) load_mail_zones();
    for (const LoadedZone& z : res_.zones)
      warn_unsigned_tlsa(config_, *z.zone, keys_missing_.contains(std::string(z.zone->origin().lookup_form())),
                         res_.warnings);
    if (res_.errors.empty()) {
      std::vector<std::shared_ptr<const zone::Zone>> zones;
      for (const LoadedZone& z : res_.zones) zones.push_back(z.zone);
      res_.snapshot = std::make_shared<const zone::Snapshot>(std::move(zones), answer_options(config_.server));
    }
    return std::move(res_);
  }

 private:
  bool wants_signing(const zone::DnsName& origin) const {
    return options_.keys.has_value() && config_.dnssec_for(origin).enabled &&
           (!options_.sign_only || *options_.sign_only == origin);
  }
  void take_notes(SignJob& job, std::vector<std::string>& warnings) {
    for (auto& e : job.events) res_.events.push_back(std::move(e));
    for (auto& w : job.warnings) warnings.push_back(std::move(w));
  }
  // Without keys, check-config still checks the rest of the zone, unsigned;
  // such zones are remembered for the TLSA warning.
  bool checks_unsigned(const SignJob& job) {
    if (!job.missing_keys || !options_.unsigned_without_keys) return false;
    keys_missing_.insert(std::string(job.origin.lookup_form()));
    return true;
  }
  unsigned threads() const { return options_.threads ? options_.threads : config_.server.threads; }
  void sign(std::vector<SignJob>& jobs) { add_stats(res_.signing, sign_jobs(jobs, *options_.keys, now_, threads())); }
  // The previous version of each job's zone, read in parallel (at start,
  // thousands of archived zone files are parsed).
  void fill_previous(std::vector<SignJob>& jobs) const {
    if (!options_.previous_for) return;
    parallel_for(jobs.size(), threads(), [&](size_t i) { jobs[i].previous = previous(jobs[i].origin); });
    for (SignJob& job : jobs) job.new_serial_anyway = job.previous && !last_served(*job.previous);
  }
  // Whether prev is the version last served (see LoadOptions::last_served_serial).
  bool last_served(const zone::Zone& prev) const {
    if (!options_.last_served_serial) return true;
    const auto s = options_.last_served_serial(prev.origin());
    return !s || *s == prev.soa_serial();
  }

  // One master file read and built, on any thread. A zone to sign is built
  // again from its signed records: no answers are prepared for this build.
  zone::ZoneLoadResult read_master(const ZoneSource& src) const {
    try {
      return zone::load_zone_file(src.file, src.origin,
                                  wants_signing(src.origin) ? zone::PreparedAnswers::kNo : zone::PreparedAnswers::kYes);
    } catch (const std::exception& e) {  // out of memory: this zone fails, the others load
      zone::ZoneLoadResult r;
      r.errors.push_back(src.file + ": cannot load: " + e.what());
      return r;
    }
  }

  // Master-file zones: built (which checks them, with file:line errors), and
  // the ones to sign taken apart again into records for the signer. The
  // files are read on every thread; what they say is taken in file order.
  void load_masters() {
    std::vector<std::optional<LoadedZone>> masters(config_.zones.size());
    std::vector<std::string> stamps(config_.zones.size());
    std::vector<size_t> to_read;
    for (size_t i = 0; i < config_.zones.size(); ++i) {
      const ZoneSource& src = config_.zones[i];
      const InputFile stamp = InputFile::stamped(src.file);  // before reading: a later change changes it
      stamps[i] = stamp.settled ? stamp.stamp : std::string();
      if (auto kept = unchanged_master(src, stamps[i])) {
        origins_.insert(std::string(src.origin.lookup_form()));
        masters[i] = LoadedZone{std::move(kept), src.file, std::nullopt};
        masters[i]->source_stamp = stamps[i];
        ++res_.masters_unchanged;
        continue;
      }
      to_read.push_back(i);
    }
    std::vector<zone::ZoneLoadResult> read(to_read.size());
    parallel_for(to_read.size(), threads(), [&](size_t k) { read[k] = read_master(config_.zones[to_read[k]]); });
    std::vector<SignJob> jobs;
    std::vector<size_t> job_zone;
    for (size_t k = 0; k < to_read.size(); ++k) {
      const size_t i = to_read[k];
      const ZoneSource& src = config_.zones[i];
      zone::ZoneLoadResult z = std::move(read[k]);
      for (auto& w : z.warnings) res_.warnings.push_back(src.origin.to_text() + ": " + w);
      for (auto& e : z.errors) res_.errors.push_back(std::move(e));
      if (z.errors.empty() && !z.zone)
        res_.errors.push_back(src.file + ": zone " + src.origin.to_text() + " could not be built");
      if (!z.zone) continue;
      origins_.insert(std::string(src.origin.lookup_form()));
      masters[i] = LoadedZone{z.zone, src.file, std::nullopt};
      masters[i]->source_stamp = std::move(stamps[i]);
      if (!wants_signing(src.origin)) continue;
      std::vector<zone::Record> records = zone_records(*z.zone);
      if (options_.serial_for)
        set_soa_serial(records, src.origin, options_.serial_for(src.origin, z.zone->soa_serial()));
      jobs.push_back(SignJob(src.origin, std::move(records), config_.dnssec_for(src.origin)));
      jobs.back().build = !options_.keep_signed_records;
      job_zone.push_back(i);
    }
    fill_previous(jobs);
    for (size_t j = 0; j < jobs.size(); ++j) {
      // The operator raised the file's serial past the served one: a new
      // version even when nothing else changed.
      const uint32_t file_serial = masters[job_zone[j]]->zone->soa_serial();
      jobs[j].new_serial_anyway |=
          jobs[j].previous && zone::serial_greater(file_serial, jobs[j].previous->soa_serial());
    }
    if (!jobs.empty()) {
      sign(jobs);
      for (size_t j = 0; j < jobs.size(); ++j) take_signed_master(jobs[j], config_.zones[job_zone[j]], masters[job_zone[j]]);
    }
    for (auto& m : masters)
      if (m) res_.zones.push_back(std::move(*m));
  }

  // A master-file zone to sign: replaced by its signed build, or left out
  // when signing or the build failed (the error says why). Without keys
  // (check-config), the unsigned build stays.
  void take_signed_master(SignJob& job, const ZoneSource& src, std::optional<LoadedZone>& slot) {
    take_notes(job, res_.warnings);
    if (!job.error.empty()) {
      if (checks_unsigned(job)) {
        res_.warnings.push_back(job.error + "; checked unsigned");
      } else {
        res_.domain_errors.push_back(config_.path + ":" + std::to_string(src.line) + ": error: " +
                                     name_without_dot(src.origin) + ": " + without_zone_prefix(job.error, src.origin));
        slot.reset();
      }
      return;
    }
    if (job.unchanged) set_soa_serial(job.records, src.origin, job.previous->soa_serial());
    ZoneSigning state = signing_state(job, options_);
    // The served version as it is (compact denial needs its query-time signer attached to a new build).
    if (job.keeps_previous()) {
      slot = LoadedZone{job.previous, src.file, std::move(state)};
      std::vector<zone::Record>().swap(job.signed_records);  // the same records as job.previous: freed now
      return;
    }
    std::vector<std::string> build_errors = std::move(job.build_errors);
    auto built = job.build ? std::move(job.built)
                           : build_zone(src.origin, std::move(job.signed_records), build_errors, res_.warnings, job.online_signer);
    if (!built) {
      for (auto& e : build_errors) res_.errors.push_back(src.file + ": signed zone: " + e);
      slot.reset();
      return;
    }
    slot = LoadedZone{std::move(built), src.file, std::move(state)};
    if (!job.unchanged) slot->replaces = std::move(job.previous);
  }

  void load_mail_zones() {
    synth::SynthOptions opt;
    opt.serial = options_.serial ? options_.serial : zone::first_serial_of_day(now_);
    opt.now = now_;
    synth::BuildHooks hooks;
    hooks.before_build = [this](std::span<synth::ZoneRecords> zones) { sign_mail_zones(zones); };
    synth::MailZoneSet set = synth::build_mail_zones(config_.mail_domains, config_.reverse_zones, opt, hooks);
    for (const auto& d : set.diagnostics) {
      if (d.severity == synth::Diagnostic::Severity::kError) res_.domain_errors.push_back(d.str());
      else res_.warnings.push_back(d.str());
    }
    for (auto& z : set.zones) {
      attach_mta_sts_policy(*z, set.mta_sts_policies);
      add_mail_zone(std::move(z));
    }
    res_.mta_sts_policies = std::move(set.mta_sts_policies);
  }

  // Between synthesis and build: serials, then the records of the zones to
  // sign replaced by their signed records.
  void sign_mail_zones(std::span<synth::ZoneRecords> zones) {
    if (options_.serial_for)
      for (synth::ZoneRecords& z : zones)
        set_soa_serial(z.records, z.origin, options_.serial_for(z.origin, soa_serial(z.records, z.origin).value_or(0)));
    std::vector<SignJob> jobs;
    std::vector<size_t> idx, plain;
    for (size_t i = 0; i < zones.size(); ++i) {
      if (!wants_signing(zones[i].origin)) {
        plain.push_back(i);
        continue;
      }
      jobs.push_back(SignJob(zones[i].origin, zones[i].records, config_.dnssec_for(zones[i].origin)));
      jobs.back().build = !options_.keep_signed_records;
      idx.push_back(i);
    }
    std::vector<std::shared_ptr<const zone::Zone>> replaced(plain.size());
    parallel_for(plain.size(), threads(), [&](size_t i) { replaced[i] = keep_unsigned_serial(zones[plain[i]]); });
    for (size_t i = 0; i < plain.size(); ++i)
      if (replaced[i]) replaced_[std::string(zones[plain[i]].origin.lookup_form())] = std::move(replaced[i]);
    fill_previous(jobs);
    if (jobs.empty()) return;
    sign(jobs);
    for (size_t g = 0; g < jobs.size(); ++g) take_signed_mail_zone(jobs[g], zones[idx[g]]);
  }

  void take_signed_mail_zone(SignJob& job, synth::ZoneRecords& z) {
    std::vector<std::string> warnings;
    take_notes(job, warnings);
    for (auto& w : warnings) z.warnings.push_back(without_zone_prefix(w, z.origin));
    if (!job.error.empty()) {
      if (checks_unsigned(job))
        z.warnings.push_back(without_zone_prefix(job.error, z.origin) + "; checked unsigned");
      else
        z.error = without_zone_prefix(job.error, z.origin);
      return;
    }
    if (job.build && !job.keeps_previous()) {  // built on the signing thread
      if (!job.built) {
        for (const auto& e : job.build_errors)
          z.error += (z.error.empty() ? "" : "; ") + without_zone_prefix(e, z.origin);
        return;
      }
      z.built = std::move(job.built);
      z.records.clear();
    } else {
      z.records = std::move(job.signed_records);
    }
    if (options_.keep_signed_records) job.signed_records = z.records;
    const std::string lf(z.origin.lookup_form());
    if (job.unchanged) set_soa_serial(job.records, z.origin, job.previous->soa_serial());
    mail_signing_[lf] = signing_state(job, options_);
    if (!job.unchanged && job.previous) replaced_[lf] = std::move(job.previous);
    if (job.online_signer) online_signers_[lf] = job.online_signer;
  }

  // An unsigned master-file zone the archive holds as built from the file
  // as it is now (LoadOptions::unchanged_master).
  std::shared_ptr<const zone::Zone> unchanged_master(const ZoneSource& src, const std::string& source_stamp) const {
    if (!options_.unchanged_master || source_stamp.empty() || wants_signing(src.origin)) return nullptr;
    return options_.unchanged_master(src.origin, source_stamp);
  }

  std::shared_ptr<const zone::Zone> previous(const zone::DnsName& origin) const {
    return options_.previous_for ? options_.previous_for(origin) : nullptr;
  }

  // An unsigned synthesized zone that holds what its served version holds
  // keeps that version's serial.
  // Otherwise the previous version is what it replaces.
  std::shared_ptr<const zone::Zone> keep_unsigned_serial(synth::ZoneRecords& z) const {
    auto prev = previous(z.origin);
    if (!prev) return nullptr;
    if (!last_served(*prev) || !same_apart_from_serial(z.records, *prev)) return prev;
    set_soa_serial(z.records, z.origin, prev->soa_serial());
    return nullptr;
  }

  // The MTA-STS policy (RFC 8461 3.2) travels with the zone whose _mta-sts
  // TXT names its id, so both change in the same publication.
  static void attach_mta_sts_policy(const zone::Zone& z, const std::map<std::string, std::string>& policies) {
    std::string domain = z.origin().to_text();
    if (domain.size() > 1) domain.pop_back();
    auto it = policies.find(domain);
    if (it == policies.end()) return;
    auto docs = std::make_shared<zone::Zone::Documents>();
    (*docs)[mta_sts_policy_path(z.origin())] = it->second;
    z.attach_documents(std::move(docs));
  }

  void add_mail_zone(std::shared_ptr<const zone::Zone> z) {
    const std::string lf(z->origin().lookup_form());
    if (!origins_.insert(lf).second) {
      res_.errors.push_back(config_.path + ": " + z->origin().to_text() +
                            " is both a zones: entry and a mail domain; keep one of them");
      return;
    }
    if (auto it = online_signers_.find(lf); it != online_signers_.end()) z->attach_online_signer(it->second);
    LoadedZone lz{std::move(z), "mail_domains in " + config_.path, std::nullopt};
    if (auto it = mail_signing_.find(lf); it != mail_signing_.end()) lz.signing = std::move(it->second);
    if (auto it = replaced_.find(lf); it != replaced_.end()) lz.replaces = std::move(it->second);
    res_.zones.push_back(std::move(lz));
  }

  const Config& config_;
  const LoadOptions& options_;
  const int64_t now_;
  ZoneSetResult res_;
  std::set<std::string> origins_;                                                 // lookup forms served so far
  std::set<std::string> keys_missing_;                                            // checked unsigned: no keys yet
  std::map<std::string, ZoneSigning, std::less<>> mail_signing_;                  // by lookup form of the origin
  std::map<std::string, std::shared_ptr<const zone::OnlineSigner>> online_signers_;  // compact denial, likewise
  std::map<std::string, std::shared_ptr<const zone::Zone>> replaced_;                 // LoadedZone::replaces, likewise
};

}  // namespace

ZoneSetResult load_zones(const Config& config, const LoadOptions& options) {
  return ZoneSetLoader(config, options).run();
}

ZoneSetResult load_zones(const Config& config, uint32_t serial) {
  LoadOptions o;
  o.serial = serial;
  return load_zones(config, o);
}

std::string mta_sts_policy_path(const zone::DnsName& domain) {
  std::string host = domain.to_text();
  if (host.size() > 1) host.pop_back();
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "mta-sts." + host + "/.well-known/mta-sts.txt";
}

std::vector<std::string> errors_about(const std::vector<std::string>& errors, const Config& config,
                                      const zone::DnsName& origin) {
  std::vector<std::string> out;
  for (const auto& e : errors)
    if (error_is_about_zone(e, config, origin)) out.push_back(e);
  return out.empty() ? errors : out;
}

bool error_is_about_zone(const std::string& error, const Config& config, const zone::DnsName& origin) {
  std::string file;
  for (const ZoneSource& z : config.zones)
    if (z.origin == origin) file = z.file;
  return error_is_about(error, name_without_dot(origin), file);
}

uint32_t serial_for_today() { return zone::first_serial_of_day(static_cast<int64_t>(std::time(nullptr))); }

zone::AnswerOptions answer_options(const ServerSettings& settings) {
  zone::AnswerOptions o;
  o.max_udp_payload = settings.udp_payload;
  o.nsid = settings.nsid;
  return o;
}

}  // namespace mailns::server
