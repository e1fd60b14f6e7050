#include "server/zone_loader.hpp"

#include <ctime>
#include <set>

#include "synth/mail_zone_set.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {

ZoneSetResult load_zones(const Config& config, uint32_t serial) {
  ZoneSetResult res;
  std::vector<std::shared_ptr<const zone::Zone>> loaded;
  std::set<std::string> origins;
  for (const ZoneSource& src : config.zones) {
    zone::ZoneLoadResult z = zone::load_zone_file(src.file, src.origin);
    for (auto& w : z.warnings) res.warnings.push_back(src.origin.to_text() + ": " + w);
    for (auto& e : z.errors) res.errors.push_back(std::move(e));
    if (z.errors.empty() && !z.zone)
      res.errors.push_back(src.file + ": zone " + src.origin.to_text() + " could not be built");
    if (z.zone) {
      origins.insert(std::string(src.origin.lookup_form()));
      loaded.push_back(std::move(z.zone));
      res.sources.push_back(src.file);
    }
  }
  if (!config.mail_domains.empty() || !config.reverse_zones.empty()) {
    synth::SynthOptions opt;
    opt.serial = serial;
    opt.now = static_cast<int64_t>(std::time(nullptr));
    synth::MailZoneSet set = synth::build_mail_zones(config.mail_domains, config.reverse_zones, opt);
    for (const auto& d : set.diagnostics) {
      if (d.severity == synth::Diagnostic::Severity::kError) res.domain_errors.push_back(d.str());
      else res.warnings.push_back(d.str());
    }
    for (auto& z : set.zones) {
      if (!origins.insert(std::string(z->origin().lookup_form())).second) {
        res.errors.push_back(config.path + ": " + z->origin().to_text() +
                             " is both a zones: entry and a mail domain; keep one of them");
        continue;
      }
      loaded.push_back(std::move(z));
      res.sources.push_back("mail_domains in " + config.path);
    }
    res.mta_sts_policies = std::move(set.mta_sts_policies);
  }
  if (res.errors.empty())
    res.snapshot = std::make_shared<const zone::Snapshot>(std::move(loaded), answer_options(config.server));
  return res;
}

uint32_t serial_for_today() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return static_cast<uint32_t>((tm.tm_year + 1900) * 1000000 + (tm.tm_mon + 1) * 10000 + tm.tm_mday * 100 + 1);
}

zone::AnswerOptions answer_options(const ServerSettings& settings) {
  zone::AnswerOptions o;
  o.max_udp_payload = settings.udp_payload;
  return o;
}

}  // namespace mailns::server
