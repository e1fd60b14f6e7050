#include "zone/packed_records.hpp"

#include <gtest/gtest.h>

namespace mailns::zone {
namespace {

Record rec(const char* owner, uint16_t type, uint32_t ttl, std::vector<uint8_t> rdata) {
  return Record{*DnsName::from_text(owner), type, 1, ttl, std::move(rdata)};
}

TEST(PackedRecords, UnpacksWhatWasPackedInOrder) {
  const std::vector<Record> in{rec("example.org.", 6, 3600, std::vector<uint8_t>(22, 9)),
                               rec("Mail.Example.org.", 1, 0xFFFFFFFF, {192, 0, 2, 10}),
                               rec(".", 16, 0, {}),
                               rec("a.example.org.", 16, 300, std::vector<uint8_t>(65535, 'x'))};
  const PackedRecords packed(in);
  EXPECT_EQ(packed.size(), 4u);
  const std::vector<Record> out = packed.unpack();
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].owner.to_text(), in[i].owner.to_text());  // case kept
    EXPECT_EQ(out[i].type, in[i].type);
    EXPECT_EQ(out[i].rclass, in[i].rclass);
    EXPECT_EQ(out[i].ttl, in[i].ttl);
    EXPECT_EQ(out[i].rdata, in[i].rdata);
  }
}

TEST(PackedRecords, EmptyStaysEmpty) {
  const PackedRecords none;
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(none.unpack().empty());
  EXPECT_TRUE(PackedRecords(std::vector<Record>{}).empty());
}

}  // namespace
}  // namespace mailns::zone
