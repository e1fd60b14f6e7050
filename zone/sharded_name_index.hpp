// ShardedNameIndex: a NameIndex split into shards by 16 bits of the key's
// hash that NameIndex does not place by (it probes from the high half), each shard immutable and shared by the indexes derived from
// one another. with_changes() copies the shard pointers and rebuilds only
// the shards the changed keys fall in, so replacing one zone's names among
// millions costs about the size of those few shards (Snapshot::with_zones),
// not the size of the index. A lookup costs one load more than NameIndex's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "zone/name_index.hpp"

namespace mailns::zone {

template <typename T, typename KeyOf = StoredKey>
class ShardedNameIndex {
 public:
  using Items = std::vector<std::pair<std::string_view, T>>;
  // Entries per shard aimed at; a shard is rebuilt whole when one of its keys changes.
  static constexpr size_t kPerShard = 256;
  static constexpr unsigned kMaxBits = 16;

  ShardedNameIndex() { build({}); }

  // Items later in the list win over an earlier one with the same key.
  void build(const Items& items) {
    bits_ = 0;
    while ((size_t{1} << bits_) * kPerShard < items.size() && bits_ < kMaxBits) ++bits_;
    std::vector<Items> parts(size_t{1} << bits_);
    for (const auto& item : items) parts[shard_of(hash_of(item.first))].push_back(item);
    shards_.clear();
    refs_.clear();
    for (const Items& part : parts) add_shard(part);
  }

  // T{} when absent.
  T find(const uint8_t* key, size_t len) const noexcept {
    const uint64_t h = hash_lookup_form(key, len);
    return refs_[shard_of(h)]->find_hashed(h, key, len);
  }
  T find(std::string_view key) const noexcept {
    return find(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }

  // A copy without the entries of `removed` (key and value both equal) and
  // with those of `added` (which win over an equal key left in place). Only
  // the shards they fall in are rebuilt; the others are shared.
  ShardedNameIndex with_changes(const Items& removed, const Items& added) const {
    std::map<size_t, std::pair<Items, Items>> touched;  // shard -> (removed, added)
    for (const auto& item : removed) touched[shard_of(hash_of(item.first))].first.push_back(item);
    for (const auto& item : added) touched[shard_of(hash_of(item.first))].second.push_back(item);
    ShardedNameIndex out = *this;
    for (const auto& entry : touched) {
      const size_t s = entry.first;
      const auto& change = entry.second;  // a name, not a structured binding: lambdas capture it (clang 14)
      Items items;
      shards_[s]->for_each([&](std::string_view key, const T& value) {
        for (const auto& r : change.first)
          if (r.first == key && r.second == value) return;
        items.emplace_back(key, value);
      });
      items.insert(items.end(), change.second.begin(), change.second.end());
      auto shard = std::make_shared<NameIndex<T, KeyOf>>();
      shard->build(items);
      out.refs_[s] = shard.get();
      out.shards_[s] = std::move(shard);
    }
    return out;
  }

  size_t shard_count() const noexcept { return shards_.size(); }

 private:
  static uint64_t hash_of(std::string_view key) noexcept {
    return hash_lookup_form(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }
  // Bits 16..16+bits_ (none when bits_ is 0): NameIndex places a key by
  // the high half of its hash, so a shard's keys still spread over it.
  size_t shard_of(uint64_t h) const noexcept { return static_cast<size_t>(h >> 16) & ((size_t{1} << bits_) - 1); }
  void add_shard(const Items& items) {
    auto shard = std::make_shared<NameIndex<T, KeyOf>>();
    shard->build(items);
    refs_.push_back(shard.get());
    shards_.push_back(std::move(shard));
  }

  unsigned bits_ = 0;
  std::vector<std::shared_ptr<const NameIndex<T, KeyOf>>> shards_;
  std::vector<const NameIndex<T, KeyOf>*> refs_;  // shards_' pointers, for the lookup
};

}  // namespace mailns::zone
