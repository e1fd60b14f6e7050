#include "zone/handle_query.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "test_util.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"
#include "zone/answer_plan.hpp"

namespace mailns::zone {
namespace {

using namespace test;

struct Response {
  size_t len = 0;
  std::vector<uint8_t> bytes;
  uint16_t flags() const { return static_cast<uint16_t>(bytes[2] << 8 | bytes[3]); }
  uint8_t rc() const { return bytes[3] & 0xF; }
  bool aa() const { return flags() & 0x0400; }
  bool tc() const { return flags() & 0x0200; }
  uint16_t count(int i) const { return static_cast<uint16_t>(bytes[6 + 2 * i] << 8 | bytes[7 + 2 * i]); }
};

class HandleQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string big = "$ORIGIN example.org.\n@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\n";
    for (int i = 0; i < 60; ++i) big += "big 300 IN A 192.0.2." + std::to_string(i + 1) + "\n";
    snap_ = snapshot_of({zone_from_text("example.org", big)});
  }
  Response ask(const std::vector<uint8_t>& q, Transport t = Transport::kUdp) {
    Response r;
    r.bytes.assign(65535, 0);
    r.len = handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(r.bytes)), *snap_, t);
    r.bytes.resize(r.len);
    return r;
  }
  std::shared_ptr<Snapshot> snap_;
};

TEST_F(HandleQueryTest, EchoesIdQuestionAndClientCase) {
  auto q = make_query("NS.Example.ORG", rrtype::A);
  auto r = ask(q);
  ASSERT_GT(r.len, 12u);
  EXPECT_EQ(r.bytes[0], 0xab);
  EXPECT_EQ(r.bytes[1], 0xcd);
  EXPECT_TRUE(r.flags() & 0x8000);
  EXPECT_TRUE(r.flags() & 0x0100);  // RD copied
  EXPECT_TRUE(r.aa());
  EXPECT_EQ(r.count(0), 1);  // one A record
  EXPECT_EQ(r.count(1), 0);  // minimal responses: no NS in authority
  // Question echoed byte for byte (0x20 case).
  EXPECT_EQ(std::memcmp(r.bytes.data() + 12, q.data() + 12, q.size() - 12), 0);
  // The answer owner is compressed to the question name.
  const size_t ans = q.size();
  EXPECT_EQ(r.bytes[ans], 0xC0);
  EXPECT_EQ(r.bytes[ans + 1], 12);
}

TEST_F(HandleQueryTest, NeverAnswersAResponse) {
  auto q = make_query("example.org", rrtype::A);
  q[2] |= 0x80;
  EXPECT_EQ(ask(q).len, 0u);
  EXPECT_EQ(ask({1, 2, 3}).len, 0u);  // shorter than a header
}

TEST_F(HandleQueryTest, Formerr) {
  auto q = make_query("example.org", rrtype::A);
  q[5] = 2;  // qdcount 2 with one question
  EXPECT_EQ(ask(q).rc(), rcode::kFormErr);
  auto z = make_query("example.org", rrtype::A);
  z[5] = 0;
  EXPECT_EQ(ask(z).rc(), rcode::kFormErr);
  auto g = make_query("example.org", rrtype::A);
  g.push_back(0);  // garbage after the question
  EXPECT_EQ(ask(g).rc(), rcode::kFormErr);
  std::vector<uint8_t> loop = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
  EXPECT_EQ(ask(loop).rc(), rcode::kFormErr);
  auto two_opts = make_query("example.org", rrtype::A, {.edns = true});
  two_opts[11] = 2;
  two_opts.insert(two_opts.end(), two_opts.end() - 11, two_opts.end());
  EXPECT_EQ(ask(two_opts).rc(), rcode::kFormErr);
}

TEST_F(HandleQueryTest, OpcodeClassAndMetaTypes) {
  EXPECT_EQ(ask(make_query("example.org", rrtype::A, {.opcode = 2})).rc(), rcode::kNotImp);
  EXPECT_EQ(ask(make_query("example.org", rrtype::A, {.opcode = 4})).rc(), rcode::kNotImp);  // NOTIFY
  EXPECT_EQ(ask(make_query("example.org", rrtype::TXT, {.qclass = rrclass::CH})).rc(), rcode::kRefused);
  EXPECT_EQ(ask(make_query("example.org", rrtype::AXFR)).rc(), rcode::kRefused);
  EXPECT_EQ(ask(make_query("example.com", rrtype::A)).rc(), rcode::kRefused);
}

TEST_F(HandleQueryTest, EdnsEchoAndBadvers) {
  auto r = ask(make_query("example.org", rrtype::SOA, {.edns = true, .udp_size = 4096, .do_bit = true}));
  ASSERT_EQ(r.count(2), 1);
  // The OPT record is last: root, type 41, our payload size, DO echoed.
  const uint8_t* opt = r.bytes.data() + r.len - 11;
  EXPECT_EQ(opt[0], 0);
  EXPECT_EQ(opt[2], 41);
  EXPECT_EQ(opt[3] << 8 | opt[4], 1232);
  EXPECT_EQ(opt[7] & 0x80, 0x80);
  auto b = ask(make_query("example.org", rrtype::SOA, {.edns = true, .version = 1}));
  EXPECT_EQ(b.rc(), 0);  // BADVERS = 16: low bits 0, high bits in OPT
  ASSERT_EQ(b.count(2), 1);
  EXPECT_EQ(b.count(0), 0);
  EXPECT_EQ(b.bytes[b.len - 11 + 5], 1);
}

TEST_F(HandleQueryTest, TruncatesWholeRrsetsAndTcpGetsEverything) {
  auto small = ask(make_query("big.example.org", rrtype::A));  // no EDNS: 512
  EXPECT_TRUE(small.tc());
  EXPECT_EQ(small.count(0), 0);  // 60 A records do not fit: rolled back whole
  EXPECT_LE(small.len, 512u);
  auto edns = ask(make_query("big.example.org", rrtype::A, {.edns = true, .udp_size = 4096}));
  EXPECT_FALSE(edns.tc());
  EXPECT_EQ(edns.count(0), 60);
  EXPECT_LE(edns.len, 1232u);
  auto tcp = ask(make_query("big.example.org", rrtype::A), Transport::kTcp);
  EXPECT_FALSE(tcp.tc());
  EXPECT_EQ(tcp.count(0), 60);
  // A client asking for less than 512 gets 512 (RFC 6891 6.2.5).
  auto tiny = ask(make_query("ns.example.org", rrtype::A, {.edns = true, .udp_size = 100}));
  EXPECT_FALSE(tiny.tc());
}

TEST_F(HandleQueryTest, ResponseParsesBack) {
  auto r = ask(make_query("big.example.org", rrtype::A, {.edns = true, .udp_size = 4096}));
  WireReader rd(r.bytes);
  rd.skip(12);
  NameBuf n;
  rd.name(n);
  rd.skip(4);
  for (int i = 0; i < r.count(0) + r.count(1) + r.count(2); ++i) {
    rd.name(n);
    rd.skip(8);
    rd.skip(rd.u16());
  }
  EXPECT_TRUE(rd.ok());
  EXPECT_EQ(rd.remaining(), 0u);
}

}  // namespace
}  // namespace mailns::zone
