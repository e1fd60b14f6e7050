// RdataList: the RDATA of one RRset (or the signatures over it) in one
// buffer, each entry a 2-octet length and its octets (RDATA never exceeds
// 65535 octets, RFC 1035 3.2.1). A zone holds one per RRset, not one heap
// block per record: the per-allocation overhead was most of a small record's
// cost. Entries are read in order; operator[] walks and is for small indexes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <span>
#include <utility>

namespace mailns::zone {

class RdataList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::span<const uint8_t>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::span<const uint8_t>;
    iterator() = default;
    explicit iterator(const uint8_t* p) noexcept : p_(p) {}
    std::span<const uint8_t> operator*() const noexcept { return {p_ + 2, length()}; }
    iterator& operator++() noexcept {
      p_ += 2 + length();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }

   private:
    size_t length() const noexcept { return static_cast<size_t>(p_[0]) << 8 | p_[1]; }
    const uint8_t* p_ = nullptr;
  };

  RdataList() = default;
  RdataList(std::initializer_list<std::span<const uint8_t>> items) {
    for (const auto& rd : items) push_back(rd);
  }
  RdataList(const RdataList& o) { assign(o); }
  RdataList(RdataList&& o) noexcept : block_(std::exchange(o.block_, nullptr)) {}
  RdataList& operator=(const RdataList& o) {
    if (this != &o) {
      clear();
      assign(o);
    }
    return *this;
  }
  RdataList& operator=(RdataList&& o) noexcept {
    if (this != &o) {
      clear();
      block_ = std::exchange(o.block_, nullptr);
    }
    return *this;
  }
  ~RdataList() { clear(); }

  // Entries longer than 65535 octets cannot be RDATA and are not added.
  void push_back(std::span<const uint8_t> rd) {
    if (rd.size() > 0xFFFF) return;
    const size_t need = used() + 2 + rd.size();
    if (need > kMaxBytes) return;
    if (need > capacity()) reallocate(std::max(need, capacity() * 2));
    uint8_t* at = data() + used();
    at[0] = static_cast<uint8_t>(rd.size() >> 8);
    at[1] = static_cast<uint8_t>(rd.size());
    if (!rd.empty()) std::memcpy(at + 2, rd.data(), rd.size());
    header().used = static_cast<uint32_t>(need);
    ++header().count;
  }
  bool contains(std::span<const uint8_t> rd) const noexcept {
    for (const auto x : *this)
      if (std::equal(x.begin(), x.end(), rd.begin(), rd.end())) return true;
    return false;
  }
  size_t size() const noexcept { return block_ ? header().count : 0; }
  bool empty() const noexcept { return size() == 0; }
  std::span<const uint8_t> front() const noexcept { return *begin(); }
  std::span<const uint8_t> operator[](size_t i) const noexcept { return *std::next(begin(), static_cast<std::ptrdiff_t>(i)); }
  iterator begin() const noexcept { return iterator(block_ ? data() : nullptr); }
  iterator end() const noexcept { return iterator(block_ ? data() + used() : nullptr); }
  void clear() noexcept {
    release();
    block_ = nullptr;
  }
  void shrink_to_fit() {
    if (block_ && capacity() > used()) reallocate(used());
  }
  // Octets held, lengths included.
  size_t bytes() const noexcept { return used(); }

  // Packing into a block the caller owns (a zone's arena, ZoneBuilder): the
  // octets the list's block takes (0 when empty), and moving it to `at`
  // (4-aligned, kept while this list and its moves live). Copies own a block
  // of their own again; adding to a packed list copies it out first.
  static constexpr size_t kBlockAlign = alignof(uint32_t);
  size_t block_size() const noexcept { return block_ ? sizeof(Header) + used() : 0; }
  void move_block_to(uint8_t* at) noexcept {
    if (!block_) return;
    const Header h{header().count, header().used, header().used | kBorrowed};
    std::memcpy(at, &h, sizeof h);
    std::memcpy(at + sizeof(Header), data(), used());
    release();
    block_ = at;
  }

  friend bool operator==(const RdataList& a, const RdataList& b) noexcept {
    return a.size() == b.size() && a.used() == b.used() && (a.used() == 0 || std::memcmp(a.data(), b.data(), a.used()) == 0);
  }

 private:
  // One heap block per list: this header, then the entries. An empty list
  // holds no block, so a list costs one pointer in its RRset.
  struct Header {
    uint32_t count;
    uint32_t used;      // octets of entries
    uint32_t capacity;  // octets the block has room for after the header; | kBorrowed: not ours to free
  };
  static constexpr uint32_t kBorrowed = 0x80000000u;
  static constexpr size_t kMaxBytes = 0x7FFFFFFFu;
  bool borrowed() const noexcept { return (header().capacity & kBorrowed) != 0; }
  void release() noexcept {
    if (block_ && !borrowed()) ::operator delete(block_);
  }
  Header& header() const noexcept { return *reinterpret_cast<Header*>(block_); }
  uint8_t* data() const noexcept { return block_ + sizeof(Header); }
  size_t used() const noexcept { return block_ ? header().used : 0; }
  size_t capacity() const noexcept { return block_ ? header().capacity & ~kBorrowed : 0; }
  void reallocate(size_t cap) {
    cap = std::min(cap, kMaxBytes);
    auto* block = static_cast<uint8_t*>(::operator new(sizeof(Header) + cap));
    const Header h{static_cast<uint32_t>(size()), static_cast<uint32_t>(used()), static_cast<uint32_t>(cap)};
    std::memcpy(block, &h, sizeof h);
    if (used()) std::memcpy(block + sizeof(Header), data(), used());
    release();
    block_ = block;
  }
  void assign(const RdataList& o) {
    if (o.empty()) return;
    reallocate(o.used());
    std::memcpy(data(), o.data(), o.used());
    header().used = static_cast<uint32_t>(o.used());
    header().count = static_cast<uint32_t>(o.size());
  }

  uint8_t* block_ = nullptr;
};

}  // namespace mailns::zone
