// A mail host's certificate file as DANE needs it: the leaf (the first
// certificate) and, among the certificates after it, the one that issued it
// (RFC 7671 5.2: a DANE-TA record pins that issuer, and the server must send
// it in its chain). Also the TLSA association data of each form (RFC 6698
// 2.1), digests through OpenSSL. Files are read, never written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synth/tlsa_form.hpp"

namespace mailns::synth {

struct ChainCertificate {
  std::vector<uint8_t> der;   // the whole certificate (TLSA selector 0)
  std::vector<uint8_t> spki;  // its SubjectPublicKeyInfo, DER (selector 1)
  std::string subject;        // one line, for messages
  std::string organization;   // subject O=, empty when absent
  int64_t not_before = 0;     // seconds since the epoch
  int64_t not_after = 0;
  bool self_signed = false;   // a root
};

struct CertificateChain {
  ChainCertificate leaf;
  std::optional<ChainCertificate> issuer;  // the certificate after the leaf that issued it
  size_t size = 1;                         // certificates in the file
};

// Every PEM certificate of the file, the first one being the leaf. nullopt
// with *error when the file cannot be read or holds no certificate.
std::optional<CertificateChain> load_certificate_chain(const std::string& path, std::string* error);

// SHA-256 or SHA-512 of data.
std::vector<uint8_t> tlsa_digest(TlsaForm::Matching m, const std::vector<uint8_t>& data);
// The association data of a record of this form; nullopt for a 2 x x form
// when the file holds no issuer.
std::optional<std::vector<uint8_t>> tlsa_association(const TlsaForm& form, const CertificateChain& chain);

}  // namespace mailns::synth
