// PositionIndex: a hash index from lookup-form names to the items of an
// array the caller keeps (a zone's nodes), built once and only read after.
// Its slots hold a position in the array and part of the key's hash, not a
// pointer: 4 octets a slot for arrays below 65,535 items (16-bit position
// and tag), 8 above, against NameIndex's 16 or 24. A tag that matches is
// confirmed against the item's own key (KeyOf), so a lookup reads the item
// it returns and nothing else. Load at most 0.6, as NameIndex.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "zone/name_index.hpp"

namespace mailns::zone {

template <typename T, typename KeyOf>
class PositionIndex {
 public:
  // items must outlive the index and not move.
  void build(const T* items, size_t n) {
    items_ = items;
    small_.clear();
    large_.clear();
    if (n < 0xFFFF) {
      fill(small_, n);
    } else {
      fill(large_, n);
    }
  }

  // nullptr when absent.
  const T* find(const uint8_t* key, size_t len) const noexcept {
    const uint64_t h = hash_lookup_form(key, len);
    return small_.empty() ? find_in(large_, h, key, len) : find_in(small_, h, key, len);
  }
  const T* find(std::string_view key) const noexcept {
    return find(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }
  // Octets the table takes.
  size_t bytes() const noexcept { return small_.size() * sizeof(Small) + large_.size() * sizeof(Large); }

 private:
  template <typename U>
  struct Slot {
    U pos = 0;  // 0: free; otherwise the item's position + 1
    U tag = 0;  // the low bits of the key's hash
  };
  using Small = Slot<uint16_t>;
  using Large = Slot<uint32_t>;

  template <typename S>
  static size_t home(uint64_t h, const std::vector<S>& slots) noexcept {
    return static_cast<size_t>(((h >> 32) * static_cast<uint64_t>(slots.size())) >> 32);
  }
  template <typename S>
  void fill(std::vector<S>& slots, size_t n) {
    if (n == 0) return;
    slots.assign(n + n * 2 / 3 + 1, S{});
    slots.shrink_to_fit();
    for (size_t i = 0; i < n; ++i) {
      const std::string_view key = KeyOf{}(&items_[i]);
      const uint64_t h = hash_lookup_form(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      size_t at = home(h, slots);
      while (slots[at].pos != 0) at = at + 1 == slots.size() ? 0 : at + 1;
      slots[at].pos = static_cast<decltype(S::pos)>(i + 1);
      slots[at].tag = static_cast<decltype(S::tag)>(h);
    }
  }
  template <typename S>
  const T* find_in(const std::vector<S>& slots, uint64_t h, const uint8_t* key, size_t len) const noexcept {
    if (slots.empty()) return nullptr;
    const auto tag = static_cast<decltype(S::tag)>(h);
    for (size_t at = home(h, slots);; at = at + 1 == slots.size() ? 0 : at + 1) {
      const S& s = slots[at];
      if (s.pos == 0) return nullptr;
      if (s.tag != tag) continue;
      const T* item = &items_[s.pos - 1];
      const std::string_view k = KeyOf{}(item);
      if (k.size() == len && std::memcmp(k.data(), key, len) == 0) return item;
    }
  }

  const T* items_ = nullptr;
  std::vector<Small> small_;
  std::vector<Large> large_;
};

}  // namespace mailns::zone
