#include "server/publish/dane_lint.hpp"

#include "server/publish/zone_signing.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

void warn_unsigned_tlsa(const Config& config, const zone::Zone& zone, bool keys_missing,
                        std::vector<std::string>& warnings) {
  if (zone.denial() != zone::Denial::kNone) return;
  const bool enabled = config.dnssec_for(zone.origin()).enabled;
  if (enabled && !keys_missing) return;
  size_t tlsa = 0;
  std::string first;
  zone.for_each_node([&](const zone::Node& n) {
    if (!n.find(zone::rrtype::TLSA)) return;
    if (tlsa++ == 0) first = n.name().to_text();
  });
  if (tlsa == 0) return;
  const std::string what = config.path + ": warning: " + zone.origin().to_text() + ": publishes " +
                           std::to_string(tlsa) + " TLSA RRset" + (tlsa == 1 ? "" : "s") + " (" + first +
                           (tlsa == 1 ? "" : " ...") + ")";
  if (!enabled)
    warnings.push_back(what + " but is not signed: DANE needs DNSSEC (RFC 7672 2.2); set dnssec: { enabled: true }");
  else
    warnings.push_back(what + " for DANE, which needs a signed zone (RFC 7672 2.2): DNSSEC is enabled but the zone "
                              "has no keys yet (" + kFirstKeysCreatedBy +
                              "); until then its TLSA records are checked unsigned");
}

}  // namespace mailns::server
