// libFuzzer target over the key files in key_dir (dnssec/signing_key,
// dnssec/p256_pkcs8): a file there may be damaged or not mailns's. Nothing
// may crash; a key that is read must write a PEM that reads back as the
// same key; and what p256_pkcs8_parts accepts must be exactly the template
// for its parts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "dnssec/p256_pkcs8.hpp"
#include "dnssec/signing_key.hpp"

using namespace mailns::dnssec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  if (auto parts = p256_pkcs8_parts(input)) {
    const std::vector<uint8_t> der = p256_pkcs8_der(parts->private_scalar, parts->public_point);
    if (!std::equal(der.begin(), der.end(), input.begin(), input.end())) std::abort();
  }
  auto key = SigningKey::from_pem(std::string_view(reinterpret_cast<const char*>(data), size), 257);
  if (!key) return 0;
  auto back = SigningKey::from_pem(key->to_pem(), 257);
  if (!back || back->dnskey_rdata() != key->dnskey_rdata()) std::abort();
  return 0;
}
