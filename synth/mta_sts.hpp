// MTA-STS (RFC 8461): the policy file a domain serves at
// https://mta-sts.<domain>/.well-known/mta-sts.txt, and the policy id for the
// _mta-sts TXT record, derived from the policy text so it changes exactly
// when the policy changes.
#pragma once

#include <string>

#include "synth/declaration.hpp"

namespace mailns::synth {

// "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n";
// empty when the domain declares no mta_sts: (then no MTA-STS is published).
std::string mta_sts_policy(const MailDomainDecl& d);
// 1-32 alphanumerics (RFC 8461 3.1): 20 decimal digits from SHA-256(policy).
std::string mta_sts_id(const std::string& policy);

}  // namespace mailns::synth
