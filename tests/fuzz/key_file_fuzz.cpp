// libFuzzer target over the key files in key_dir (dnssec/signing_key,
// dnssec/p256_pkcs8): a file there may be damaged or not mailns's. Nothing
// may crash; a key that is read must write a PEM that reads back as the
// same key; and what p256_pkcs8_parts accepts must be exactly the template
// for its parts. The same bytes go to the signer's DER signature reader
// (dnssec/ecdsa_signature): what it accepts, OpenSSL must decode to the same
// r and s.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <array>
#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "dnssec/ecdsa_signature.hpp"
#include "dnssec/p256_pkcs8.hpp"
#include "dnssec/signing_key.hpp"

using namespace mailns::dnssec;

namespace {
void check_signature_der(std::span<const uint8_t> input) {
  std::array<uint8_t, 64> ours{};
  if (!p256_signature_from_der(input, ours)) return;
  const unsigned char* p = input.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(input.size()));
  if (!sig || p != input.data() + input.size()) std::abort();
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::array<uint8_t, 64> theirs{};
  if (BN_bn2binpad(r, theirs.data(), 32) != 32 || BN_bn2binpad(s, theirs.data() + 32, 32) != 32) std::abort();
  ECDSA_SIG_free(sig);
  if (ours != theirs) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  check_signature_der(input);
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
