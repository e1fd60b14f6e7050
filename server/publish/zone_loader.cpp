#include "server/publish/zone_loader.hpp"

#include "server/publish/dane_lint.hpp"

#include <ctime>
#include <set>

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

void add_stats(SignStats& total, const SignStats& s) {
  total.zones += s.zones;
  total.failed += s.failed;
  total.signatures += s.signatures;
  total.seconds += s.seconds;
}

ZoneSigning signing_state(SignJob& job, const LoadOptions& options) {
  ZoneSigning st;
  st.settings = job.settings;
  st.records = std::move(job.records);
  if (options.keep_signed_records) st.signed_records = job.signed_records;
  st.next_resign = job.next_resign.value_or(0);
  st.signatures = job.signatures;
  return st;
}

}  // namespace

ZoneSetResult load_zones(const Config& config, const LoadOptions& options) {
  ZoneSetResult res;
  const int64_t now = options.now ? options.now : static_cast<int64_t>(std::time(nullptr));
  const uint32_t serial = options.serial ? options.serial : zone::first_serial_of_day(now);
  auto wants_signing = [&](const zone::DnsName& origin) {
    return options.keys.has_value() && config.dnssec_for(origin).enabled &&
           (!options.sign_only || *options.sign_only == origin);
  };
  auto take_notes = [&](SignJob& job, std::vector<std::string>& warnings) {
    for (auto& e : job.events) res.events.push_back(std::move(e));
    for (auto& w : job.warnings) warnings.push_back(std::move(w));
  };
  // Without keys, check-config still checks the rest of the zone.
  auto unsigned_is_fine = [&](const SignJob& job) { return job.missing_keys && options.unsigned_without_keys; };

  // Master-file zones: built (which checks them, with file:line errors), and
  // the ones to sign taken apart again into records for the signer.
  std::vector<std::optional<LoadedZone>> masters(config.zones.size());
  std::vector<SignJob> jobs;
  std::vector<size_t> job_zone;
  std::set<std::string> origins;
  for (size_t i = 0; i < config.zones.size(); ++i) {
    const ZoneSource& src = config.zones[i];
    zone::ZoneLoadResult z = zone::load_zone_file(src.file, src.origin);
    for (auto& w : z.warnings) res.warnings.push_back(src.origin.to_text() + ": " + w);
    for (auto& e : z.errors) res.errors.push_back(std::move(e));
    if (z.errors.empty() && !z.zone)
      res.errors.push_back(src.file + ": zone " + src.origin.to_text() + " could not be built");
    if (!z.zone) continue;
    origins.insert(std::string(src.origin.lookup_form()));
    masters[i] = LoadedZone{z.zone, src.file, std::nullopt};
    if (wants_signing(src.origin)) {
      std::vector<zone::Record> records = zone_records(*z.zone);
      if (options.serial_for) set_soa_serial(records, src.origin, options.serial_for(src.origin, z.zone->soa_serial()));
      jobs.push_back(SignJob(src.origin, std::move(records), config.dnssec_for(src.origin)));
      job_zone.push_back(i);
    }
  }
  if (!jobs.empty()) {
    add_stats(res.signing, sign_jobs(jobs, *options.keys, now, config.server.threads));
    for (size_t j = 0; j < jobs.size(); ++j) {
      SignJob& job = jobs[j];
      const ZoneSource& src = config.zones[job_zone[j]];
      take_notes(job, res.warnings);
      if (!job.error.empty()) {
        if (unsigned_is_fine(job)) {
          res.warnings.push_back(job.error + "; checked unsigned");
        } else {
          res.domain_errors.push_back(config.path + ":" + std::to_string(src.line) + ": error: " +
                                      name_without_dot(src.origin) + ": " +
                                      without_zone_prefix(job.error, src.origin));
          masters[job_zone[j]].reset();
        }
        continue;
      }
      ZoneSigning state = signing_state(job, options);
      std::vector<std::string> build_errors;
      auto built = build_zone(src.origin, std::move(job.signed_records), build_errors, res.warnings, job.online_signer);
      if (!built) {
        for (auto& e : build_errors) res.errors.push_back(src.file + ": signed zone: " + e);
        masters[job_zone[j]].reset();
        continue;
      }
      masters[job_zone[j]] = LoadedZone{std::move(built), src.file, std::move(state)};
    }
  }
  for (auto& m : masters)
    if (m) res.zones.push_back(std::move(*m));

  if (!config.mail_domains.empty() || !config.reverse_zones.empty()) {
    synth::SynthOptions opt;
    opt.serial = serial;
    opt.now = now;
    std::map<std::string, ZoneSigning, std::less<>> synth_signing;  // by lookup form of the origin
    std::map<std::string, std::shared_ptr<const zone::OnlineSigner>> online_signers;  // compact denial, likewise
    synth::BuildHooks hooks;
    hooks.before_build = [&](std::span<synth::ZoneRecords> zones) {
      if (options.serial_for)
        for (synth::ZoneRecords& z : zones)
          set_soa_serial(z.records, z.origin, options.serial_for(z.origin, soa_serial(z.records, z.origin).value_or(0)));
      std::vector<SignJob> sj;
      std::vector<size_t> idx;
      for (size_t i = 0; i < zones.size(); ++i) {
        if (!wants_signing(zones[i].origin)) continue;
        sj.push_back(SignJob(zones[i].origin, zones[i].records, config.dnssec_for(zones[i].origin)));
        idx.push_back(i);
      }
      if (sj.empty()) return;
      add_stats(res.signing, sign_jobs(sj, *options.keys, now, config.server.threads));
      for (size_t g = 0; g < sj.size(); ++g) {
        SignJob& job = sj[g];
        synth::ZoneRecords& z = zones[idx[g]];
        std::vector<std::string> warnings;
        take_notes(job, warnings);
        for (auto& w : warnings) z.warnings.push_back(without_zone_prefix(w, z.origin));
        if (!job.error.empty()) {
          if (unsigned_is_fine(job))
            z.warnings.push_back(without_zone_prefix(job.error, z.origin) + "; checked unsigned");
          else
            z.error = without_zone_prefix(job.error, z.origin);
          continue;
        }
        z.records = std::move(job.signed_records);
        if (options.keep_signed_records) job.signed_records = z.records;
        synth_signing[std::string(z.origin.lookup_form())] = signing_state(job, options);
        if (job.online_signer) online_signers[std::string(z.origin.lookup_form())] = job.online_signer;
      }
    };
    synth::MailZoneSet set = synth::build_mail_zones(config.mail_domains, config.reverse_zones, opt, hooks);
    for (const auto& d : set.diagnostics) {
      if (d.severity == synth::Diagnostic::Severity::kError) res.domain_errors.push_back(d.str());
      else res.warnings.push_back(d.str());
    }
    for (auto& z : set.zones) {
      const std::string lf(z->origin().lookup_form());
      if (!origins.insert(lf).second) {
        res.errors.push_back(config.path + ": " + z->origin().to_text() +
                             " is both a zones: entry and a mail domain; keep one of them");
        continue;
      }
      if (auto it = online_signers.find(lf); it != online_signers.end()) z->attach_online_signer(it->second);
      LoadedZone lz{std::move(z), "mail_domains in " + config.path, std::nullopt};
      if (auto it = synth_signing.find(lf); it != synth_signing.end()) lz.signing = std::move(it->second);
      res.zones.push_back(std::move(lz));
    }
    res.mta_sts_policies = std::move(set.mta_sts_policies);
  }
  for (const LoadedZone& z : res.zones) warn_unsigned_tlsa(config, *z.zone, res.warnings);
  if (res.errors.empty()) {
    std::vector<std::shared_ptr<const zone::Zone>> zones;
    for (const LoadedZone& z : res.zones) zones.push_back(z.zone);
    res.snapshot = std::make_shared<const zone::Snapshot>(std::move(zones), answer_options(config.server));
  }
  return res;
}

ZoneSetResult load_zones(const Config& config, uint32_t serial) {
  LoadOptions o;
  o.serial = serial;
  return load_zones(config, o);
}

uint32_t serial_for_today() { return zone::first_serial_of_day(static_cast<int64_t>(std::time(nullptr))); }

zone::AnswerOptions answer_options(const ServerSettings& settings) {
  zone::AnswerOptions o;
  o.max_udp_payload = settings.udp_payload;
  return o;
}

}  // namespace mailns::server
