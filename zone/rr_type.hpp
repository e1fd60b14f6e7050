// RR type codes, mnemonics and the structure of each type's RDATA as far as
// the server needs it: which embedded domain names exist, and which of them
// may be compressed (only the RFC 1035 types, RFC 3597 4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mailns::zone {

namespace rrtype {
inline constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, HINFO = 13, MX = 15, TXT = 16,
                          AAAA = 28, SRV = 33, NAPTR = 35, DNAME = 39, OPT = 41, DS = 43, RRSIG = 46,
                          NSEC = 47, DNSKEY = 48, NSEC3 = 50, NSEC3PARAM = 51, TLSA = 52, CDS = 59,
                          CDNSKEY = 60, SVCB = 64, HTTPS = 65, TSIG = 250, IXFR = 251, AXFR = 252,
                          ANY = 255, CAA = 257;
}  // namespace rrtype

namespace rrclass {
inline constexpr uint16_t IN = 1, CH = 3, NONE = 254, ANY = 255;
}

// "MX", or "TYPE65000" for types without a mnemonic (RFC 3597 5).
std::string type_to_text(uint16_t type);
// Accepts mnemonics (case-insensitive) and TYPEnnn.
std::optional<uint16_t> type_from_text(std::string_view text);

// True for meta types and QTYPEs that cannot be stored in a zone.
bool is_meta_type(uint16_t type) noexcept;

// An embedded domain name inside RDATA: uncompressed wire at [offset, offset+len).
struct RdataName {
  uint16_t offset;
  uint16_t len;
  bool compressible;
};

// Lists the embedded names of an RDATA of the given type (at most 2 today).
// Returns the number found, or -1 when the RDATA is malformed for its type.
// Types without embedded names return 0 after validating what they can.
int rdata_names(uint16_t type, std::span<const uint8_t> rdata, RdataName out[2]) noexcept;

// The name an MX, SRV, NS (and SVCB/HTTPS) record points at, for additional
// section processing; nullopt for other types.
std::optional<RdataName> rdata_target(uint16_t type, std::span<const uint8_t> rdata) noexcept;

}  // namespace mailns::zone
