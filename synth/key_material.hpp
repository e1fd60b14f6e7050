// Reading the key and certificate files a declaration points at, through
// OpenSSL 3: DKIM public keys (RFC 6376 3.6.1, RFC 8463) from private key
// files, public key files or a provider's base64 key, and DANE-EE SPKI
// digests (RFC 7671, TLSA 3 1 x) from certificates or keys. Files are read,
// never written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mailns::synth {

struct DkimPublicKey {
  std::string algorithm;  // "rsa" or "ed25519" (the k= tag)
  int bits = 0;
  std::string base64;     // the p= value
};

// PEM private key, PKCS#8 or PKCS#1 (RSA). nullopt with *error on failure.
std::optional<DkimPublicKey> load_dkim_key(const std::string& path, std::string* error);
// PEM public key (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"), RSA or Ed25519.
std::optional<DkimPublicKey> load_dkim_public_key(const std::string& path, std::string* error);
// A provider's key as base64: a DER SubjectPublicKeyInfo (RSA or Ed25519),
// or the raw 32-octet Ed25519 key as RFC 8463 publishes it. Blanks ignored.
std::optional<DkimPublicKey> parse_dkim_public_key(const std::string& base64, std::string* error);

struct CertificateInfo {
  std::vector<uint8_t> spki_sha256;  // 32 octets
  int64_t not_after = 0;             // seconds since the epoch
};

// First certificate of a PEM file.
std::optional<CertificateInfo> load_certificate(const std::string& path, std::string* error);
// SHA-256 of the SubjectPublicKeyInfo of a PEM private or public key.
std::optional<std::vector<uint8_t>> load_key_spki_sha256(const std::string& path, std::string* error);
// The DER SubjectPublicKeyInfo of a PEM private or public key.
std::optional<std::vector<uint8_t>> load_key_spki(const std::string& path, std::string* error);

std::string to_hex(const std::vector<uint8_t>& bytes);

}  // namespace mailns::synth
