#include "server/publish/tlsa_watch.hpp"

#include <algorithm>

#include "synth/key_material.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

std::vector<std::string> published_tlsa(const zone::Zone& zone, const zone::DnsName& host) {
  std::vector<std::string> out;
  auto owner = host.prepend("_tcp");
  if (owner) owner = owner->prepend("_25");
  if (!owner) return out;
  const zone::Node* n = zone.find(*owner);
  const zone::RRset* set = n ? n->find(zone::rrtype::TLSA) : nullptr;
  if (!set) return out;
  for (const auto& rd : set->rdatas)
    if (rd.size() == 35 && rd[0] == 3 && rd[1] == 1 && rd[2] == 1)
      out.push_back(synth::to_hex(std::vector<uint8_t>(rd.begin() + 3, rd.end())));
  return out;
}

std::vector<TlsaChange> TlsaWatch::check(const synth::MailDomainDecl& d, const zone::Zone* old_zone) {
  std::vector<TlsaChange> out;
  for (const auto& h : d.mail_hosts) {
    // Only 3 1 1 follows the certificate's key; a 2 x x record keeps matching
    // a renewal from the same CA key.
    if (!h.tls || !h.name.is_subdomain_of(d.domain) || !h.tls->publishes(synth::TlsaForm::dane_ee_spki_sha256()))
      continue;
    std::string err;
    auto cert = synth::load_certificate(h.tls->cert, &err);
    if (!cert) continue;  // the synthesizer reports it
    std::string host = h.name.to_text();
    host.pop_back();
    const std::string now = synth::to_hex(cert->spki_sha256);
    const auto known = cert_key_.find(host);
    const bool changed = known != cert_key_.end() && known->second != now;
    cert_key_[host] = now;
    if (!changed || !old_zone) continue;
    const auto before = published_tlsa(*old_zone, h.name);
    if (std::find(before.begin(), before.end(), now) != before.end()) {
      out.push_back({false, host + ": TLSA rollover: " + h.tls->cert + " now uses the key that was published ahead (" +
                                now.substr(0, 16) + "...); DANE keeps working"});
    } else {
      out.push_back({true, host + ": DANE IS BROKEN until the TLSA TTL (" + std::to_string(d.ttl) +
                               " s) passes: the key of " + h.tls->cert + " (" + now.substr(0, 16) +
                               "...) was not in DNS before; its record is published now. Next time declare the new "
                               "key as tls.next_key at least 2 TTLs before switching the certificate"});
    }
  }
  return out;
}

}  // namespace mailns::server
