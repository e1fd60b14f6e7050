#include "server/xfr/tsig_key.hpp"

namespace mailns::server {

const char* tsig_algorithm_word(TsigAlgorithm a) noexcept {
  return a == TsigAlgorithm::kHmacSha512 ? "hmac-sha512" : "hmac-sha256";
}

const zone::DnsName& tsig_algorithm_name(TsigAlgorithm a) {
  static const zone::DnsName sha256 = *zone::DnsName::from_text("hmac-sha256.");
  static const zone::DnsName sha512 = *zone::DnsName::from_text("hmac-sha512.");
  return a == TsigAlgorithm::kHmacSha512 ? sha512 : sha256;
}

std::optional<TsigAlgorithm> tsig_algorithm_from_name(const zone::DnsName& name) {
  for (TsigAlgorithm a : {TsigAlgorithm::kHmacSha256, TsigAlgorithm::kHmacSha512})
    if (name == tsig_algorithm_name(a)) return a;
  return std::nullopt;
}

size_t tsig_mac_size(TsigAlgorithm a) noexcept { return a == TsigAlgorithm::kHmacSha512 ? 64 : 32; }

}  // namespace mailns::server
