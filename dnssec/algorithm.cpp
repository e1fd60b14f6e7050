#include "dnssec/algorithm.hpp"

#include <cctype>

namespace mailns::dnssec {

namespace {
bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
constexpr Algorithm kAll[] = {Algorithm::kEcdsaP256Sha256, Algorithm::kEd25519, Algorithm::kRsaSha256};
}  // namespace

std::optional<Algorithm> algorithm_from_config(std::string_view word) noexcept {
  for (Algorithm a : kAll)
    if (iequals(word, algorithm_config_word(a))) return a;
  return std::nullopt;
}

std::string_view algorithm_config_word(Algorithm a) noexcept {
  switch (a) {
    case Algorithm::kRsaSha256: return "rsasha256";
    case Algorithm::kEcdsaP256Sha256: return "ecdsap256sha256";
    case Algorithm::kEd25519: return "ed25519";
  }
  return "unknown";
}

std::string_view algorithm_mnemonic(Algorithm a) noexcept {
  switch (a) {
    case Algorithm::kRsaSha256: return "RSASHA256";
    case Algorithm::kEcdsaP256Sha256: return "ECDSAP256SHA256";
    case Algorithm::kEd25519: return "ED25519";
  }
  return "UNKNOWN";
}

std::optional<Algorithm> algorithm_from_number(uint8_t number) noexcept {
  for (Algorithm a : kAll)
    if (static_cast<uint8_t>(a) == number) return a;
  return std::nullopt;
}

}  // namespace mailns::dnssec
