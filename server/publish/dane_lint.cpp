#include "server/publish/dane_lint.hpp"

#include "zone/rr_type.hpp"

namespace mailns::server {

void warn_unsigned_tlsa(const Config& config, const zone::Zone& zone, std::vector<std::string>& warnings) {
  if (zone.denial() != zone::Denial::kNone) return;
  size_t tlsa = 0;
  std::string first;
  zone.for_each_node([&](const zone::Node& n) {
    if (!n.find(zone::rrtype::TLSA)) return;
    if (tlsa++ == 0) first = n.name().to_text();
  });
  if (tlsa == 0) return;
  warnings.push_back(config.path + ": warning: " + zone.origin().to_text() + ": publishes " + std::to_string(tlsa) +
                     " TLSA RRset" + (tlsa == 1 ? "" : "s") + " (" + first +
                     (tlsa == 1 ? "" : " ...") +
                     ") but is not signed: DANE needs DNSSEC (RFC 7672 2.2); set dnssec: { enabled: true }");
}

}  // namespace mailns::server
