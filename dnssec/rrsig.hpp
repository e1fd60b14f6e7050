// Signing one RRset: builds the RRSIG RDATA of RFC 4034 3.1 over the
// canonical form of the RRset (RFC 4034 3.1.8.1 and 6.2: owner lower-cased,
// names in listed RDATA types lower-cased, RRs sorted by canonical RDATA,
// duplicates dropped, TTL = the original TTL). The Labels field does not
// count a leading "*" (RFC 4034 3.1.3), so wildcard RRsets verify when
// expanded. Inception and expiration are the caller's (32-bit serial time,
// RFC 4034 3.1.5).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dnssec/signing_key.hpp"
#include "zone/dns_name.hpp"

namespace mailns::dnssec {

struct SignatureTimes {
  uint32_t inception = 0;
  uint32_t expiration = 0;
};

// Reusable scratch buffers so that signing many RRsets does not allocate per
// RRset. Not thread-safe; use one per thread.
class RrsetSigner {
 public:
  // Appends the RRSIG RDATA for the RRset (owner, type, ttl, rdatas) signed
  // by ctx's key on behalf of signer (the zone apex) to out. False when the
  // RRset is empty or OpenSSL fails; out is then unchanged.
  bool sign(const zone::DnsName& owner, uint16_t type, uint32_t ttl, std::span<const std::span<const uint8_t>> rdatas,
            const zone::DnsName& signer, SignatureTimes times, SignContext& ctx, std::vector<uint8_t>& out);

 private:
  std::vector<uint8_t> data_;
  std::vector<uint8_t> owner_;
  std::vector<uint8_t> canon_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // (offset, length) into canon_
  std::vector<size_t> order_;
};

// One-shot form of RrsetSigner::sign; empty on failure.
std::vector<uint8_t> sign_rrset(const zone::DnsName& owner, uint16_t type, uint32_t ttl,
                                std::span<const std::span<const uint8_t>> rdatas, const zone::DnsName& signer,
                                SignatureTimes times, const SigningKey& key);

// RRSIG Labels field of an owner name (RFC 4034 3.1.3).
uint8_t rrsig_labels(const zone::DnsName& owner) noexcept;

// Fields of an RRSIG RDATA needed to schedule re-signing; false if malformed.
struct RrsigFields {
  uint16_t type_covered = 0;
  uint8_t algorithm = 0;
  uint8_t labels = 0;
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
};
bool parse_rrsig(std::span<const uint8_t> rdata, RrsigFields& out) noexcept;

}  // namespace mailns::dnssec
