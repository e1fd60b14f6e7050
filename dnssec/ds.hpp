// DS RDATA (RFC 4034 5.1) with the SHA-256 digest (type 2, RFC 4509) of a
// DNSKEY, and the child-side copies the parent can pick up automatically:
// CDS (same RDATA as DS) and CDNSKEY (same RDATA as DNSKEY), RFC 7344 3.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "zone/dns_name.hpp"

namespace mailns::dnssec {

inline constexpr uint8_t kDigestSha256 = 2;

// key tag(2) algorithm(1) digest type 2(1) SHA-256(owner | DNSKEY RDATA)(32).
// The owner is the zone apex; it is lower-cased as RFC 4034 5.1.4 requires.
std::vector<uint8_t> ds_rdata(const zone::DnsName& owner, std::span<const uint8_t> dnskey_rdata);

inline std::vector<uint8_t> cds_rdata(const zone::DnsName& owner, std::span<const uint8_t> dnskey_rdata) {
  return ds_rdata(owner, dnskey_rdata);
}
inline std::vector<uint8_t> cdnskey_rdata(std::span<const uint8_t> dnskey_rdata) {
  return {dnskey_rdata.begin(), dnskey_rdata.end()};
}

}  // namespace mailns::dnssec
