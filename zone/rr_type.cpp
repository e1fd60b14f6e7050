#include "zone/rr_type.hpp"

#include <ldns/ldns.h>

#include <charconv>
#include <cstring>

namespace mailns::zone {

std::string type_to_text(uint16_t type) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d && d->_name && type != 0) return d->_name;
  return "TYPE" + std::to_string(type);
}

std::optional<uint16_t> type_from_text(std::string_view text) {
  if (text.size() > 4 && (text.substr(0, 4) == "TYPE" || text.substr(0, 4) == "type")) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data() + 4, text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v > 65535) return std::nullopt;
    return static_cast<uint16_t>(v);
  }
  std::string s(text);
  const ldns_rr_type t = ldns_get_rr_type_by_name(s.c_str());
  if (t == 0) return std::nullopt;
  return static_cast<uint16_t>(t);
}

bool is_meta_type(uint16_t type) noexcept {
  return type == 0 || type == rrtype::OPT || (type >= 128 && type <= 255);
}

namespace {
// Length of an uncompressed name at rdata[p], or 0 when malformed.
size_t name_len(std::span<const uint8_t> r, size_t p) noexcept {
  const size_t start = p;
  while (p < r.size()) {
    const uint8_t l = r[p];
    if (l == 0) return (p + 1 - start) <= 255 ? p + 1 - start : 0;
    if (l > 63) return 0;
    p += l + 1;
  }
  return 0;
}
}  // namespace

int rdata_names(uint16_t type, std::span<const uint8_t> r, RdataName out[2]) noexcept {
  auto one = [&](size_t at, bool compress, size_t min_tail, bool tail_exact) -> int {
    if (at > r.size()) return -1;
    const size_t n = name_len(r, at);
    if (n == 0) return -1;
    const size_t tail = r.size() - at - n;
    if (tail_exact ? tail != min_tail : tail < min_tail) return -1;
    out[0] = RdataName{static_cast<uint16_t>(at), static_cast<uint16_t>(n), compress};
    return 1;
  };
  switch (type) {
    case rrtype::A: return r.size() == 4 ? 0 : -1;
    case rrtype::AAAA: return r.size() == 16 ? 0 : -1;
    case rrtype::NS:
    case rrtype::CNAME:
    case rrtype::PTR: return one(0, true, 0, true);
    case rrtype::DNAME: return one(0, false, 0, true);
    case rrtype::MX: return r.size() < 3 ? -1 : one(2, true, 0, true);
    case rrtype::SRV: return r.size() < 7 ? -1 : one(6, false, 0, true);
    case rrtype::NSEC: return one(0, false, 0, false);
    case rrtype::RRSIG: return r.size() < 19 ? -1 : one(18, false, 0, false);
    case rrtype::SVCB:
    case rrtype::HTTPS: return r.size() < 3 ? -1 : one(2, false, 0, false);
    case rrtype::SOA: {
      const size_t a = name_len(r, 0);
      if (a == 0) return -1;
      const size_t b = name_len(r, a);
      if (b == 0 || r.size() != a + b + 20) return -1;
      out[0] = RdataName{0, static_cast<uint16_t>(a), true};
      out[1] = RdataName{static_cast<uint16_t>(a), static_cast<uint16_t>(b), true};
      return 2;
    }
    case rrtype::TXT: {
      if (r.empty()) return -1;
      size_t p = 0;
      while (p < r.size()) p += r[p] + 1;
      return p == r.size() ? 0 : -1;
    }
    default: return 0;
  }
}

std::optional<RdataName> rdata_target(uint16_t type, std::span<const uint8_t> rdata) noexcept {
  if (type != rrtype::MX && type != rrtype::SRV && type != rrtype::NS && type != rrtype::SVCB &&
      type != rrtype::HTTPS)
    return std::nullopt;
  RdataName n[2];
  if (rdata_names(type, rdata, n) != 1) return std::nullopt;
  return n[0];
}

}  // namespace mailns::zone
