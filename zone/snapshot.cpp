#include "zone/snapshot.hpp"

#include <algorithm>
#include <unordered_map>

namespace mailns::zone {

namespace {

// The nodes of z that have prepared answers (answer_cache.hpp).
void add_prepared_nodes(const Zone& z, std::vector<std::pair<std::string_view, const Node*>>& out) {
  z.for_each_node([&](const Node& n) {
    for (const RRset& s : n.rrsets())
      if (s.has_prepared()) {
        out.emplace_back(n.name().lookup_form(), &n);
        break;
      }
  });
}

// The end offsets of each label prefix of a lookup form (the ancestors' lookup forms).
size_t label_ends(std::string_view lf, uint8_t* ends) {
  size_t n = 0;
  for (size_t p = 0; p < lf.size(); p += static_cast<uint8_t>(lf[p]) + 1)
    ends[n++] = static_cast<uint8_t>(p + static_cast<uint8_t>(lf[p]) + 1);
  return n;
}

}  // namespace

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
  for (const Zone* z : order) add_prepared_nodes(*z, nodes);
  prepared_.build(nodes);
  auto origins = std::make_shared<Origins>();
  for (const auto& z : zones_) {
    const std::string_view lf = z->origin().lookup_form();
    uint8_t ends[128];
    const size_t n = label_ends(lf, ends);
    // Every proper ancestor, the root included.
    for (size_t i = 0; i <= n; ++i) {
      const size_t len = i == 0 ? 0 : ends[i - 1];
      if (len == lf.size()) break;
      if (const Zone* above = by_origin_.find(lf.substr(0, len))) {
        origins->nested.emplace(lf);
        origins->nested.emplace(above->origin().lookup_form());
      }
    }
  }
  origins_ = std::move(origins);
}

bool Snapshot::can_derive(const std::vector<std::shared_ptr<const Zone>>& versions) const {
  for (const auto& v : versions) {
    const std::string_view lf = v->origin().lookup_form();
    if (!by_origin_.find(lf) || origins_->nested.contains(lf)) return false;
  }
  return true;
}

std::shared_ptr<const Snapshot> Snapshot::with_zones(const std::vector<std::shared_ptr<const Zone>>& versions) const {
  if (!can_derive(versions)) {
    std::vector<std::shared_ptr<const Zone>> zones = zones_;
    for (const auto& v : versions) {
      auto it = std::find_if(zones.begin(), zones.end(), [&](const auto& z) { return z->origin() == v->origin(); });
      if (it == zones.end()) zones.push_back(v);
      else *it = v;
    }
    return std::make_shared<const Snapshot>(std::move(zones), options_);
  }
  std::unordered_map<const Zone*, std::shared_ptr<const Zone>> by_old;
  std::vector<std::pair<std::string_view, const Zone*>> origins_out, origins_in;
  std::vector<std::pair<std::string_view, const Node*>> nodes_out, nodes_in;
  for (const auto& v : versions) {
    const Zone* old = by_origin_.find(v->origin().lookup_form());
    if (old == v.get()) continue;
    by_old[old] = v;
    origins_out.emplace_back(old->origin().lookup_form(), old);
    origins_in.emplace_back(v->origin().lookup_form(), v.get());
    add_prepared_nodes(*old, nodes_out);
    add_prepared_nodes(*v, nodes_in);
  }
  auto next = std::make_shared<Snapshot>(*this);
  if (by_old.empty()) return next;
  for (auto& z : next->zones_)
    if (auto it = by_old.find(z.get()); it != by_old.end()) z = it->second;
  next->by_origin_ = by_origin_.with_changes(origins_out, origins_in);
  next->prepared_ = prepared_.with_changes(nodes_out, nodes_in);
  return next;
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
  const size_t n = label_ends(lf, ends);
  return find_zone(reinterpret_cast<const uint8_t*>(lf.data()), ends, n);
}

}  // namespace mailns::zone
