// WireReader: bounds-checked, noexcept reading of a DNS message with a sticky
// error (read everything, check ok() once). Names are decompressed into a
// caller buffer; compression pointers must point strictly backwards, which
// also rules out loops (RFC 1035 4.1.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/dns_name.hpp"

namespace mailns::zone {

// An uncompressed wire name read from a message, in the sender's case.
struct NameBuf {
  uint8_t wire[kMaxNameWire];
  uint8_t len = 0;     // total octets including the root label
  uint8_t labels = 0;  // not counting the root
};

// The fixed part of a resource record (RFC 1035 4.1.3) as read by
// WireReader::rr(): where it starts and where its RDATA is.
struct RrHeader {
  size_t start = 0;  // offset of the owner name
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  uint16_t rdlen = 0;
  size_t rdata_at = 0;  // offset of the RDATA
};

class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> msg) noexcept : msg_(msg) {}

  bool ok() const noexcept { return ok_; }
  void fail() noexcept { ok_ = false; }
  size_t pos() const noexcept { return pos_; }
  size_t remaining() const noexcept { return ok_ ? msg_.size() - pos_ : 0; }
  void seek(size_t p) noexcept {
    if (p > msg_.size()) ok_ = false; else pos_ = p;
  }

  // Inline: the query parser reads a handful of these per packet.
  uint8_t u8() noexcept {
    if (!ok_ || pos_ + 1 > msg_.size()) return fail_zero();
    return msg_[pos_++];
  }
  uint16_t u16() noexcept {
    if (!ok_ || pos_ + 2 > msg_.size()) return fail_zero();
    const uint16_t v = static_cast<uint16_t>(msg_[pos_] << 8 | msg_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u32() noexcept {
    if (!ok_ || pos_ + 4 > msg_.size()) return fail_zero();
    const uint32_t v = uint32_t{msg_[pos_]} << 24 | uint32_t{msg_[pos_ + 1]} << 16 |
                       uint32_t{msg_[pos_ + 2]} << 8 | uint32_t{msg_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  // Returns an empty span (and fails) when fewer than n octets remain.
  std::span<const uint8_t> bytes(size_t n) noexcept;
  void skip(size_t n) noexcept { (void)bytes(n); }
  // Reads one resource record: owner into owner, the fixed fields, and skips
  // the RDATA (check ok() afterwards).
  RrHeader rr(NameBuf& owner) noexcept {
    RrHeader h;
    h.start = pos_;
    name(owner);
    h.type = u16();
    h.klass = u16();
    h.ttl = u32();
    h.rdlen = u16();
    h.rdata_at = pos_;
    skip(h.rdlen);
    return h;
  }
  // Reads a possibly compressed name into out. On any error (forward or
  // looping pointer, label > 63, name > 255, truncation) the reader fails.
  void name(NameBuf& out) noexcept;

 private:
  uint8_t fail_zero() noexcept {
    ok_ = false;
    return 0;
  }
  std::span<const uint8_t> msg_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace mailns::zone
