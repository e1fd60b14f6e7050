#include "server/config/config_subset.hpp"

#include <algorithm>

namespace mailns::server {

namespace {

bool wanted(std::span<const zone::DnsName> origins, const zone::DnsName& n) {
  return std::find(origins.begin(), origins.end(), n) != origins.end();
}

// The entries of a by-key map (EntryTexts, dnssec overrides) that belong to origins.
template <typename Map, typename KeyOf>
Map entries_of(const Map& all, std::span<const zone::DnsName> origins, KeyOf key_of) {
  Map out;
  for (const zone::DnsName& o : origins)
    if (auto it = all.find(key_of(o)); it != all.end()) out.insert(*it);
  return out;
}

}  // namespace

Config config_subset(const Config& config, std::span<const zone::DnsName> origins,
                     std::vector<zone::DnsName>* missing) {
  Config out;
  out.path = config.path;
  out.server = config.server;
  out.dnssec = config.dnssec;
  out.transfer = config.transfer;
  out.mta_sts_server = config.mta_sts_server;
  std::vector<zone::DnsName> found;
  for (const ZoneSource& z : config.zones)
    if (wanted(origins, z.origin)) out.zones.push_back(z), found.push_back(z.origin);
  bool reverse = false;
  for (const synth::ReverseZoneDecl& r : config.reverse_zones)
    if (wanted(origins, r.origin)) out.reverse_zones.push_back(r), found.push_back(r.origin), reverse = true;
  for (const synth::MailDomainDecl& d : config.mail_domains) {
    const bool asked = wanted(origins, d.domain);
    if (asked) found.push_back(d.domain);
    if (asked || reverse) out.mail_domains.push_back(d);
  }
  if (missing)
    for (const zone::DnsName& o : origins)
      if (!wanted(found, o)) missing->push_back(o);
  // The mail domains synthesized for a reverse zone are signed (and left
  // out) with their own settings: none of them may get keys it should not.
  out.dnssec_overrides =
      reverse ? config.dnssec_overrides
              : entries_of(config.dnssec_overrides, origins,
                           [](const zone::DnsName& o) { return std::string(o.lookup_form()); });
  auto text_key = [](const zone::DnsName& o) { return entry_key(o.to_text()); };
  out.entry_texts.dnssec = config.entry_texts.dnssec;
  out.entry_texts.reverse_zones = config.entry_texts.reverse_zones;
  out.entry_texts.zones = entries_of(config.entry_texts.zones, origins, text_key);
  out.entry_texts.mail_domains = entries_of(config.entry_texts.mail_domains, origins, text_key);
  out.entry_texts.mail_hosts = entries_of(config.entry_texts.mail_hosts, origins, text_key);
  return out;
}

}  // namespace mailns::server
