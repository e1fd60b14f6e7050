// The unencrypted PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5915) of an ECDSA
// P-256 key, built from a fixed template: the DER that OpenSSL 3 writes for
// such a key, byte for byte, in well under a microsecond instead of the
// ~85 us its generic encoder takes (a first start with 10,000 zones writes
// 10,000 key files).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mailns::dnssec {

// private_scalar: the 32-octet big-endian secret; public_point: X || Y, 64
// octets (the DNSKEY public key field, RFC 6605 4).
std::vector<uint8_t> p256_pkcs8_der(std::span<const uint8_t, 32> private_scalar,
                                    std::span<const uint8_t, 64> public_point);

// The reverse, for reading keys back as fast (OpenSSL 3's generic decoder
// takes ~180 us per key, most of a warm start's key loading): the parts of
// a DER that is exactly the template's layout; nullopt for anything else
// (another key type, optional fields, other lengths), which the generic
// decoder then reads.
struct P256Parts {
  std::array<uint8_t, 32> private_scalar{};
  std::array<uint8_t, 64> public_point{};
};
std::optional<P256Parts> p256_pkcs8_parts(std::span<const uint8_t> der);

}  // namespace mailns::dnssec
