#include "zone/wire_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mailns::zone {
namespace {

TEST(WireReader, ReadsIntegersAndStickyError) {
  const uint8_t b[] = {0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01};
  WireReader r(b);
  EXPECT_EQ(r.u16(), 0x1234);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.u8(), 1);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.u16(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // stays failed
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireReader, BytesBeyondEndFail) {
  const uint8_t b[] = {1, 2, 3};
  WireReader r(b);
  EXPECT_TRUE(r.bytes(4).empty());
  EXPECT_FALSE(r.ok());
}

TEST(WireReader, DecompressesBackwardPointers) {
  // 0: "\3org\0"   5: "\7example" + ptr to 0   15: "\4mail" + ptr to 5
  std::vector<uint8_t> m = {3, 'o', 'r', 'g', 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xC0, 0,
                            4, 'm', 'a', 'i', 'l', 0xC0, 5, 0xAA};
  WireReader r(m);
  r.seek(15);
  NameBuf n;
  r.name(n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(n.len, 18);
  EXPECT_EQ(n.labels, 3);
  EXPECT_EQ(r.pos(), 22u);  // continues after the first pointer
  EXPECT_EQ(r.u8(), 0xAA);
  auto dn = DnsName::from_wire({n.wire, n.len});
  ASSERT_TRUE(dn);
  EXPECT_EQ(dn->to_text(), "mail.example.org.");
}

TEST(WireReader, RejectsForwardAndSelfPointers) {
  std::vector<uint8_t> fwd = {0xC0, 2, 0};
  WireReader r(fwd);
  NameBuf n;
  r.name(n);
  EXPECT_FALSE(r.ok());
  std::vector<uint8_t> self = {0xC0, 0};
  WireReader s(self);
  s.name(n);
  EXPECT_FALSE(s.ok());
}

TEST(WireReader, RejectsPointerLoop) {
  // 0: "\1a" + ptr to 4; 4: "\1b" + ptr to 0 (read from offset 4 loops back).
  std::vector<uint8_t> m = {1, 'a', 0xC0, 4, 1, 'b', 0xC0, 0};
  WireReader r(m);
  r.seek(4);
  NameBuf n;
  r.name(n);
  EXPECT_FALSE(r.ok());
}

TEST(WireReader, RejectsLongLabelAndLongName) {
  std::vector<uint8_t> label64(66, 'a');
  label64[0] = 64;
  label64.back() = 0;
  WireReader r(label64);
  NameBuf n;
  r.name(n);
  EXPECT_FALSE(r.ok());

  std::vector<uint8_t> long_name;
  for (int i = 0; i < 5; ++i) {
    long_name.push_back(60);
    long_name.insert(long_name.end(), 60, 'x');
  }
  long_name.push_back(0);  // 5*61+1 = 306 octets
  WireReader r2(long_name);
  r2.name(n);
  EXPECT_FALSE(r2.ok());
}

TEST(WireReader, RejectsExtendedLabelTypesAndTruncation) {
  std::vector<uint8_t> ext = {0x41, 0};
  WireReader r(ext);
  NameBuf n;
  r.name(n);
  EXPECT_FALSE(r.ok());
  std::vector<uint8_t> trunc = {3, 'o', 'r'};
  WireReader r2(trunc);
  r2.name(n);
  EXPECT_FALSE(r2.ok());
}

}  // namespace
}  // namespace mailns::zone
