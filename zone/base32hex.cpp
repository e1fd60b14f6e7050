#include "zone/base32hex.hpp"

namespace mailns::zone {

namespace {
constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";

int digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'v') return c - 'a' + 10;
  if (c >= 'A' && c <= 'V') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string base32hex_encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (5 - bits)) & 31];
  return out;
}

std::optional<std::vector<uint8_t>> base32hex_decode(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = digit_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>(acc >> (bits - 8)));
      bits -= 8;
    }
    acc &= (1u << bits) - 1;
  }
  // Leftover bits must be fewer than a whole character and all zero (RFC 4648 3.5).
  if (bits >= 5 || acc != 0) return std::nullopt;
  return out;
}

}  // namespace mailns::zone
