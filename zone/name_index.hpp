// NameIndex: an open-addressing hash table from lookup-form names to values,
// built once at load and only read afterwards (no locks, no allocation on
// lookup). Keys are string_views into storage owned by the caller.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace mailns::zone {

inline uint64_t hash_lookup_form(const uint8_t* p, size_t n) noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

template <typename T>
class NameIndex {
 public:
  void build(const std::vector<std::pair<std::string_view, T>>& items) {
    size_t cap = 16;
    while (cap < items.size() * 2 + 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const auto& [key, value] : items) insert(key, value);
  }

  // Returns nullptr-equivalent T{} when absent.
  T find(const uint8_t* key, size_t len) const noexcept { return find_hashed(hash_lookup_form(key, len), key, len); }
  // The same, with the key's hash_lookup_form already computed.
  T find_hashed(uint64_t h, const uint8_t* key, size_t len) const noexcept {
    if (slots_.empty()) return T{};
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used) return T{};
      if (s.hash == h && s.key.size() == len && std::memcmp(s.key.data(), key, len) == 0) return s.value;
    }
  }
  T find(std::string_view key) const noexcept {
    return find(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }
  // Every entry, in no particular order: fn(key, value).
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.used) fn(s.key, s.value);
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    std::string_view key;
    T value{};
    bool used = false;
  };
  void insert(std::string_view key, T value) {
    const uint64_t h = hash_lookup_form(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{h, key, value, true};
        return;
      }
      if (s.hash == h && s.key == key) {
        s.value = value;
        return;
      }
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace mailns::zone
