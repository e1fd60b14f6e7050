// WireWriter: builds a DNS message into a caller buffer with name compression
// (RFC 1035 4.1.4) and rollback: an encoder takes a mark before each RRset and
// rolls back to it when the RRset does not fit, so a message never holds half
// an RRset. Overflow is sticky; nothing is written past the limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mailns::zone {

class WireWriter {
 public:
  WireWriter(std::span<uint8_t> buf, size_t limit) noexcept
      : buf_(buf.data()), buf_size_(buf.size()), cap_(limit < buf.size() ? limit : buf.size()) {}

  struct Mark {
    size_t size;
    size_t entries;
  };

  bool overflow() const noexcept { return overflow_; }
  size_t size() const noexcept { return size_; }
  size_t capacity() const noexcept { return cap_; }
  uint8_t* data() noexcept { return buf_; }
  // Sets the usable limit (never beyond the buffer), e.g. to keep room for
  // an OPT record and to release it again.
  void set_capacity(size_t cap) noexcept { cap_ = cap < buf_size_ ? cap : buf_size_; }

  Mark mark() const noexcept { return {size_, entries_}; }
  void rollback(Mark m) noexcept {
    size_ = m.size;
    entries_ = m.entries;
    overflow_ = false;
  }

  void u8(uint8_t v) noexcept;
  void u16(uint16_t v) noexcept;
  void u32(uint32_t v) noexcept;
  void bytes(const uint8_t* p, size_t n) noexcept;
  // Overwrites a 16-bit value already written at offset (for RDLENGTH, counts).
  void patch_u16(size_t offset, uint16_t v) noexcept;

  // Writes an uncompressed wire name, replacing its longest suffix already in
  // the message by a pointer when compress is set. Suffixes written here are
  // remembered as targets for later names in either case; the writer keeps a
  // pointer to `wire`, which must outlive it (zone data or the parsed query).
  void name(const uint8_t* wire, size_t len, bool compress) noexcept;

 private:
  struct Entry {
    const uint8_t* suffix;  // uncompressed octets of the suffix (source name)
    uint16_t len;
    uint16_t offset;
  };
  static constexpr size_t kMaxEntries = 64;

  uint8_t* buf_;
  size_t buf_size_;
  size_t cap_;
  size_t size_ = 0;
  bool overflow_ = false;
  Entry entries_buf_[kMaxEntries];
  size_t entries_ = 0;
};

}  // namespace mailns::zone
