// Snapshot::with_zones and ShardedNameIndex: a snapshot derived with a few
// new zone versions answers as one built whole from the same zones, shares
// the index shards the change does not touch, and falls back to a whole
// build when names could be in two zones (nested origins) or a zone is new.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"
#include "zone/handle_query.hpp"
#include "zone/rr_type.hpp"
#include "zone/sharded_name_index.hpp"

namespace mailns::zone {
namespace {

using test::make_query;
using test::zone_from_text;

std::string zone_text(const std::string& origin, int last_octet) {
  return "$ORIGIN " + origin + ".\n@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\n"
         "www 300 IN A 192.0.2." + std::to_string(last_octet) + "\nmail 300 IN A 192.0.2.25\n";
}

std::shared_ptr<const Zone> version(const std::string& origin, int last_octet) {
  return zone_from_text(origin, zone_text(origin, last_octet));
}

// The address a one-record A answer holds ("" for anything else).
std::string address(const Snapshot& snap, const std::string& name) {
  const auto q = make_query(name, rrtype::A);
  std::vector<uint8_t> r(512);
  r.resize(handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(r)), snap, Transport::kUdp));
  if (r.size() < 16 || (r[3] & 0xF) != 0 || r[7] != 1) return "";
  return std::to_string(r[r.size() - 4]) + "." + std::to_string(r[r.size() - 3]) + "." +
         std::to_string(r[r.size() - 2]) + "." + std::to_string(r[r.size() - 1]);
}

std::vector<std::shared_ptr<const Zone>> many_zones(int n) {
  std::vector<std::shared_ptr<const Zone>> zones;
  for (int i = 0; i < n; ++i) zones.push_back(version("z" + std::to_string(i) + ".test", 80));
  return zones;
}

TEST(ShardedNameIndexTest, ChangesRebuildOnlyTheirShards) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("key" + std::to_string(i));
  ShardedNameIndex<int>::Items items;
  for (int i = 0; i < 5000; ++i) items.emplace_back(keys[i], i + 1);
  ShardedNameIndex<int> index;
  index.build(items);
  EXPECT_GT(index.shard_count(), 1u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(index.find(keys[i]), i + 1);
  const std::string added = "added";
  // key7 is removed; key8's entry stays (the value does not match); key9 gets a new value.
  auto next = index.with_changes({{keys[7], 8}, {keys[8], 1234}, {keys[9], 10}}, {{keys[9], 99}, {added, 7}});
  EXPECT_EQ(next.find(keys[7]), 0);
  EXPECT_EQ(next.find(keys[8]), 9);
  EXPECT_EQ(next.find(keys[9]), 99);
  EXPECT_EQ(next.find(added), 7);
  for (int i = 10; i < 5000; ++i) ASSERT_EQ(next.find(keys[i]), i + 1);
  // The original is untouched.
  EXPECT_EQ(index.find(keys[7]), 8);
  EXPECT_EQ(index.find(keys[9]), 10);
  EXPECT_EQ(index.find(added), 0);
}

TEST(ShardedNameIndexTest, KeysTakenFromTheValuesNeedNoPointerInTheSlot) {
  EXPECT_EQ((NameIndex<const Node*, NodeLookupForm>::slot_size()), 16u);
  EXPECT_EQ((NameIndex<const Node*>::slot_size()), 24u);
  const auto zone = version("example.test", 80);
  ShardedNameIndex<const Node*, NodeLookupForm>::Items items;
  zone->for_each_node([&](const Node& n) { items.emplace_back(n.name().lookup_form(), &n); });
  ASSERT_GT(items.size(), 1u);
  ShardedNameIndex<const Node*, NodeLookupForm> index;
  index.build(items);
  for (const auto& [key, node] : items) EXPECT_EQ(index.find(key), node);
  EXPECT_EQ(index.find(DnsName::from_text("nothere.example.test")->lookup_form()), nullptr);
  // A removal matches the node, as with stored keys.
  const auto next = index.with_changes({items[1]}, {});
  EXPECT_EQ(next.find(items[1].first), nullptr);
  EXPECT_EQ(next.find(items[0].first), items[0].second);
}

TEST(SnapshotTest, WithZonesAnswersAsAWholeBuild) {
  auto zones = many_zones(3000);
  const auto first = std::make_shared<const Snapshot>(zones, AnswerOptions{});
  auto v2 = version("z1500.test", 81);
  auto v2b = version("z7.test", 82);
  const auto next = first->with_zones({v2, v2b});
  EXPECT_TRUE(next->same_origins(*first));
  EXPECT_EQ(next->zones().size(), zones.size());
  EXPECT_EQ(next->zones()[1500], v2);
  EXPECT_EQ(next->zones()[7], v2b);
  EXPECT_EQ(next->find_zone(*DnsName::from_text("www.z1500.test")), v2.get());
  EXPECT_EQ(address(*next, "www.z1500.test"), "192.0.2.81");
  EXPECT_EQ(address(*next, "www.z7.test"), "192.0.2.82");
  EXPECT_EQ(address(*first, "www.z1500.test"), "192.0.2.80");  // the served one is not changed
  for (int i = 0; i < 3000; i += 37) {
    const std::string z = "z" + std::to_string(i) + ".test";
    if (i == 1500 || i == 7) continue;
    ASSERT_EQ(address(*next, "www." + z), "192.0.2.80") << z;
    ASSERT_EQ(next->find_zone(*DnsName::from_text(z)), zones[i].get()) << z;
  }
  // Derived again from the derived one: still the same origins.
  const auto third = next->with_zones({version("z1500.test", 83)});
  EXPECT_TRUE(third->same_origins(*first));
  EXPECT_EQ(address(*third, "www.z1500.test"), "192.0.2.83");
  EXPECT_EQ(address(*next, "www.z1500.test"), "192.0.2.81");
  // A snapshot built whole has origins of its own.
  EXPECT_FALSE(Snapshot(zones, AnswerOptions{}).same_origins(*first));
}

TEST(SnapshotTest, NestedOrANewZoneIsAWholeBuild) {
  auto parent = version("example.org", 80);
  auto child = version("sub.example.org", 90);
  auto other = version("other.test", 80);
  const auto first = std::make_shared<const Snapshot>(std::vector<std::shared_ptr<const Zone>>{parent, child, other},
                                                      AnswerOptions{});
  // other.test nests with no zone: derived.
  EXPECT_TRUE(first->with_zones({version("other.test", 81)})->same_origins(*first));
  // The child: built whole, and the deeper zone still answers its names.
  const auto next = first->with_zones({version("sub.example.org", 91)});
  EXPECT_FALSE(next->same_origins(*first));
  EXPECT_EQ(address(*next, "www.sub.example.org"), "192.0.2.91");
  EXPECT_EQ(address(*next, "www.example.org"), "192.0.2.80");
  // A zone not served yet is added.
  const auto added = first->with_zones({version("new.test", 70)});
  EXPECT_FALSE(added->same_origins(*first));
  EXPECT_EQ(added->zones().size(), 4u);
  EXPECT_EQ(address(*added, "www.new.test"), "192.0.2.70");
}

}  // namespace
}  // namespace mailns::zone
