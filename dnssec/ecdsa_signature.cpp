#include "dnssec/ecdsa_signature.hpp"

#include <algorithm>
#include <array>

namespace mailns::dnssec {

namespace {

// One DER INTEGER at der[at], its value right-aligned into out32; at moves
// past it. Short-form length only (a P-256 integer needs at most 33 octets).
bool read_integer(std::span<const uint8_t> der, size_t& at, std::span<uint8_t, 32> out32) noexcept {
  if (der.size() - at < 2 || der[at] != 0x02) return false;
  size_t len = der[at + 1];
  at += 2;
  if (len == 0 || len > 0x7f || der.size() - at < len) return false;
  const uint8_t* value = der.data() + at;
  at += len;
  if (value[0] & 0x80) return false;  // negative
  if (len > 1 && value[0] == 0) {
    if (!(value[1] & 0x80)) return false;  // not the shortest form
    ++value;
    --len;
  }
  if (len > 32) return false;
  std::fill(out32.begin(), out32.end() - static_cast<std::ptrdiff_t>(len), uint8_t{0});
  std::copy(value, value + len, out32.end() - static_cast<std::ptrdiff_t>(len));
  return true;
}

}  // namespace

bool p256_signature_from_der(std::span<const uint8_t> der, std::span<uint8_t, 64> out) noexcept {
  if (der.size() < 2 || der[0] != 0x30 || der[1] > 0x7f || der[1] != der.size() - 2) return false;
  std::array<uint8_t, 64> rs{};
  size_t at = 2;
  if (!read_integer(der, at, std::span<uint8_t, 32>(rs.data(), 32))) return false;
  if (!read_integer(der, at, std::span<uint8_t, 32>(rs.data() + 32, 32))) return false;
  if (at != der.size()) return false;
  std::copy(rs.begin(), rs.end(), out.begin());
  return true;
}

}  // namespace mailns::dnssec
