#include "dnssec/canonical.hpp"

#include "zone/dns_name.hpp"

namespace mailns::dnssec {

namespace {

// Length of the uncompressed name at r[p], or 0 when malformed.
size_t name_len(std::span<const uint8_t> r, size_t p) noexcept {
  const size_t start = p;
  while (p < r.size()) {
    const uint8_t l = r[p];
    if (l == 0) return p + 1 - start;
    if (l > 63) return 0;
    p += l + 1;
  }
  return 0;
}

// Lower-cases the name at out[p...] in place; returns the position after it
// or 0 when the name is malformed.
size_t lower_name_at(std::vector<uint8_t>& out, size_t at, size_t p) noexcept {
  std::span<const uint8_t> view(out.data() + at, out.size() - at);
  const size_t n = name_len(view, p);
  if (n == 0) return 0;
  for (size_t i = p; i < p + n;) {
    const uint8_t l = out[at + i];
    for (size_t k = 1; k <= l; ++k) out[at + i + k] = zone::dns_lower(out[at + i + k]);
    i += l + 1;
  }
  return p + n;
}

// Skips a <character-string> at p; 0 when malformed.
size_t skip_string(std::span<const uint8_t> r, size_t p) noexcept {
  if (p >= r.size() || p + 1 + r[p] > r.size()) return 0;
  return p + 1 + r[p];
}

}  // namespace

void append_lower_name(std::vector<uint8_t>& out, std::span<const uint8_t> wire) {
  const size_t at = out.size();
  out.insert(out.end(), wire.begin(), wire.end());
  for (size_t p = at; p < out.size() && out[p] != 0;) {
    const uint8_t l = out[p];
    for (size_t k = 1; k <= l && p + k < out.size(); ++k) out[p + k] = zone::dns_lower(out[p + k]);
    p += l + 1;
  }
}

bool rdata_has_canonical_names(uint16_t type) noexcept {
  switch (type) {
    case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 12: case 14: case 15: case 17: case 18:
    case 21: case 24: case 26: case 30: case 33: case 35: case 36: case 39: case 46:
      return true;
    default:
      return false;
  }
}

void append_canonical_rdata(std::vector<uint8_t>& out, uint16_t type, std::span<const uint8_t> r) {
  const size_t at = out.size();
  out.insert(out.end(), r.begin(), r.end());
  if (!rdata_has_canonical_names(type)) return;
  // Each case lower-cases the names at their offsets; malformed input stops
  // early and stays as it was.
  switch (type) {
    case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39:  // one name
      lower_name_at(out, at, 0);
      return;
    case 6:    // SOA: mname rname ...
    case 14:   // MINFO: rmailbx emailbx
    case 17: {  // RP: mbox txt
      const size_t p = lower_name_at(out, at, 0);
      if (p) lower_name_at(out, at, p);
      return;
    }
    case 30:  // NXT: next name, bitmap
      lower_name_at(out, at, 0);
      return;
    case 15: case 18: case 21: case 36:  // preference + name
      if (r.size() > 2) lower_name_at(out, at, 2);
      return;
    case 26: {  // PX: preference map822 mapx400
      if (r.size() <= 2) return;
      const size_t p = lower_name_at(out, at, 2);
      if (p) lower_name_at(out, at, p);
      return;
    }
    case 33:  // SRV: priority weight port target
      if (r.size() > 6) lower_name_at(out, at, 6);
      return;
    case 24: case 46:  // SIG, RRSIG: signer name after 18 fixed octets
      if (r.size() > 18) lower_name_at(out, at, 18);
      return;
    case 35: {  // NAPTR: order pref flags services regexp replacement
      size_t p = 4;
      for (int i = 0; i < 3 && p; ++i) p = skip_string(r, p);
      if (p) lower_name_at(out, at, p);
      return;
    }
    default:
      return;
  }
}

}  // namespace mailns::dnssec
