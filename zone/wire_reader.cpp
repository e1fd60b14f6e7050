#include "zone/wire_reader.hpp"

#include <cstring>

namespace mailns::zone {

std::span<const uint8_t> WireReader::bytes(size_t n) noexcept {
  if (!ok_ || n > msg_.size() - pos_) { ok_ = false; return {}; }
  auto s = msg_.subspan(pos_, n);
  pos_ += n;
  return s;
}

void WireReader::name(NameBuf& out) noexcept {
  out.len = 0;
  out.labels = 0;
  if (!ok_) return;
  size_t p = pos_;
  size_t limit = pos_;     // a pointer must target an offset before this
  bool jumped = false;
  size_t len = 0;
  for (;;) {
    if (p >= msg_.size()) { ok_ = false; return; }
    const uint8_t l = msg_[p];
    if ((l & 0xC0) == 0xC0) {
      if (p + 1 >= msg_.size()) { ok_ = false; return; }
      const size_t target = static_cast<size_t>(l & 0x3F) << 8 | msg_[p + 1];
      if (target >= limit) { ok_ = false; return; }  // forward or self pointer, or loop
      if (!jumped) { pos_ = p + 2; jumped = true; }
      limit = target;
      p = target;
      continue;
    }
    if ((l & 0xC0) != 0) { ok_ = false; return; }  // 0x40/0x80: extended label types
    if (l == 0) {
      if (len + 1 > kMaxNameWire) { ok_ = false; return; }
      out.wire[len++] = 0;
      if (!jumped) pos_ = p + 1;
      out.len = static_cast<uint8_t>(len);
      return;
    }
    if (p + 1 + l > msg_.size() || len + 1 + l + 1 > kMaxNameWire) { ok_ = false; return; }
    std::memcpy(out.wire + len, msg_.data() + p, l + 1);
    len += l + 1;
    ++out.labels;
    p += l + 1;
  }
}

}  // namespace mailns::zone
