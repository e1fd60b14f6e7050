#include "server/zone_loader.hpp"

#include "zone/zone_file.hpp"

namespace mailns::server {

ZoneSetResult load_zones(const std::vector<ZoneSource>& zones, const zone::AnswerOptions& options) {
  ZoneSetResult res;
  std::vector<std::shared_ptr<const zone::Zone>> loaded;
  for (const ZoneSource& src : zones) {
    zone::ZoneLoadResult z = zone::load_zone_file(src.file, src.origin);
    for (auto& w : z.warnings) res.warnings.push_back(src.origin.to_text() + ": " + w);
    for (auto& e : z.errors) res.errors.push_back(std::move(e));
    if (z.errors.empty() && !z.zone)
      res.errors.push_back(src.file + ": zone " + src.origin.to_text() + " could not be built");
    if (z.zone) loaded.push_back(std::move(z.zone));
  }
  if (res.errors.empty()) res.snapshot = std::make_shared<const zone::Snapshot>(std::move(loaded), options);
  return res;
}

zone::AnswerOptions answer_options(const ServerSettings& settings) {
  zone::AnswerOptions o;
  o.max_udp_payload = settings.udp_payload;
  return o;
}

}  // namespace mailns::server
