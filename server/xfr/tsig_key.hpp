// TsigKey: one shared secret for TSIG (RFC 8945): its name (a domain name,
// compared case-insensitively), its HMAC algorithm and the secret octets.
// Only HMAC-SHA256 and HMAC-SHA512 are offered (RFC 8945 6: SHA-256 is
// mandatory to implement; MD5 and SHA-1 are not worth supporting today).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "zone/dns_name.hpp"

namespace mailns::server {

enum class TsigAlgorithm : uint8_t { kHmacSha256, kHmacSha512 };

struct TsigKey {
  zone::DnsName name;
  TsigAlgorithm algorithm = TsigAlgorithm::kHmacSha256;
  std::vector<uint8_t> secret;
};

// "hmac-sha256": the configuration word, which is also the algorithm's
// domain name in the TSIG record (RFC 8945 6) without the trailing dot.
const char* tsig_algorithm_word(TsigAlgorithm a) noexcept;
// The algorithm name as written in a TSIG record ("hmac-sha256.").
const zone::DnsName& tsig_algorithm_name(TsigAlgorithm a);
// The algorithm a TSIG record names; nullopt for ones we do not offer.
std::optional<TsigAlgorithm> tsig_algorithm_from_name(const zone::DnsName& name);
// Octets of a full MAC: 32 or 64.
size_t tsig_mac_size(TsigAlgorithm a) noexcept;

// Decodes a base64 secret (whitespace and line breaks ignored, as
// `openssl rand -base64 32` writes it); nullopt when the text is not base64.
std::optional<std::vector<uint8_t>> decode_base64_secret(std::string_view text);

}  // namespace mailns::server
