// Notifier: NOTIFY to a fake secondary on loopback, signed and answered;
// retries with back-off and giving up after five tries.
#include "server/xfr/notifier.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "server/xfr/primary.hpp"
#include "xfr_test_util.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {
namespace {

using namespace testing;
using namespace std::chrono_literals;

// A UDP socket on 127.0.0.1 with an ephemeral port.
class FakeSecondary {
 public:
  FakeSecondary() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~FakeSecondary() { close(fd_); }
  uint16_t port() const { return port_; }

  // The next datagram within `wait`, and where it came from.
  std::optional<std::vector<uint8_t>> receive(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return std::nullopt;
    std::vector<uint8_t> buf(4096);
    from_len_ = sizeof from_;
    const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from_), &from_len_);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
  void reply(const std::vector<uint8_t>& msg) {
    sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&from_), from_len_);
  }

 private:
  int fd_;
  uint16_t port_;
  sockaddr_in from_{};
  socklen_t from_len_ = 0;
};

Secondary secondary_at(uint16_t port, bool with_key) {
  Secondary s;
  s.address = *ListenAddress::parse("127.0.0.1:" + std::to_string(port), nullptr);
  if (with_key) s.tsig = *zone::DnsName::from_text("xfr-key");
  return s;
}

// The answer to a NOTIFY: header with QR, the question, signed when asked.
std::vector<uint8_t> answer_to(const std::vector<uint8_t>& notify, const TsigKey* key) {
  TsigRecord rec;
  const bool signed_request = find_tsig(notify, rec) == TsigFind::kFound;
  std::vector<uint8_t> a(notify.begin(), notify.begin() + static_cast<std::ptrdiff_t>(signed_request ? rec.offset : notify.size()));
  a[2] |= 0x80;
  a[10] = a[11] = 0;
  if (key) {
    TsigSigner s(*key, rec.mac, rec.original_id);
    const size_t n = a.size();
    a.resize(n + 512);
    a.resize(s.sign(a, n, static_cast<uint64_t>(std::time(nullptr))));
  }
  return a;
}

TEST(Notifier, SendsSignedNotifyAndStopsWhenAcknowledged) {
  FakeSecondary sec;
  const TsigKey key = make_key();
  Notifier n({secondary_at(sec.port(), true)}, {key}, 200ms);
  n.start();
  n.notify({{*zone::DnsName::from_text("example.org"), 2024010101}});
  auto msg = sec.receive(2000ms);
  ASSERT_TRUE(msg);
  const auto& m = *msg;
  EXPECT_EQ((m[2] >> 3) & 0xF, 4);  // opcode NOTIFY
  EXPECT_TRUE(m[2] & 0x04);         // AA
  EXPECT_FALSE(m[2] & 0x80);
  const Decoded d = decode(m);
  EXPECT_EQ(d.qdcount, 1u);
  // Signed with the secondary's key: ldns checks it.
  EXPECT_TRUE(ldns_verifies(m, "xfr-key.", kSecretB64, {}, false));
  sec.reply(answer_to(m, &key));
  for (int i = 0; i < 100 && !n.idle(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(n.idle());
  EXPECT_EQ(n.stats().acknowledged, 1u);
  // No retry after the answer.
  EXPECT_FALSE(sec.receive(500ms));
  EXPECT_EQ(n.stats().sent, 1u);
  n.stop();
}

TEST(Notifier, UnsignedAnswerToASignedNotifyIsNotAnAcknowledgement) {
  FakeSecondary sec;
  const TsigKey key = make_key();
  Notifier n({secondary_at(sec.port(), true)}, {key}, 100ms);
  n.start();
  n.notify({{*zone::DnsName::from_text("example.org"), 1}});
  auto first = sec.receive(2000ms);
  ASSERT_TRUE(first);
  sec.reply(answer_to(*first, nullptr));
  auto second = sec.receive(2000ms);  // retried
  ASSERT_TRUE(second);
  sec.reply(answer_to(*second, &key));
  for (int i = 0; i < 100 && !n.idle(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(n.stats().acknowledged, 1u);
  n.stop();
}

TEST(Notifier, RetriesWithBackOffAndGivesUpAfterFiveTries) {
  FakeSecondary sec;
  Notifier n({secondary_at(sec.port(), false)}, {}, 50ms);
  n.start();
  const auto start = std::chrono::steady_clock::now();
  n.notify({{*zone::DnsName::from_text("example.org"), 7}});
  std::vector<std::chrono::steady_clock::duration> at;
  while (auto m = sec.receive(3000ms)) {
    at.push_back(std::chrono::steady_clock::now() - start);
    EXPECT_FALSE(ldns_verifies(*m, "xfr-key.", kSecretB64, {}, false));  // unsigned
  }
  ASSERT_EQ(at.size(), static_cast<size_t>(Notifier::kMaxTries));
  // 50, 100, 200, 400 ms between tries.
  for (size_t i = 1; i < at.size(); ++i) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(at[i] - at[i - 1]).count();
    EXPECT_GE(gap, 50 * (1 << (i - 1)) - 5) << i;
  }
  for (int i = 0; i < 100 && !n.idle(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(n.idle());
  EXPECT_EQ(n.stats().gave_up, 1u);
  EXPECT_EQ(n.stats().sent, 5u);
  n.stop();
}

}  // namespace
}  // namespace mailns::server

namespace mailns::server {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const zone::Snapshot> snapshot_with(uint32_t serial, const std::string& extra = "") {
  const std::string text = "$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) +
                           " 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n" + extra;
  auto res = zone::load_zone_text(text, *zone::DnsName::from_text("example.org"), "t.zone");
  std::vector<std::shared_ptr<const zone::Zone>> zones{res.zone};
  return std::make_shared<const zone::Snapshot>(std::move(zones), zone::AnswerOptions{});
}

TEST(PrimaryNotify, StartUpAndEveryPublicationWithANewSerialSendNotify) {
  FakeSecondary sec;
  TransferSettings s;
  s.secondaries.push_back(secondary_at(sec.port(), false));
  Primary::Options o;
  o.notify_timeout = 100ms;
  Primary p(s, o);
  SnapshotHolder holder(snapshot_with(1));
  p.attach(holder);
  EXPECT_FALSE(sec.receive(200ms));  // nothing before start_notify()
  p.start_notify();
  // Start-up: every zone.
  auto m = sec.receive(2000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(testing::decode(*m).qdcount, 1u);
  sec.reply(answer_to(*m, nullptr));
  for (int i = 0; i < 100 && !p.notify_idle(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(p.notify_stats().acknowledged, 1u);
  // The same serial published again (a reload that changed nothing here): no NOTIFY.
  holder.publish(snapshot_with(1));
  EXPECT_FALSE(sec.receive(300ms));
  // A new serial, as the re-signer or a reload publishes it: NOTIFY, and the
  // IXFR difference is kept.
  holder.publish(snapshot_with(2, "www A 192.0.2.80\n"));
  m = sec.receive(2000ms);
  ASSERT_TRUE(m);
  sec.reply(answer_to(*m, nullptr));
  for (int i = 0; i < 100 && p.notify_stats().acknowledged < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(p.notify_stats().acknowledged, 2u);
  EXPECT_EQ(p.journal().size(*zone::DnsName::from_text("example.org")), 1u);
  p.stop();
  // After stop() the holder publishes without the hooks.
  holder.publish(snapshot_with(3));
  EXPECT_FALSE(sec.receive(300ms));
}

}  // namespace
}  // namespace mailns::server
