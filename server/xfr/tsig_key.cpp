#include "server/xfr/tsig_key.hpp"

#include <openssl/evp.h>

#include <string>

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

std::optional<std::vector<uint8_t>> decode_base64_secret(std::string_view text) {
  std::string clean;
  for (char ch : text)
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') clean += ch;
  if (clean.empty() || clean.size() % 4 != 0) return std::nullopt;
  std::vector<uint8_t> out(clean.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero octets.
  size_t pad = 0;
  if (clean.back() == '=') ++pad;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace mailns::server
