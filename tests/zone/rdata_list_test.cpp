#include "zone/rdata_list.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mailns::zone {
namespace {

std::vector<uint8_t> bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

TEST(RdataList, KeepsEntriesInOrderWithTheirLengths) {
  const std::vector<uint8_t> a{1, 2, 3}, empty{}, big(70000 - 4465, 7);  // 65535 octets: the largest RDATA
  RdataList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  list.push_back(a);
  list.push_back(empty);
  list.push_back(big);
  ASSERT_EQ(list.size(), 3u);
  std::vector<std::vector<uint8_t>> seen;
  for (const auto rd : list) seen.push_back(bytes(rd));
  EXPECT_EQ(seen, (std::vector<std::vector<uint8_t>>{a, empty, big}));
  EXPECT_EQ(bytes(list.front()), a);
  EXPECT_EQ(bytes(list[2]), big);
  EXPECT_EQ(list.bytes(), 3u + 2 + 0 + 2 + big.size() + 2);
  EXPECT_TRUE(list.contains(empty));
  EXPECT_FALSE(list.contains(std::vector<uint8_t>{1, 2}));
}

TEST(RdataList, RefusesWhatCannotBeRdata) {
  RdataList list;
  list.push_back(std::vector<uint8_t>(65536, 1));
  EXPECT_TRUE(list.empty());
}

TEST(RdataList, CopiesAndMovesAreIndependent) {
  const std::vector<uint8_t> a{1}, b{2, 2};
  RdataList x{a, b};
  RdataList copy = x;
  EXPECT_EQ(copy, x);
  copy.push_back(a);
  EXPECT_EQ(x.size(), 2u);
  EXPECT_EQ(copy.size(), 3u);
  RdataList moved = std::move(copy);
  EXPECT_EQ(moved.size(), 3u);
  copy = x;  // a moved-from list can be assigned again
  EXPECT_EQ(copy, x);
  x.shrink_to_fit();
  EXPECT_EQ(bytes(x[1]), b);
  x.clear();
  EXPECT_TRUE(x.empty());
  EXPECT_EQ(copy.size(), 2u);
}

TEST(RdataList, GrowsOverManyEntries) {
  RdataList list;
  for (uint32_t i = 0; i < 10000; ++i) list.push_back(std::vector<uint8_t>{uint8_t(i >> 8), uint8_t(i)});
  list.shrink_to_fit();
  ASSERT_EQ(list.size(), 10000u);
  uint32_t i = 0;
  for (const auto rd : list) {
    ASSERT_EQ(rd.size(), 2u);
    EXPECT_EQ(uint32_t(rd[0] << 8 | rd[1]), i++);
  }
}

TEST(RdataList, PackedIntoABlockTheCallerOwnsAndCopiedOutToChange) {
  const std::vector<uint8_t> a{1, 2, 3}, b{4, 5};
  RdataList list{a, b};
  std::vector<uint8_t> arena(list.block_size() + 8, 0xEE);  // the allocator aligns it for any type
  ASSERT_EQ(reinterpret_cast<uintptr_t>(arena.data()) % RdataList::kBlockAlign, 0u);
  list.move_block_to(arena.data());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(bytes(list[0]), a);
  EXPECT_EQ(bytes(list[1]), b);
  EXPECT_EQ(arena[list.block_size()], 0xEE);  // nothing written past the block
  RdataList copy = list;  // owns its block
  copy.push_back(a);
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(list.size(), 2u);
  const std::vector<uint8_t> before = arena;
  RdataList moved = std::move(list);  // still the packed block
  moved.push_back(b);  // copied out first: the arena is not written
  EXPECT_EQ(arena, before);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(bytes(moved[2]), b);
  RdataList packed{a};
  std::vector<uint8_t> second(packed.block_size() + 4);
  packed.move_block_to(second.data());
  packed.shrink_to_fit();  // nothing to give back, and not freed
  packed.clear();          // not freed either (ASan builds would see it)
  EXPECT_TRUE(packed.empty());
  RdataList none;
  EXPECT_EQ(none.block_size(), 0u);
  none.move_block_to(nullptr);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace mailns::zone
