#include "synth/key_material.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace mailns::synth {

namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no PEM data found";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// Never a prompt: OpenSSL's default callback reads a passphrase from the
// terminal, which hangs check-config, a reload or a start under a terminal.
// This one refuses and records that a passphrase was asked for.
int refuse_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return 0;
}

std::string encrypted_error(const std::string& path) {
  return path + ": the key is encrypted with a passphrase, which mailns cannot ask for; store it "
                "unencrypted, readable only by mailns (openssl pkey -in FILE -out FILE, mode 0600)";
}

Ptr<BIO> open_file(const std::string& path, std::string* error) {
  Ptr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio && error) *error = path + ": cannot read: " + std::strerror(errno);
  ERR_clear_error();
  return bio;
}

std::optional<std::vector<uint8_t>> spki_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return std::nullopt;
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::vector<uint8_t> sha256(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(32);
  unsigned int n = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

std::string base64(const uint8_t* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

}  // namespace

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

namespace {

// The p= and k= of a DKIM key record for key (RFC 6376 3.6.1, RFC 8463 4);
// what names the key in messages.
std::optional<DkimPublicKey> dkim_public_of(EVP_PKEY* key, const std::string& what, std::string* error) {
  DkimPublicKey out;
  out.bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      out.algorithm = "rsa";
      auto der = spki_der(key);  // RFC 6376 3.6.1: p= is the SubjectPublicKeyInfo
      if (!der) break;
      out.base64 = base64(der->data(), der->size());
      return out;
    }
    case EVP_PKEY_ED25519: {
      out.algorithm = "ed25519";
      uint8_t raw[32];
      size_t len = sizeof raw;
      if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1) break;
      out.base64 = base64(raw, len);  // RFC 8463 4: the raw 32-octet key
      return out;
    }
    default:
      if (error) *error = what + ": unsupported key type " + std::string(EVP_PKEY_get0_type_name(key)) +
                          "; DKIM keys are RSA or Ed25519";
      return std::nullopt;
  }
  if (error) *error = what + ": cannot derive the public key: " + openssl_error();
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> unbase64(const std::string& text) {
  std::string in;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) in += c;
  std::vector<uint8_t> out(in.size() * 3 / 4 + 3);
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  if (!ctx) return std::nullopt;
  EVP_DecodeInit(ctx);
  int n = 0, tail = 0;
  const int r = EVP_DecodeUpdate(ctx, out.data(), &n, reinterpret_cast<const unsigned char*>(in.data()),
                                 static_cast<int>(in.size()));
  const int f = r < 0 ? -1 : EVP_DecodeFinal(ctx, out.data() + n, &tail);
  EVP_ENCODE_CTX_free(ctx);
  if (r < 0 || f < 0 || in.empty()) return std::nullopt;
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

}  // namespace

std::optional<DkimPublicKey> load_dkim_key(const std::string& path, std::string* error) {
  auto bio = open_file(path, error);
  if (!bio) return std::nullopt;
  bool asked = false;
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, &asked));
  if (!key) {
    if (error) *error = asked ? encrypted_error(path)
                              : path + ": not a PEM private key (PKCS#8 or PKCS#1): " + openssl_error();
    ERR_clear_error();
    return std::nullopt;
  }
  return dkim_public_of(key.get(), path, error);
}

std::optional<DkimPublicKey> load_dkim_public_key(const std::string& path, std::string* error) {
  auto bio = open_file(path, error);
  if (!bio) return std::nullopt;
  bool asked = false;
  Ptr<EVP_PKEY> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, refuse_passphrase, &asked));
  if (!key) {
    if (error) *error = path + ": not a PEM public key (\"BEGIN PUBLIC KEY\"): " + openssl_error();
    ERR_clear_error();
    return std::nullopt;
  }
  return dkim_public_of(key.get(), path, error);
}

std::optional<DkimPublicKey> parse_dkim_public_key(const std::string& text, std::string* error) {
  auto der = unbase64(text);
  if (!der) {
    if (error) *error = "not base64";
    return std::nullopt;
  }
  const unsigned char* p = der->data();
  Ptr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
  if (key && p != der->data() + der->size()) key.reset();  // trailing octets: not one key
  if (!key && der->size() == 32) key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, der->data(), 32));
  ERR_clear_error();
  if (!key) {
    if (error) *error = "base64 of " + std::to_string(der->size()) +
                        " octets that are neither a DER SubjectPublicKeyInfo nor a 32-octet Ed25519 key";
    return std::nullopt;
  }
  return dkim_public_of(key.get(), "public_key", error);
}

std::optional<CertificateInfo> load_certificate(const std::string& path, std::string* error) {
  auto bio = open_file(path, error);
  if (!bio) return std::nullopt;
  bool asked = false;
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, refuse_passphrase, &asked));
  if (!cert) {
    if (error) *error = asked ? encrypted_error(path) : path + ": not a PEM certificate: " + openssl_error();
    ERR_clear_error();
    return std::nullopt;
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  auto der = key ? spki_der(key) : std::nullopt;
  if (!der) {
    if (error) *error = path + ": certificate has no usable public key";
    return std::nullopt;
  }
  CertificateInfo info;
  info.spki_sha256 = sha256(*der);
  struct tm t {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &t) == 1) info.not_after = timegm(&t);
  return info;
}

std::optional<std::vector<uint8_t>> load_key_spki(const std::string& path, std::string* error) {
  auto bio = open_file(path, error);
  if (!bio) return std::nullopt;
  bool asked = false;
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, &asked));
  if (!key && asked) {
    ERR_clear_error();
    if (error) *error = encrypted_error(path);
    return std::nullopt;
  }
  if (!key) {
    ERR_clear_error();
    BIO_reset(bio.get());
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, refuse_passphrase, &asked));
  }
  if (!key) {
    if (error) *error = path + ": not a PEM private or public key: " + openssl_error();
    return std::nullopt;
  }
  auto der = spki_der(key.get());
  if (!der && error) *error = path + ": cannot encode the public key";
  return der;
}

std::optional<std::vector<uint8_t>> load_key_spki_sha256(const std::string& path, std::string* error) {
  auto der = load_key_spki(path, error);
  if (!der) return std::nullopt;
  return sha256(*der);
}

}  // namespace mailns::synth
