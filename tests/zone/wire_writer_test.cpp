#include "zone/wire_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "zone/dns_name.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::zone {
namespace {

DnsName N(const char* s) { return *DnsName::from_text(s); }

TEST(WireWriter, CompressesRepeatedSuffixes) {
  std::vector<uint8_t> buf(512);
  WireWriter w(buf, buf.size());
  const DnsName a = N("example.org"), b = N("mail.Example.ORG"), c = N("example.org");
  w.name(a.wire().data(), a.wire().size(), true);
  EXPECT_EQ(w.size(), 13u);
  w.name(b.wire().data(), b.wire().size(), true);
  EXPECT_EQ(w.size(), 13u + 5 + 2);  // "\4mail" + pointer to 0
  EXPECT_EQ(buf[18], 0xC0);
  EXPECT_EQ(buf[19], 0x00);
  w.name(c.wire().data(), c.wire().size(), true);
  EXPECT_EQ(w.size(), 22u);  // whole name is a pointer
  // Decompress the second name back.
  WireReader r({buf.data(), w.size()});
  r.seek(13);
  NameBuf n;
  r.name(n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*DnsName::from_wire({n.wire, n.len}), b);
}

TEST(WireWriter, UncompressedWhenAsked) {
  std::vector<uint8_t> buf(512);
  WireWriter w(buf, buf.size());
  const DnsName a = N("example.org");
  w.name(a.wire().data(), a.wire().size(), true);
  w.name(a.wire().data(), a.wire().size(), false);
  EXPECT_EQ(w.size(), 26u);
}

TEST(WireWriter, OverflowIsStickyAndRollbackRestores) {
  std::vector<uint8_t> buf(16);
  WireWriter w(buf, 10);
  w.u32(1);
  const auto m = w.mark();
  w.u32(2);
  w.u32(3);  // exceeds 10
  EXPECT_TRUE(w.overflow());
  w.u8(1);
  EXPECT_TRUE(w.overflow());
  w.rollback(m);
  EXPECT_FALSE(w.overflow());
  EXPECT_EQ(w.size(), 4u);
}

TEST(WireWriter, RollbackForgetsCompressionTargets) {
  std::vector<uint8_t> buf(512);
  WireWriter w(buf, buf.size());
  const DnsName a = N("example.org");
  const auto m = w.mark();
  w.name(a.wire().data(), a.wire().size(), true);
  w.rollback(m);
  w.u16(0xFFFF);
  w.name(a.wire().data(), a.wire().size(), true);
  EXPECT_EQ(w.size(), 2u + 13u);  // no pointer to the rolled-back copy
}

}  // namespace
}  // namespace mailns::zone
