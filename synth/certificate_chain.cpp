#include "synth/certificate_chain.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace mailns::synth {

namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

std::vector<uint8_t> der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::vector<uint8_t> spki_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

int64_t seconds(const ASN1_TIME* t) {
  struct tm tm {};
  return ASN1_TIME_to_tm(t, &tm) == 1 ? static_cast<int64_t>(timegm(&tm)) : 0;
}

std::string subject_of(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

std::string organization_of(X509* cert) {
  char buf[256];
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_organizationName, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

ChainCertificate facts(X509* cert) {
  ChainCertificate c;
  c.der = der_of(cert);
  c.spki = spki_of(cert);
  c.subject = subject_of(cert);
  c.organization = organization_of(cert);
  c.not_before = seconds(X509_get0_notBefore(cert));
  c.not_after = seconds(X509_get0_notAfter(cert));
  c.self_signed = X509_self_signed(cert, 0) == 1;
  return c;
}

// All certificates of a PEM file, in order; stops at the end of the data.
std::vector<Ptr<X509>> read_all(BIO* bio) {
  std::vector<Ptr<X509>> out;
  while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();
  return out;
}

}  // namespace

std::optional<CertificateChain> load_certificate_chain(const std::string& path, std::string* error) {
  Ptr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    if (error) *error = path + ": cannot read: " + std::strerror(errno);
    ERR_clear_error();
    return std::nullopt;
  }
  const auto certs = read_all(bio.get());
  if (certs.empty()) {
    if (error) *error = path + ": not a PEM certificate: no PEM data found";
    return std::nullopt;
  }
  CertificateChain chain;
  chain.leaf = facts(certs[0].get());
  chain.size = certs.size();
  if (chain.leaf.spki.empty()) {
    if (error) *error = path + ": certificate has no usable public key";
    return std::nullopt;
  }
  for (size_t i = 1; i < certs.size() && !chain.issuer; ++i)
    if (X509_check_issued(certs[i].get(), certs[0].get()) == X509_V_OK) chain.issuer = facts(certs[i].get());
  return chain;
}

std::vector<uint8_t> tlsa_digest(TlsaForm::Matching m, const std::vector<uint8_t>& data) {
  const EVP_MD* md = m == TlsaForm::Matching::kSha512 ? EVP_sha512() : EVP_sha256();
  std::vector<uint8_t> out(static_cast<size_t>(EVP_MD_get_size(md)));
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr);
  out.resize(n);
  return out;
}

std::optional<std::vector<uint8_t>> tlsa_association(const TlsaForm& form, const CertificateChain& chain) {
  const ChainCertificate* c = form.pins_issuer() ? (chain.issuer ? &*chain.issuer : nullptr) : &chain.leaf;
  if (!c) return std::nullopt;
  return tlsa_digest(form.matching(), form.selector() == TlsaForm::Selector::kCertificate ? c->der : c->spki);
}

}  // namespace mailns::synth
