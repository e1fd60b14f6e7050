#include "synth/txt_rdata.hpp"

#include <cstddef>

namespace mailns::synth {

std::vector<uint8_t> txt_rdata(std::string_view value) {
  std::vector<uint8_t> out;
  do {
    const size_t n = value.size() < 255 ? value.size() : 255;
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), value.begin(), value.begin() + static_cast<ptrdiff_t>(n));
    value.remove_prefix(n);
  } while (!value.empty());
  return out;
}

std::string txt_value(const std::vector<uint8_t>& rdata) {
  std::string s;
  for (size_t p = 0; p < rdata.size();) {
    const size_t n = rdata[p];
    if (p + 1 + n > rdata.size()) break;
    s.append(reinterpret_cast<const char*>(rdata.data() + p + 1), n);
    p += n + 1;
  }
  return s;
}

}  // namespace mailns::synth
