// DNSSEC signing algorithms mailns generates keys for (RFC 8624 "MUST" /
// "RECOMMENDED" for signing), their IANA numbers and the words the
// configuration uses for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mailns::dnssec {

enum class Algorithm : uint8_t {
  kRsaSha256 = 8,         // RFC 5702, 2048-bit keys
  kEcdsaP256Sha256 = 13,  // RFC 6605
  kEd25519 = 15,          // RFC 8080
};

inline constexpr Algorithm kDefaultAlgorithm = Algorithm::kEcdsaP256Sha256;

// "ecdsap256sha256", "ed25519", "rsasha256" (case-insensitive); nullopt otherwise.
std::optional<Algorithm> algorithm_from_config(std::string_view word) noexcept;
// The configuration word, e.g. "ecdsap256sha256".
std::string_view algorithm_config_word(Algorithm a) noexcept;
// The IANA mnemonic, e.g. "ECDSAP256SHA256".
std::string_view algorithm_mnemonic(Algorithm a) noexcept;
// Algorithm for an IANA number, when mailns supports it.
std::optional<Algorithm> algorithm_from_number(uint8_t number) noexcept;
constexpr uint8_t algorithm_number(Algorithm a) noexcept { return static_cast<uint8_t>(a); }

}  // namespace mailns::dnssec
