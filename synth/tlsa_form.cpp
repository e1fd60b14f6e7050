#include "synth/tlsa_form.hpp"

#include <sstream>

namespace mailns::synth {

namespace {
constexpr const char* kForms = "3 1 1, 3 0 1, 3 1 2, 2 1 1 or 2 0 1";
}

std::optional<TlsaForm> TlsaForm::parse(const std::string& text, std::string* error) {
  std::istringstream in(text);
  int u = -1, s = -1, m = -1;
  std::string rest;
  if (!(in >> u >> s >> m) || (in >> rest)) {
    if (error) *error = "'" + text + "' is not a TLSA form; write three numbers: " + kForms;
    return std::nullopt;
  }
  std::string why;
  if (u == 0 || u == 1) why = "usages 0 and 1 (PKIX) are not used for SMTP (RFC 7672 3.1.3)";
  else if (u != 2 && u != 3) why = "the usage is 2 (DANE-TA: the issuer) or 3 (DANE-EE: the server's certificate)";
  else if (s != 0 && s != 1) why = "the selector is 0 (whole certificate) or 1 (public key)";
  else if (m == 0) why = "matching type 0 publishes the whole certificate or key; publish a digest (1: SHA-256)";
  else if (m != 1 && m != 2) why = "the matching type is 1 (SHA-256) or 2 (SHA-512)";
  if (!why.empty()) {
    if (error) *error = "'" + text + "': " + why + "; write one of " + kForms;
    return std::nullopt;
  }
  return TlsaForm(static_cast<Usage>(u), static_cast<Selector>(s), static_cast<Matching>(m));
}

std::string TlsaForm::text() const {
  return std::to_string(static_cast<int>(usage_)) + " " + std::to_string(static_cast<int>(selector_)) + " " +
         std::to_string(static_cast<int>(matching_));
}

}  // namespace mailns::synth
