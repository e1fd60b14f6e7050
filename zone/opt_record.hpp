// The OPT pseudo-record of a response (RFC 6891 6.1.2): root owner, type
// OPT, our UDP payload size as CLASS, the upper 8 bits of the 12-bit rcode
// as EXTENDED-RCODE, version 0, the DO bit echoed (RFC 3225 3), and as
// options an Extended DNS Error INFO-CODE without EXTRA-TEXT (RFC 8914),
// our NSID (RFC 5001) and a DNS COOKIE (RFC 7873), each when given.
// Header-only: the query path writes one per EDNS answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "zone/rr_type.hpp"
#include "zone/wire_writer.hpp"

namespace mailns::zone {

inline constexpr size_t kOptRecordSize = 11;  // no options
inline constexpr size_t kEdeOptionSize = 6;   // OPTION-CODE, OPTION-LENGTH, INFO-CODE
inline constexpr size_t kOptionHeaderSize = 4;  // OPTION-CODE, OPTION-LENGTH
inline constexpr size_t kMaxNsidSize = 128;      // server.nsid
inline constexpr size_t kMaxCookieSize = 40;     // RFC 7873 4: client (8) and server (8 to 32) cookie
inline constexpr size_t kMaxOptRecordSize =
    kOptRecordSize + kEdeOptionSize + 2 * kOptionHeaderSize + kMaxNsidSize + kMaxCookieSize;
inline constexpr uint16_t kNsidOptionCode = 3;     // RFC 5001 2.3
inline constexpr uint16_t kCookieOptionCode = 10;  // RFC 7873 4
inline constexpr uint16_t kEdeOptionCode = 15;     // RFC 8914 2

// The options a response's OPT carries, each when set: an Extended DNS
// Error INFO-CODE (RFC 8914), our NSID (RFC 5001, at most kMaxNsidSize
// octets) and a COOKIE (RFC 7873, at most kMaxCookieSize octets).
struct OptOptions {
  std::optional<uint16_t> ede;
  std::span<const uint8_t> nsid = {};
  std::span<const uint8_t> cookie = {};

  constexpr size_t size() const noexcept {
    return (ede ? kEdeOptionSize : 0) + (nsid.empty() ? 0 : kOptionHeaderSize + nsid.size()) +
           (cookie.empty() ? 0 : kOptionHeaderSize + cookie.size());
  }
};

constexpr size_t opt_record_size(const OptOptions& options = {}) noexcept { return kOptRecordSize + options.size(); }

inline uint8_t* put_option_header(uint8_t* o, uint16_t code, size_t length) noexcept {
  o[0] = static_cast<uint8_t>(code >> 8);
  o[1] = static_cast<uint8_t>(code);
  o[2] = static_cast<uint8_t>(length >> 8);
  o[3] = static_cast<uint8_t>(length);
  return o + kOptionHeaderSize;
}

inline uint8_t* put_option(uint8_t* o, uint16_t code, std::span<const uint8_t> value) noexcept {
  o = put_option_header(o, code, value.size());
  if (!value.empty()) std::memcpy(o, value.data(), value.size());
  return o + value.size();
}

// Puts the record's octets at the start of out, which must hold
// opt_record_size(options) of them; returns that size. For callers that
// have already made room (a prepared answer); the others use
// write_opt_record.
inline size_t put_opt_record(std::span<uint8_t> out, uint16_t udp_payload, uint16_t rcode, bool dnssec_ok,
                             const OptOptions& options = {}) noexcept {
  const size_t size = opt_record_size(options);
  const auto rdlength = static_cast<uint16_t>(size - kOptRecordSize);
  uint8_t* o = out.data();
  o[0] = 0;  // root
  o[1] = static_cast<uint8_t>(rrtype::OPT >> 8);
  o[2] = static_cast<uint8_t>(rrtype::OPT);
  o[3] = static_cast<uint8_t>(udp_payload >> 8);
  o[4] = static_cast<uint8_t>(udp_payload);
  o[5] = static_cast<uint8_t>(rcode >> 4);  // EXTENDED-RCODE
  o[6] = 0;                                 // VERSION
  o[7] = dnssec_ok ? 0x80 : 0;              // DO, then Z
  o[8] = 0;
  o[9] = static_cast<uint8_t>(rdlength >> 8);
  o[10] = static_cast<uint8_t>(rdlength);
  uint8_t* at = o + kOptRecordSize;
  if (options.ede) {
    const uint8_t code[2] = {static_cast<uint8_t>(*options.ede >> 8), static_cast<uint8_t>(*options.ede)};
    at = put_option(at, kEdeOptionCode, code);  // INFO-CODE only
  }
  if (!options.nsid.empty()) at = put_option(at, kNsidOptionCode, options.nsid);
  if (!options.cookie.empty()) put_option(at, kCookieOptionCode, options.cookie);
  return size;
}

// Appends the record; when it does not fit, rolls the writer back to before
// it and returns false. The caller counts it in ARCOUNT when it returns true.
inline bool write_opt_record(WireWriter& w, uint16_t udp_payload, uint16_t rcode, bool dnssec_ok,
                             const OptOptions& options = {}) noexcept {
  uint8_t octets[kMaxOptRecordSize];
  const size_t n = put_opt_record(octets, udp_payload, rcode, dnssec_ok, options);
  const auto m = w.mark();
  w.bytes(octets, n);
  if (w.overflow()) {
    w.rollback(m);
    return false;
  }
  return true;
}

}  // namespace mailns::zone
