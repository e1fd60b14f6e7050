// Canonical form for DNSSEC (RFC 4034 6.2 as corrected by RFC 6840 5.1):
// owner names lower-cased, and the domain names inside the RDATA of the
// RFC 4034 6.2 list of types lower-cased (NS, MD, MF, CNAME, SOA, MB, MG, MR,
// PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV, DNAME, RRSIG;
// not NSEC, RFC 6840 5.1; A6 is obsolete and left as it is).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mailns::dnssec {

// Appends the lower-cased copy of an uncompressed wire name.
void append_lower_name(std::vector<uint8_t>& out, std::span<const uint8_t> wire);

// Appends the canonical form of rdata of the given type. RDATA that does not
// parse for its type is appended unchanged (it was validated at load).
void append_canonical_rdata(std::vector<uint8_t>& out, uint16_t type, std::span<const uint8_t> rdata);

// True when the canonical RDATA of this type can differ from its wire form.
bool rdata_has_canonical_names(uint16_t type) noexcept;

}  // namespace mailns::dnssec
