#include "zone/type_bitmap.hpp"

#include <algorithm>

namespace mailns::zone {

void append_type_bitmap(std::vector<uint8_t>& out, std::span<const uint16_t> types) {
  size_t i = 0;
  while (i < types.size()) {
    const uint8_t window = static_cast<uint8_t>(types[i] >> 8);
    uint8_t bits[32] = {};
    size_t len = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const uint8_t low = static_cast<uint8_t>(types[i]);
      bits[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
      len = std::max<size_t>(len, low / 8 + 1u);
    }
    out.push_back(window);
    out.push_back(static_cast<uint8_t>(len));
    out.insert(out.end(), bits, bits + len);
  }
}

}  // namespace mailns::zone
