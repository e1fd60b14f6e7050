#include "server/net/tcp_query_stream.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "dns_test_util.hpp"
#include "net/recording_query_log.hpp"

namespace mailns::server {
namespace {

using namespace testing;

constexpr uint16_t kMX = 15, kA = 1;

std::vector<std::byte> frame(const std::vector<std::byte>& msg) {
  std::vector<std::byte> f{static_cast<std::byte>(msg.size() >> 8), static_cast<std::byte>(msg.size() & 0xff)};
  f.insert(f.end(), msg.begin(), msg.end());
  return f;
}

void feed(TcpQueryStream& s, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    auto space = s.read_space();
    ASSERT_FALSE(space.empty());
    const size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    s.commit(n);
    bytes = bytes.subspan(n);
  }
}

// Splits framed answers; returns the messages without their prefixes.
std::vector<std::vector<std::byte>> unframe(const std::vector<std::byte>& out) {
  std::vector<std::vector<std::byte>> msgs;
  size_t p = 0;
  while (p + 2 <= out.size()) {
    const size_t len = std::to_integer<size_t>(out[p]) << 8 | std::to_integer<size_t>(out[p + 1]);
    EXPECT_LE(p + 2 + len, out.size());
    msgs.emplace_back(out.begin() + static_cast<std::ptrdiff_t>(p + 2),
                      out.begin() + static_cast<std::ptrdiff_t>(p + 2 + len));
    p += 2 + len;
  }
  EXPECT_EQ(p, out.size());
  return msgs;
}

class TcpQueryStreamTest : public ::testing::Test {
 protected:
  std::shared_ptr<const zone::Snapshot> snap = make_snapshot();
  std::vector<std::byte> scratch = std::vector<std::byte>(TcpQueryStream::kScratchSize);
  TcpQueryStream stream;
  std::vector<std::byte> out;
};

TEST_F(TcpQueryStreamTest, PipelinedQueriesAreAnsweredInOrder) {
  std::vector<std::byte> wire;
  for (auto [id, name, type] : {std::tuple{1, "example.org", kMX}, {2, "nope.example.org", kA},
                                {3, "mail.example.org", kA}}) {
    auto f = frame(make_query(static_cast<uint16_t>(id), name, type));
    wire.insert(wire.end(), f.begin(), f.end());
  }
  feed(stream, wire);
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1 << 20), 3u);
  auto msgs = unframe(out);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(answer_id(msgs[0].data()), 1);
  EXPECT_EQ(answer_rcode(msgs[0].data()), 0u);
  EXPECT_TRUE(answer_aa(msgs[0].data()));
  EXPECT_EQ(answer_ancount(msgs[0].data()), 1u);
  EXPECT_EQ(answer_id(msgs[1].data()), 2);
  EXPECT_EQ(answer_rcode(msgs[1].data()), 3u);  // NXDOMAIN
  EXPECT_EQ(answer_id(msgs[2].data()), 3);
  EXPECT_EQ(stream.buffered(), 0u);
}

TEST_F(TcpQueryStreamTest, FramesSplitAcrossReadsWaitUntilComplete) {
  auto f = frame(make_query(7, "example.org", kMX));
  for (size_t i = 0; i < f.size(); ++i) {
    feed(stream, std::span<const std::byte>(&f[i], 1));
    const size_t answered = stream.answer(*snap, out, scratch, 1 << 20);
    EXPECT_EQ(answered, i + 1 == f.size() ? 1u : 0u) << "after byte " << i;
  }
  auto msgs = unframe(out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(answer_id(msgs[0].data()), 7);
}

TEST_F(TcpQueryStreamTest, NoAnswerForResponsesOrEmptyFrames) {
  auto resp = make_query(9, "example.org", kMX);
  resp[2] = std::byte{0x80};  // QR set: handle_query returns 0
  std::vector<std::byte> wire = frame(resp);
  wire.push_back(std::byte{0});
  wire.push_back(std::byte{0});  // zero-length frame
  auto good = frame(make_query(10, "example.org", kMX));
  wire.insert(wire.end(), good.begin(), good.end());
  feed(stream, wire);
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1 << 20), 3u);
  auto msgs = unframe(out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(answer_id(msgs[0].data()), 10);
}

TEST_F(TcpQueryStreamTest, OutputLimitLeavesQueriesBuffered) {
  std::vector<std::byte> wire;
  for (uint16_t id = 1; id <= 5; ++id) {
    auto f = frame(make_query(id, "example.org", kMX));
    wire.insert(wire.end(), f.begin(), f.end());
  }
  feed(stream, wire);
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1), 1u);  // stops once out holds anything
  EXPECT_TRUE(stream.has_complete_frame());
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1 << 20), 4u);
  auto msgs = unframe(out);
  ASSERT_EQ(msgs.size(), 5u);
  for (uint16_t i = 0; i < 5; ++i) EXPECT_EQ(answer_id(msgs[i].data()), i + 1);
}

TEST_F(TcpQueryStreamTest, ReadSpaceGrowsToHoldTheLargestFrame) {
  // A 65535-octet frame (garbage after a header: FORMERR or dropped) must fit.
  std::vector<std::byte> msg(65535, std::byte{0});
  msg[5] = std::byte{1};  // QDCOUNT 1, then zeros: root name, type 0
  auto f = frame(msg);
  feed(stream, f);
  EXPECT_TRUE(stream.has_complete_frame());
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1 << 20), 1u);
  EXPECT_EQ(stream.buffered(), 0u);
  EXPECT_FALSE(stream.read_space().empty());
}

TEST_F(TcpQueryStreamTest, QueryLogGetsEveryQueryWithItsAnswer) {
  RecordingQueryLog log;
  const QueryEndpoint peer{*IpAddress::parse("192.0.2.7"), 40000}, local{*IpAddress::parse("::1"), 53};
  stream.set_query_log(&log, peer, local);
  std::vector<std::byte> input;
  for (uint16_t id = 1; id <= 2; ++id) {
    auto f = frame(make_query(id, "example.org", kMX));
    input.insert(input.end(), f.begin(), f.end());
  }
  feed(stream, input);
  EXPECT_EQ(stream.answer(*snap, out, scratch, 1 << 20), 2u);
  const auto answers = unframe(out);
  ASSERT_EQ(log.entries.size(), 2u);
  for (uint16_t i = 0; i < 2; ++i) {
    const auto& e = log.entries[i];
    EXPECT_EQ(e.transport, QueryTransport::kTcp);
    EXPECT_EQ(e.peer.address.to_string(), "192.0.2.7");
    EXPECT_EQ(e.peer.port, 40000);
    EXPECT_EQ(e.local.address.to_string(), "::1");
    EXPECT_EQ(e.query, make_query(static_cast<uint16_t>(i + 1), "example.org", kMX));
    EXPECT_EQ(e.response, answers[i]);
  }
}

}  // namespace
}  // namespace mailns::server
