#include "dnssec/p256_pkcs8.hpp"

#include <algorithm>

namespace mailns::dnssec {

namespace {
constexpr uint8_t kHead[] = {
      0x30, 0x81, 0x87,                                            // PrivateKeyInfo SEQUENCE, 135 octets
      0x02, 0x01, 0x00,                                            // version 0
      0x30, 0x13,                                                  // AlgorithmIdentifier
      0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,        //   id-ecPublicKey
      0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,  //   prime256v1
      0x04, 0x6d,                                                  // privateKey OCTET STRING, 109 octets
      0x30, 0x6b,                                                  //   ECPrivateKey SEQUENCE, 107 octets
      0x02, 0x01, 0x01,                                            //     version 1
      0x04, 0x20,                                                  //     privateKey, 32 octets
};
constexpr uint8_t kPublic[] = {
    0xa1, 0x44,              // [1] publicKey, 68 octets
    0x03, 0x42, 0x00, 0x04,  // BIT STRING, no unused bits, uncompressed point
};
constexpr size_t kSize = sizeof kHead + 32 + sizeof kPublic + 64;
}  // namespace

std::vector<uint8_t> p256_pkcs8_der(std::span<const uint8_t, 32> private_scalar,
                                    std::span<const uint8_t, 64> public_point) {
  std::vector<uint8_t> der;
  der.reserve(kSize);
  der.insert(der.end(), std::begin(kHead), std::end(kHead));
  der.insert(der.end(), private_scalar.begin(), private_scalar.end());
  der.insert(der.end(), std::begin(kPublic), std::end(kPublic));
  der.insert(der.end(), public_point.begin(), public_point.end());
  return der;
}

std::optional<P256Parts> p256_pkcs8_parts(std::span<const uint8_t> der) {
  constexpr size_t kScalarAt = sizeof kHead, kPublicAt = kScalarAt + 32, kPointAt = kPublicAt + sizeof kPublic;
  if (der.size() != kSize || !std::equal(std::begin(kHead), std::end(kHead), der.begin()) ||
      !std::equal(std::begin(kPublic), std::end(kPublic), der.begin() + kPublicAt))
    return std::nullopt;
  P256Parts parts;
  std::copy_n(der.begin() + kScalarAt, 32, parts.private_scalar.begin());
  std::copy_n(der.begin() + kPointAt, 64, parts.public_point.begin());
  return parts;
}

}  // namespace mailns::dnssec
