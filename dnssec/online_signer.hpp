// OnlineZoneSigner: zone::OnlineSigner with a zone's signing keys, for
// compact denial of existence (RFC 9824): signs the NSEC records and wildcard
// expansions the query path makes. Inception/expiration follow the signing
// policy from the moment of signing. Each thread keeps its own OpenSSL
// contexts, so signing takes no lock; a thread drops the contexts of signers
// destroyed since (a re-sign replaces the zone's signer) the next time it
// signs, so they neither pile up nor keep old private keys alive.
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
  ~OnlineZoneSigner() override;
  OnlineZoneSigner(const OnlineZoneSigner&) = delete;
  OnlineZoneSigner& operator=(const OnlineZoneSigner&) = delete;

  bool sign(zone::NameRef owner, uint16_t type, uint32_t ttl, const zone::RdataList& rdatas,
            zone::RdataList& out) const noexcept override;

 private:
  zone::DnsName origin_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;
  uint32_t validity_;
  uint32_t inception_offset_;
  uint64_t id_;  // tells this signer's per-thread contexts from another's
};

// The signing contexts the calling thread holds (for tests: they must not
// grow with the number of signers that ever existed).
size_t online_signer_thread_contexts() noexcept;

}  // namespace mailns::dnssec
