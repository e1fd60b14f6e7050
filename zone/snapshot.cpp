#include "zone/snapshot.hpp"

#include <algorithm>

namespace mailns::zone {

Snapshot::Snapshot(std::vector<std::shared_ptr<const Zone>> zones, AnswerOptions options)
    : zones_(std::move(zones)), options_(options) {
  std::vector<std::pair<std::string_view, const Zone*>> items;
  for (const auto& z : zones_) items.emplace_back(z->origin().lookup_form(), z.get());
  by_origin_.build(items);
  // Names of deeper zones are inserted last and win, as find_zone picks the
  // longest origin; delegation points and data below cuts are never here.
  std::vector<const Zone*> order;
  for (const auto& z : zones_) order.push_back(z.get());
  std::stable_sort(order.begin(), order.end(), [](const Zone* a, const Zone* b) {
    return a->origin().label_count() < b->origin().label_count();
  });
  std::vector<std::pair<std::string_view, const Node*>> nodes;
  for (const Zone* z : order)
    z->for_each_node([&](const Node& n) {
      for (const RRset& s : n.rrsets())
        if (!s.prepared.empty()) {
          nodes.emplace_back(n.name().lookup_form(), &n);
          break;
        }
    });
  prepared_.build(nodes);
}

const Zone* Snapshot::find_zone(const uint8_t* lf, const uint8_t* label_ends, size_t labels) const noexcept {
  // Longest match first: the full name, then each ancestor, down to the root.
  for (size_t i = labels; i > 0; --i)
    if (const Zone* z = by_origin_.find(lf, label_ends[i - 1])) return z;
  return by_origin_.find(lf, 0);
}

const Zone* Snapshot::find_zone(const DnsName& name) const noexcept {
  uint8_t ends[128];
  const auto lf = name.lookup_form();
  size_t n = 0;
  for (size_t p = 0; p < lf.size(); p += static_cast<uint8_t>(lf[p]) + 1) ends[n++] = static_cast<uint8_t>(p + static_cast<uint8_t>(lf[p]) + 1);
  return find_zone(reinterpret_cast<const uint8_t*>(lf.data()), ends, n);
}

}  // namespace mailns::zone
