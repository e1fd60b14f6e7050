// OnlineZoneSigner: zone::OnlineSigner with a zone's signing keys, for
// compact denial of existence (RFC 9824): signs the NSEC records and wildcard
// expansions the query path makes. Inception/expiration follow the signing
// policy from the moment of signing. Each thread keeps its own OpenSSL
// contexts, so signing takes no lock.
#pragma once

#include <memory>
#include <vector>

#include "dnssec/signing_key.hpp"
#include "zone/dns_name.hpp"
#include "zone/online_signer.hpp"

namespace mailns::dnssec {

struct SigningPolicy;

class OnlineZoneSigner final : public zone::OnlineSigner {
 public:
  OnlineZoneSigner(zone::DnsName origin, std::vector<std::shared_ptr<const SigningKey>> keys,
                   const SigningPolicy& policy);
  bool sign(zone::NameRef owner, uint16_t type, uint32_t ttl, const std::vector<std::vector<uint8_t>>& rdatas,
            std::vector<std::vector<uint8_t>>& out) const noexcept override;

 private:
  zone::DnsName origin_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;
  uint32_t validity_;
  uint32_t inception_offset_;
  uint64_t id_;  // tells this signer's per-thread contexts from another's
};

}  // namespace mailns::dnssec
