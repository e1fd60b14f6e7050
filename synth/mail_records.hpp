// The synthesizer proper: turns one mail-domain declaration into the full
// record set of its zone (SOA, NS+glue, MX, addresses, SPF, DKIM, DMARC,
// MTA-STS, TLS-RPT, SRV, autoconfig, CAA, TLSA, BIMI, report authorisations,
// user records merged at RRset level), or the parked-domain set. Problems
// reading referenced files are reported as diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "synth/diagnostic.hpp"
#include "zone/record.hpp"

namespace mailns::synth {

struct SynthOptions {
  uint32_t serial = 1;  // SOA serial (managed by the caller)
  int64_t now = 0;      // seconds since the epoch, for certificate checks
};

struct SynthesizedZone {
  zone::DnsName origin;
  std::vector<zone::Record> records;  // SOA first
  std::string mta_sts_policy;         // empty unless the domain declares mta_sts: (and is not parked)
};

SynthesizedZone synthesize_mail_domain(const MailDomainDecl& d, const SynthOptions& opt, Diagnostics& diags);

// Reverse zones: PTR for every declared mail host address inside each zone.
// SOA and NS come from the first mail domain.
std::vector<SynthesizedZone> synthesize_reverse_zones(const std::vector<ReverseZoneDecl>& zones,
                                                      const std::vector<MailDomainDecl>& domains,
                                                      const SynthOptions& opt, Diagnostics& diags);

// Reverse lookup name of an IPv4 or IPv6 address (RFC 1035 3.5, RFC 3596 2.5).
std::optional<zone::DnsName> reverse_name(const std::string& address);

}  // namespace mailns::synth
