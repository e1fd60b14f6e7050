// TLSA rollover checks (DANE, RFC 7671 8.1): when a reload publishes a new
// certificate for a mail host, its key should already have been in DNS (as
// the declared next_key) for at least the TLSA TTL; otherwise DANE clients
// holding the old TLSA set in cache reject the server until that TTL passes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "zone/zone.hpp"

namespace mailns::server {

struct TlsaChange {
  bool broken = false;  // the new certificate's key was not in the published set
  std::string message;
};

// Remembers each mail host's certificate key between reloads; check()
// compares a changed one with the TLSA set the zone published until now.
class TlsaWatch {
 public:
  // old_zone: the version being replaced (nullptr at start-up: only remember).
  std::vector<TlsaChange> check(const synth::MailDomainDecl& d, const zone::Zone* old_zone);

 private:
  std::map<std::string, std::string> cert_key_;  // host -> SPKI SHA-256 hex
};

// The TLSA 3 1 1 digests (hex) published at _25._tcp.<host> in a zone.
std::vector<std::string> published_tlsa(const zone::Zone& zone, const zone::DnsName& host);

}  // namespace mailns::server
