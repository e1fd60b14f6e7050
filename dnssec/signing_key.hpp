// SigningKey: one DNSSEC key (an OpenSSL 3 EVP_PKEY with its algorithm and
// DNSKEY flags), its DNSKEY RDATA (RFC 4034 2.1) and key tag (RFC 4034
// Appendix B), computed once. Keys are generated with OpenSSL and stored as
// unencrypted PKCS#8 PEM, written atomically with mode 0600.
//
// SignContext holds the per-thread OpenSSL state to sign with one key many
// times without re-fetching algorithms; it turns OpenSSL's output into the
// DNSSEC wire form (ECDSA r||s of RFC 6605 4, raw Ed25519 of RFC 8080 4,
// PKCS#1 v1.5 of RFC 5702 3). A SigningKey may be shared by threads; a
// SignContext may not.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnssec/algorithm.hpp"
#include "dnssec/p256_signer.hpp"
#include "dnssec/result.hpp"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace mailns::dnssec {

namespace dnskey_flags {
inline constexpr uint16_t kZone = 0x0100;  // RFC 4034 2.1.1
inline constexpr uint16_t kSep = 0x0001;
inline constexpr uint16_t kZsk = kZone;         // 256
inline constexpr uint16_t kKsk = kZone | kSep;  // 257, also used for a CSK
}  // namespace dnskey_flags

inline constexpr unsigned kRsaBits = 2048;

// RFC 4034 Appendix B key tag of a DNSKEY RDATA (any algorithm but 1).
uint16_t key_tag(std::span<const uint8_t> dnskey_rdata) noexcept;

class SigningKey {
 public:
  // A fresh key pair (P-256, Ed25519, or RSA kRsaBits with e = 65537).
  static Result<SigningKey> generate(Algorithm algorithm, uint16_t flags);
  // Reads a PEM private key (PKCS#8 or the traditional EC/RSA forms); the
  // algorithm follows from the key type (RSA is taken as RSASHA256).
  static Result<SigningKey> from_pem(std::string_view pem, uint16_t flags);
  static Result<SigningKey> load_pem_file(const std::string& path, uint16_t flags);

  // Unencrypted PKCS#8 PEM of the private key.
  std::string to_pem() const;
  // Writes to_pem() to path atomically with mode 0600.
  Status save_pem_file(const std::string& path) const;
  // As save_pem_file, but fails when path exists instead of replacing it.
  Status save_pem_file_new(const std::string& path) const;

  Algorithm algorithm() const noexcept { return algorithm_; }
  uint16_t flags() const noexcept { return flags_; }
  uint16_t tag() const noexcept { return tag_; }
  // flags(2) protocol(1)=3 algorithm(1) public key.
  const std::vector<uint8_t>& dnskey_rdata() const noexcept { return dnskey_; }
  std::span<const uint8_t> public_key() const noexcept { return std::span(dnskey_).subspan(4); }
  EVP_PKEY* pkey() const noexcept { return pkey_.get(); }

  // Same key material with other flags (e.g. a CSK published as 257).
  SigningKey with_flags(uint16_t flags) const;

  // Convenience one-shot signature (builds a SignContext); empty on failure.
  std::vector<uint8_t> sign(std::span<const uint8_t> data) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm algorithm, uint16_t flags, std::vector<uint8_t> public_key);

  std::shared_ptr<EVP_PKEY> pkey_;
  Algorithm algorithm_;
  uint16_t flags_;
  uint16_t tag_ = 0;
  std::vector<uint8_t> dnskey_;
};

// Reusable signing state for one key, for one thread.
class SignContext {
 public:
  explicit SignContext(const SigningKey& key);
  ~SignContext();
  SignContext(const SignContext&) = delete;
  SignContext& operator=(const SignContext&) = delete;
  SignContext(SignContext&& other) noexcept;
  SignContext& operator=(SignContext&&) = delete;

  const SigningKey& key() const noexcept { return *key_; }
  // False when OpenSSL could not set up a context for the key.
  bool usable() const noexcept { return usable_; }
  // Appends the DNSSEC wire-form signature of data to out; false (out
  // unchanged) when OpenSSL fails.
  bool sign(std::span<const uint8_t> data, std::vector<uint8_t>& out) noexcept;

 private:
  const SigningKey* key_;
  std::optional<P256Signer> p256_;  // ECDSA P-256 (p256_signer.hpp); pctx_ when it is not usable
  EVP_PKEY_CTX* pctx_ = nullptr;  // ECDSA, RSA: sign a SHA-256 digest
  EVP_MD_CTX* mctx_ = nullptr;    // digest (ECDSA, RSA) or EdDSA one-shot
  size_t max_signature_ = 0;      // ECDSA (DER), RSA: EVP_PKEY_get_size
  bool usable_ = false;
};

}  // namespace mailns::dnssec
