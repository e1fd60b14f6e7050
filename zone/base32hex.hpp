// RFC 4648 7 "base32hex", the encoding of NSEC3 owner labels and next hashed
// owner names in presentation format (RFC 5155 3.3): lower case out, either
// case in, no padding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailns::zone {

std::string base32hex_encode(std::span<const uint8_t> data);
// nullopt for padding, characters outside the alphabet, or leftover bits that
// are a whole character or not zero (RFC 4648 3.5): only the encoding of some
// octets decodes, so a hash label of the wrong length does not.
std::optional<std::vector<uint8_t>> base32hex_decode(std::string_view text);

}  // namespace mailns::zone
