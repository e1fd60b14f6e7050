// RdataList: the RDATA of one RRset (or the signatures over it) in one
// buffer, each entry a 2-octet length and its octets (RDATA never exceeds
// 65535 octets, RFC 1035 3.2.1). A zone holds one per RRset, not one heap
// block per record: the per-allocation overhead was most of a small record's
// cost. Entries are read in order; operator[] walks and is for small indexes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

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

  // Entries longer than 65535 octets cannot be RDATA and are not added.
  void push_back(std::span<const uint8_t> rd) {
    if (rd.size() > 0xFFFF) return;
    bytes_.push_back(static_cast<uint8_t>(rd.size() >> 8));
    bytes_.push_back(static_cast<uint8_t>(rd.size()));
    bytes_.insert(bytes_.end(), rd.begin(), rd.end());
    ++count_;
  }
  bool contains(std::span<const uint8_t> rd) const noexcept {
    for (const auto x : *this)
      if (std::equal(x.begin(), x.end(), rd.begin(), rd.end())) return true;
    return false;
  }
  size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  std::span<const uint8_t> front() const noexcept { return *begin(); }
  std::span<const uint8_t> operator[](size_t i) const noexcept { return *std::next(begin(), static_cast<std::ptrdiff_t>(i)); }
  iterator begin() const noexcept { return iterator(bytes_.data()); }
  iterator end() const noexcept { return iterator(bytes_.data() + bytes_.size()); }
  void clear() noexcept {
    bytes_.clear();
    count_ = 0;
  }
  void shrink_to_fit() { bytes_.shrink_to_fit(); }
  // Octets held, lengths included.
  size_t bytes() const noexcept { return bytes_.size(); }

  friend bool operator==(const RdataList& a, const RdataList& b) noexcept {
    return a.count_ == b.count_ && a.bytes_ == b.bytes_;
  }

 private:
  std::vector<uint8_t> bytes_;
  uint32_t count_ = 0;
};

}  // namespace mailns::zone
