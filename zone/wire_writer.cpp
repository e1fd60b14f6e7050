#include "zone/wire_writer.hpp"

#include <cstring>

#include "zone/dns_name.hpp"

namespace mailns::zone {

namespace {
bool equal_nocase(const uint8_t* a, const uint8_t* b, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i)
    if (dns_lower(a[i]) != dns_lower(b[i])) return false;
  return true;
}
}  // namespace

void WireWriter::u8(uint8_t v) noexcept {
  if (overflow_ || size_ + 1 > cap_) { overflow_ = true; return; }
  buf_[size_++] = v;
}

void WireWriter::u16(uint16_t v) noexcept {
  if (overflow_ || size_ + 2 > cap_) { overflow_ = true; return; }
  buf_[size_] = static_cast<uint8_t>(v >> 8);
  buf_[size_ + 1] = static_cast<uint8_t>(v);
  size_ += 2;
}

void WireWriter::u32(uint32_t v) noexcept {
  if (overflow_ || size_ + 4 > cap_) { overflow_ = true; return; }
  buf_[size_] = static_cast<uint8_t>(v >> 24);
  buf_[size_ + 1] = static_cast<uint8_t>(v >> 16);
  buf_[size_ + 2] = static_cast<uint8_t>(v >> 8);
  buf_[size_ + 3] = static_cast<uint8_t>(v);
  size_ += 4;
}

void WireWriter::bytes(const uint8_t* p, size_t n) noexcept {
  if (overflow_ || size_ > cap_ || n > cap_ - size_) { overflow_ = true; return; }
  if (n) std::memcpy(buf_ + size_, p, n);
  size_ += n;
}

void WireWriter::patch_u16(size_t offset, uint16_t v) noexcept {
  if (offset + 2 > size_) return;
  buf_[offset] = static_cast<uint8_t>(v >> 8);
  buf_[offset + 1] = static_cast<uint8_t>(v);
}

void WireWriter::name(const uint8_t* wire, size_t len, bool compress) noexcept {
  if (overflow_) return;
  // Find the longest suffix (starting at a label boundary) already present.
  size_t match_at = len - 1;  // position of the root label: nothing matched
  uint16_t match_offset = 0;
  bool found = false;
  if (compress) {
    for (size_t p = 0; p < len - 1 && !found; p += wire[p] + 1) {
      const size_t sl = len - p;
      for (size_t e = 0; e < entries_; ++e) {
        const Entry& en = entries_buf_[e];
        if (en.len == sl && equal_nocase(en.suffix, wire + p, sl)) {
          match_at = p;
          match_offset = en.offset;
          found = true;
          break;
        }
      }
    }
  }
  // Write the labels before the match, remembering each new suffix.
  for (size_t p = 0; p < match_at; p += wire[p] + 1) {
    const size_t at = size_;
    bytes(wire + p, wire[p] + 1);
    if (overflow_) return;
    if (at < 0x3FFF && entries_ < kMaxEntries) {
      // What follows `at` may end in a pointer; compare against the source
      // name's uncompressed suffix, which spells the same name.
      entries_buf_[entries_++] = Entry{wire + p, static_cast<uint16_t>(len - p), static_cast<uint16_t>(at)};
    }
  }
  if (found) {
    u16(static_cast<uint16_t>(0xC000 | match_offset));
  } else {
    u8(0);
  }
}

}  // namespace mailns::zone
