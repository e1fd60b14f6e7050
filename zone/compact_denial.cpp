#include "zone/compact_denial.hpp"

#include <algorithm>
#include <ctime>
#include <deque>
#include <string>
#include <unordered_map>

#include "zone/online_signer.hpp"
#include "zone/rr_type.hpp"
#include "zone/type_bitmap.hpp"

namespace mailns::zone {

namespace {

constexpr size_t kCacheEntries = 8192;
constexpr int64_t kMaxAge = 3600;

struct Entry {
  RRset set;
  int64_t made = 0;
};

// One cache per worker thread: no locks on the query path.
struct Cache {
  std::unordered_map<std::string, Entry> map;
  std::deque<std::string> order;  // oldest first
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

std::string key_of(const Zone& zone, char kind, uint16_t type, NameRef name) {
  std::string k;
  const auto z = reinterpret_cast<uintptr_t>(&zone);
  const uint32_t serial = zone.soa_serial();  // a rebuilt zone has a new serial
  k.append(reinterpret_cast<const char*>(&z), sizeof z);
  k.append(reinterpret_cast<const char*>(&serial), sizeof serial);
  k.push_back(kind);
  k.push_back(static_cast<char>(type >> 8));
  k.push_back(static_cast<char>(type));
  for (size_t i = 0; i < name.len; ++i) k.push_back(static_cast<char>(dns_lower(name.wire[i])));
  return k;
}

// Looks the key up; on a miss (or a stale entry) fills it with make(). The
// key is built inside the try too: this is noexcept, and out of memory must
// cost the proof, not the process.
template <typename Make>
const RRset* cached(const Zone& zone, char kind, uint16_t type, NameRef name, Make&& make) noexcept {
  try {
    const std::string key = key_of(zone, kind, type, name);
    Cache& c = cache();
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (auto it = c.map.find(key); it != c.map.end() && now - it->second.made < kMaxAge) return &it->second.set;
    RRset set;
    if (!make(set)) return nullptr;
    // Evict the oldest entries; nothing made for the current query is old.
    while (c.map.size() >= kCacheEntries && !c.order.empty()) {
      c.map.erase(c.order.front());
      c.order.pop_front();
    }
    auto [it, fresh] = c.map.insert_or_assign(key, Entry{std::move(set), now});
    if (fresh) c.order.push_back(key);
    return &it->second.set;
  } catch (...) {
    return nullptr;  // out of memory: answer without the proof rather than crash
  }
}

}  // namespace

const RRset* compact_nsec(const Zone& zone, NameRef name, const uint16_t* types, size_t count) noexcept {
  const OnlineSigner* signer = zone.online_signer();
  if (!signer || name.len + 2u > kMaxNameWire) return nullptr;
  uint16_t sig = 0;  // the types go into the key: same name, other bitmap, other record
  for (size_t i = 0; i < count; ++i) sig = static_cast<uint16_t>(sig * 31 + types[i]);
  return cached(zone, 'N', sig, name, [&](RRset& set) {
    std::vector<uint16_t> t(types, types + count);
    t.push_back(rrtype::RRSIG);
    t.push_back(rrtype::NSEC);
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    std::vector<uint8_t> rd = {1, 0};  // next name: "\000." + name (RFC 9824 3.1)
    for (size_t i = 0; i < name.len; ++i) rd.push_back(dns_lower(name.wire[i]));
    append_type_bitmap(rd, t);
    set.type = rrtype::NSEC;
    set.ttl = zone.negative_ttl();  // RFC 9077
    set.rdatas.push_back(std::move(rd));
    return signer->sign(name, set.type, set.ttl, set.rdatas, set.sigs) && !set.sigs.empty();
  });
}

const RRset* compact_expansion(const Zone& zone, NameRef owner, const RRset& wildcard_set) noexcept {
  const OnlineSigner* signer = zone.online_signer();
  if (!signer) return nullptr;
  return cached(zone, 'W', wildcard_set.type, owner, [&](RRset& set) {
    set.type = wildcard_set.type;
    set.ttl = wildcard_set.ttl;
    set.rdatas = wildcard_set.rdatas;
    return signer->sign(owner, set.type, set.ttl, set.rdatas, set.sigs) && !set.sigs.empty();
  });
}

}  // namespace mailns::zone
