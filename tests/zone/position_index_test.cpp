// PositionIndex (zone/position_index.hpp): every item is found by its key,
// absent keys are not, with 16-bit slots (small arrays) and 32-bit ones.
#include "zone/position_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/zone.hpp"
#include "test_util.hpp"

namespace mailns::zone {
namespace {

struct Item {
  std::string key;
};
struct ItemKey {
  std::string_view operator()(const Item* i) const noexcept { return i->key; }
};

std::vector<Item> items(size_t n) {
  std::vector<Item> out;
  for (size_t i = 0; i < n; ++i) out.push_back({"\x04test\x06item" + std::to_string(i)});
  return out;
}

void expect_all_found(const std::vector<Item>& all, const PositionIndex<Item, ItemKey>& index) {
  for (const Item& i : all) ASSERT_EQ(index.find(i.key), &i) << i.key;
  EXPECT_EQ(index.find(std::string_view("\x04test\x04none")), nullptr);
  EXPECT_EQ(index.find(std::string_view("")), nullptr);
  // A key that differs only after a tag match cannot be told from the tag: the key decides.
  EXPECT_EQ(index.find(all.front().key + "x"), nullptr);
}

// n items: every one found, and the table takes slot_size octets a slot at a load of 0.6.
void check_index_of(size_t n, size_t slot_size) {
  const auto all = items(n);
  PositionIndex<Item, ItemKey> index;
  index.build(all.data(), all.size());
  expect_all_found(all, index);
  EXPECT_EQ(index.bytes(), (n + n * 2 / 3 + 1) * slot_size);
}

TEST(PositionIndex, SmallArraysTakeFourOctetsASlot) { check_index_of(1000, 4); }

TEST(PositionIndex, LargeArraysTakeEightOctetsASlot) { check_index_of(70000, 8); }

TEST(PositionIndex, EmptyFindsNothing) {
  PositionIndex<Item, ItemKey> index;
  EXPECT_EQ(index.find(std::string_view("\x04test")), nullptr);
  index.build(nullptr, 0);
  EXPECT_EQ(index.find(std::string_view("\x04test")), nullptr);
  EXPECT_EQ(index.bytes(), 0u);
}

TEST(PositionIndex, AZoneFindsEveryNodeIncludingEmptyNonTerminals) {
  const auto zone = test::zone_from_text("example.org.", test::kMailZone);
  ASSERT_TRUE(zone);
  size_t nodes = 0;
  zone->for_each_node([&](const Node& n) {
    ++nodes;
    EXPECT_EQ(zone->find(n.name()), &n) << n.name().to_text();
  });
  EXPECT_EQ(nodes, zone->node_count());
  EXPECT_TRUE(zone->find(*DnsName::from_text("_tcp.example.org.")));  // empty non-terminal
  EXPECT_FALSE(zone->find(*DnsName::from_text("nothere.example.org.")));
  EXPECT_EQ(zone->index_bytes(), (nodes + nodes * 2 / 3 + 1) * 4);
}

}  // namespace
}  // namespace mailns::zone
