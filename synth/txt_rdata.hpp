// TXT RDATA from a text value: split into character-strings of at most 255
// octets (RFC 1035 3.3.14, RFC 7208 3.3, RFC 6376 3.6.2.2), and back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailns::synth {

std::vector<uint8_t> txt_rdata(std::string_view value);
// The concatenation of all character-strings (how SPF/DKIM/DMARC read TXT).
std::string txt_value(const std::vector<uint8_t>& rdata);

}  // namespace mailns::synth
