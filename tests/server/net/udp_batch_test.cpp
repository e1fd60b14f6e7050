#include "server/net/udp_batch.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <set>

#include "dns_test_util.hpp"
#include "server/net/listen_socket.hpp"
#include "net/recording_query_log.hpp"

namespace mailns::server {
namespace {

using namespace testing;

// A server socket from open_listen_socket on 127.0.0.1 (kernel-chosen
// port) and a client socket connected to it.
class UdpBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ListenAddress addr = *ListenAddress::parse("127.0.0.1:1", nullptr);
    addr.port = 0;  // not accepted from a config, but lets the kernel pick a free port here
    server_fd = open_listen_socket(addr, SocketKind::kUdp);
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ASSERT_EQ(getsockname(server_fd, reinterpret_cast<sockaddr*>(&sa), &len), 0);
    client_fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(client_fd, 0);
    ASSERT_EQ(connect(client_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    timeval tv{2, 0};
    setsockopt(client_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void TearDown() override {
    close(server_fd);
    close(client_fd);
  }

  void send_query(const std::vector<std::byte>& q) {
    ASSERT_EQ(send(client_fd, q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
  }
  // Waits until the server socket has something to read.
  void wait_readable() {
    pollfd p{server_fd, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1);
  }
  std::vector<std::byte> receive() {
    std::vector<std::byte> buf(4096);
    const ssize_t n = recv(client_fd, buf.data(), buf.size(), 0);
    if (n < 0) return {};
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  int server_fd = -1;
  int client_fd = -1;
  std::shared_ptr<const zone::Snapshot> snap = make_snapshot();
  std::unique_ptr<UdpBatch> batch = std::make_unique<UdpBatch>();
};

TEST_F(UdpBatchTest, DrainsMoreThanOneBatchAndAnswersEveryQuery) {
  constexpr uint16_t kQueries = 40;
  for (uint16_t id = 1; id <= kQueries; ++id) send_query(make_query(id, id % 2 ? "example.org" : "nope.example.org", 15));
  wait_readable();
  usleep(20000);  // let all 40 datagrams arrive
  EXPECT_EQ(batch->serve_once(server_fd, false, *snap), UdpBatch::Result::kMore);
  EXPECT_EQ(batch->serve_once(server_fd, false, *snap), UdpBatch::Result::kDrained);
  EXPECT_EQ(batch->serve_once(server_fd, false, *snap), UdpBatch::Result::kDrained);  // empty: EAGAIN

  std::set<uint16_t> ids;
  for (uint16_t i = 0; i < kQueries; ++i) {
    auto a = receive();
    ASSERT_GE(a.size(), 12u) << "answer " << i;
    const uint16_t id = answer_id(a.data());
    EXPECT_TRUE(answer_qr(a.data()));
    EXPECT_TRUE(answer_aa(a.data()));
    EXPECT_EQ(answer_rcode(a.data()), id % 2 ? 0u : 3u) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), kQueries);
  EXPECT_EQ(batch->stats().received, kQueries);
  EXPECT_EQ(batch->stats().answered, kQueries);
}

TEST_F(UdpBatchTest, NoAnswerWhenHandleQueryReturnsZero) {
  auto resp = make_query(5, "example.org", 15);
  resp[2] = std::byte{0x80};  // a response: must not be answered
  send_query(resp);
  send_query({std::byte{1}, std::byte{2}, std::byte{3}});  // shorter than a header
  send_query(make_query(6, "example.org", 15));
  wait_readable();
  usleep(20000);
  while (batch->serve_once(server_fd, false, *snap) == UdpBatch::Result::kMore) {
  }
  auto a = receive();
  ASSERT_GE(a.size(), 12u);
  EXPECT_EQ(answer_id(a.data()), 6);
  EXPECT_EQ(batch->stats().ignored, 2u);
  EXPECT_EQ(batch->stats().answered, 1u);
  // Nothing else arrives.
  timeval tv{0, 200000};
  setsockopt(client_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_TRUE(receive().empty());
}

TEST_F(UdpBatchTest, PktinfoRepliesLeaveFromTheQueriedAddress) {
  const int one = 1;
  ASSERT_EQ(setsockopt(server_fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one), 0);
  send_query(make_query(11, "mail.example.org", 1));
  wait_readable();
  EXPECT_EQ(batch->serve_once(server_fd, true, *snap), UdpBatch::Result::kDrained);
  auto a = receive();  // a connected client only accepts datagrams from the server's address
  ASSERT_GE(a.size(), 12u);
  EXPECT_EQ(answer_id(a.data()), 11);
  EXPECT_EQ(answer_ancount(a.data()), 1u);
}

TEST_F(UdpBatchTest, QueryLogGetsEveryQueryWithItsAnswerAndEndpoints) {
  RecordingQueryLog log;
  batch->set_query_log(&log);
  const int one = 1;
  ASSERT_EQ(setsockopt(server_fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one), 0);
  auto resp = make_query(5, "example.org", 15);
  resp[2] = std::byte{0x80};  // a response: logged as a query, not answered
  send_query(resp);
  send_query(make_query(6, "example.org", 15));
  wait_readable();
  usleep(20000);
  QueryEndpoint local{*IpAddress::parse("0.0.0.0"), 5300};
  while (batch->serve_once(server_fd, true, *snap, local) == UdpBatch::Result::kMore) {
  }
  ASSERT_EQ(log.entries.size(), 2u);
  sockaddr_in client{};
  socklen_t len = sizeof client;
  ASSERT_EQ(getsockname(client_fd, reinterpret_cast<sockaddr*>(&client), &len), 0);
  for (const auto& e : log.entries) {
    EXPECT_EQ(e.transport, QueryTransport::kUdp);
    EXPECT_EQ(e.peer.address.to_string(), "127.0.0.1");
    EXPECT_EQ(e.peer.port, ntohs(client.sin_port));
    EXPECT_EQ(e.local.address.to_string(), "127.0.0.1");  // from pktinfo, not the wildcard given
    EXPECT_EQ(e.local.port, 5300);
    EXPECT_GT(e.query_time.tv_sec, 0);
    EXPECT_GE(e.response_time.tv_sec, e.query_time.tv_sec);
  }
  EXPECT_EQ(log.entries[0].query, resp);
  EXPECT_TRUE(log.entries[0].response.empty());
  EXPECT_EQ(log.entries[1].query, make_query(6, "example.org", 15));
  ASSERT_GE(log.entries[1].response.size(), 12u);
  EXPECT_EQ(answer_id(log.entries[1].response.data()), 6);
  EXPECT_EQ(receive(), log.entries[1].response);
}

}  // namespace
}  // namespace mailns::server
