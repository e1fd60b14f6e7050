// NameIndex: an open-addressing hash table from lookup-form names to values,
// built once at load and only read afterwards (no locks, no allocation on
// lookup). Keys are string_views into storage owned by the caller.
// With a KeyOf that gives a value's key (a node's lookup form is its name's),
// a slot holds no key pointer: 16 octets instead of 24.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mailns::zone {

inline uint64_t hash_lookup_form(const uint8_t* p, size_t n) noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

// The KeyOf of an index whose slots keep a pointer to each key.
struct StoredKey {};

template <typename T, typename KeyOf = StoredKey>
class NameIndex {
 public:
  // Sized for a load of at most 0.6 (short probe runs on misses, which
  // closest-encloser searches make often).
  void build(const std::vector<std::pair<std::string_view, T>>& items) {
    const size_t cap = items.size() + items.size() * 2 / 3 + 1;
    slots_.assign(cap, Slot{});
    slots_.shrink_to_fit();
    for (const auto& [key, value] : items) insert(key, value);
  }

  // Returns nullptr-equivalent T{} when absent.
  T find(const uint8_t* key, size_t len) const noexcept { return find_hashed(hash_lookup_form(key, len), key, len); }
  // The same, with the key's hash_lookup_form already computed.
  T find_hashed(uint64_t h, const uint8_t* key, size_t len) const noexcept {
    if (slots_.empty()) return T{};
    const auto tag = static_cast<uint32_t>(h);
    for (size_t i = home(h);; i = next(i)) {
      const Slot& s = slots_[i];
      if (s.len == kFree) return T{};
      if (s.tag == tag && s.len == len && std::memcmp(key_of(s), key, len) == 0) return s.value;
    }
  }
  T find(std::string_view key) const noexcept {
    return find(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }
  // Octets a slot takes (the table has 1.67 slots an entry).
  static constexpr size_t slot_size() noexcept { return sizeof(Slot); }
  // Every entry, in no particular order: fn(key, value).
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.len != kFree) fn(std::string_view(key_of(s), s.len), s.value);
  }

 private:
  static constexpr uint16_t kFree = 0xFFFF;  // a lookup form has at most 254 octets
  static constexpr bool kStored = std::is_same_v<KeyOf, StoredKey>;
  struct KeyPointer {
    const char* key = nullptr;
  };
  struct NoKeyPointer {};
  struct Slot : std::conditional_t<kStored, KeyPointer, NoKeyPointer> {
    T value{};
    uint32_t tag = 0;  // the low half of the key's hash
    uint16_t len = kFree;
  };
  static const char* key_of(const Slot& s) noexcept {
    if constexpr (kStored) {
      return s.key;
    } else {
      return KeyOf{}(s.value).data();
    }
  }
  // The slot a hash starts probing at: its high half scaled to the table.
  size_t home(uint64_t h) const noexcept {
    return static_cast<size_t>(((h >> 32) * static_cast<uint64_t>(slots_.size())) >> 32);
  }
  size_t next(size_t i) const noexcept { return i + 1 == slots_.size() ? 0 : i + 1; }
  void insert(std::string_view key, T value) {
    const uint64_t h = hash_lookup_form(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    const auto tag = static_cast<uint32_t>(h);
    for (size_t i = home(h);; i = next(i)) {
      Slot& s = slots_[i];
      if (s.len == kFree) {
        if constexpr (kStored) s.key = key.data();
        s.value = value;
        s.tag = tag;
        s.len = static_cast<uint16_t>(key.size());
        return;
      }
      if (s.tag == tag && std::string_view(key_of(s), s.len) == key) {
        s.value = value;
        return;
      }
    }
  }
  std::vector<Slot> slots_;
};

}  // namespace mailns::zone
