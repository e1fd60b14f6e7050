// TlsaForm: which TLSA record of a mail host's certificate to publish, as
// the operator writes it ("3 1 1"). Only the forms that make sense for SMTP
// exist (RFC 7672 3.1.3: usages 0 and 1 are not used there; matching type 0
// would publish whole certificates): usage DANE-TA (2, the certificate that
// issued the leaf) or DANE-EE (3, the leaf), selector the whole certificate
// (0) or its public key (1), matching SHA-256 (1) or SHA-512 (2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mailns::synth {

class TlsaForm {
 public:
  enum class Usage : uint8_t { kDaneTa = 2, kDaneEe = 3 };
  enum class Selector : uint8_t { kCertificate = 0, kPublicKey = 1 };
  enum class Matching : uint8_t { kSha256 = 1, kSha512 = 2 };

  TlsaForm(Usage u, Selector s, Matching m) noexcept : usage_(u), selector_(s), matching_(m) {}
  static TlsaForm dane_ee_spki_sha256() noexcept { return {Usage::kDaneEe, Selector::kPublicKey, Matching::kSha256}; }
  // "3 1 1" (three numbers separated by blanks); nullopt with *error saying
  // what to write instead.
  static std::optional<TlsaForm> parse(const std::string& text, std::string* error);

  Usage usage() const noexcept { return usage_; }
  Selector selector() const noexcept { return selector_; }
  Matching matching() const noexcept { return matching_; }
  bool pins_issuer() const noexcept { return usage_ == Usage::kDaneTa; }
  std::string text() const;  // "3 1 1"
  friend bool operator==(const TlsaForm&, const TlsaForm&) = default;

 private:
  Usage usage_;
  Selector selector_;
  Matching matching_;
};

}  // namespace mailns::synth
