// Notifier: NOTIFY to a fake secondary on loopback, signed and answered;
// retries with back-off and giving up after five tries; error answers
// (TSIG BADSIG, BADKEY, BADTIME, REFUSED, NOTAUTH) logged with what they
// mean, counted, and ending the retries unless a retry can cure them; and
// answers that do not match the NOTIFY ignored.
#include "server/xfr/notifier.hpp"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "server/logging.hpp"
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

// An error answer to a NOTIFY, as RFC 8945 5.3.2 has it: the question,
// the RCODE, and for a TSIG error an unsigned TSIG record (MAC size 0) with
// the request's key and algorithm; BADTIME comes signed with the key, at the
// secondary's time (signed_at).
std::vector<uint8_t> error_answer(const std::vector<uint8_t>& notify, uint8_t rcode, uint16_t tsig_err = 0,
                                  const TsigKey* sign_with = nullptr, uint64_t signed_at = 0) {
  TsigRecord rec;
  const bool signed_request = find_tsig(notify, rec) == TsigFind::kFound;
  std::vector<uint8_t> a(notify.begin(),
                         notify.begin() + static_cast<std::ptrdiff_t>(signed_request ? rec.offset : notify.size()));
  a[2] |= 0x80;
  a[3] = static_cast<uint8_t>((a[3] & 0xF0) | rcode);
  a[10] = a[11] = 0;
  if (!signed_request || (tsig_err == 0 && !sign_with)) return a;
  const size_t n = a.size();
  a.resize(n + 512);
  if (sign_with) {
    TsigSigner s(*sign_with, rec.mac, rec.original_id);
    const uint8_t server_time[6] = {0, 0, 0, 0, 0, 0};
    a.resize(s.sign(a, n, signed_at, tsig_err, tsig_err == tsig_error::kBadTime ? std::span<const uint8_t>(server_time)
                                                                                  : std::span<const uint8_t>()));
  } else {
    a.resize(append_unsigned_tsig(a, n, rec.key_name, rec.algorithm, rec.time_signed, rec.original_id, tsig_err));
  }
  return a;
}

// The xfr logger's lines while a test runs.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200)) {
    sink_->set_pattern("%l %v");
    xfr_log().sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = xfr_log().sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::vector<std::string> lines() const { return sink_->last_formatted(); }
  size_t count(const std::string& text) const {
    size_t n = 0;
    for (const auto& l : lines())
      if (l.find(text) != std::string::npos) ++n;
    return n;
  }
  std::string all() const {
    std::string t;
    for (const auto& l : lines()) t += l;
    return t;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

// One NOTIFY (example.org serial 1) to a fake secondary that answers every
// datagram with answer(datagram); what the notifier did.
struct NotifyRun {
  size_t datagrams = 0;
  NotifyStats stats;
  std::string address;
};

using Answerer = std::function<std::optional<std::vector<uint8_t>>(const std::vector<uint8_t>&)>;

NotifyRun notify_answered_by(const Answerer& answer,
                       bool with_key = true, std::chrono::milliseconds timeout = 100ms) {
  FakeSecondary sec;
  const TsigKey key = make_key();
  Notifier n({secondary_at(sec.port(), with_key)}, {key}, timeout);
  n.start();
  n.notify({{*zone::DnsName::from_text("example.org"), 1}});
  NotifyRun r;
  // A retry would come within `timeout`; wait for three times that after
  // the last datagram.
  while (auto m = sec.receive(r.datagrams == 0 ? 2000ms : timeout * (1 << r.datagrams) + 300ms)) {
    ++r.datagrams;
    if (auto a = answer(*m)) sec.reply(*a);
  }
  for (int i = 0; i < 200 && !n.idle(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(n.idle());
  r.stats = n.stats();
  r.address = "127.0.0.1:" + std::to_string(sec.port());
  n.stop();
  return r;
}

uint64_t outcome(const NotifyRun& r, const std::string& result) {
  auto it = r.stats.outcomes.find({r.address, result});
  return it == r.stats.outcomes.end() ? 0 : it->second;
}

TEST(NotifierErrors, BadSigIsReportedOnceAndNotRetried) {
  LogCapture log;
  const NotifyRun r = notify_answered_by([](const auto& m) { return error_answer(m, 9, tsig_error::kBadSig); });
  EXPECT_EQ(r.datagrams, 1u);
  EXPECT_EQ(r.stats.rejected, 1u);
  EXPECT_EQ(r.stats.acknowledged, 0u);
  EXPECT_EQ(r.stats.gave_up, 0u);
  EXPECT_EQ(outcome(r, "bad_signature"), 1u);
  const std::string meaning =
      "secondary " + r.address + " rejects our TSIG signature: the secret of key xfr-key differs";
  EXPECT_EQ(r.stats.last.at(r.address).result, meaning);
  EXPECT_EQ(log.count(meaning), 1u) << log.all();
  EXPECT_EQ(log.count("TSIG error BADSIG"), 1u) << log.all();
  EXPECT_EQ(log.count("no answer after"), 0u) << log.all();
  EXPECT_EQ(log.count("ignored"), 0u) << log.all();
}

TEST(NotifierErrors, BadKeyIsReportedOnceAndNotRetried) {
  LogCapture log;
  const NotifyRun r = notify_answered_by([](const auto& m) { return error_answer(m, 9, tsig_error::kBadKey); });
  EXPECT_EQ(r.datagrams, 1u);
  EXPECT_EQ(outcome(r, "unknown_key"), 1u);
  EXPECT_EQ(r.stats.rejected, 1u);
  EXPECT_EQ(log.count("secondary " + r.address + " does not know key xfr-key"), 1u) << log.all();
}

TEST(NotifierErrors, BadTimeIsRetriedReportedOnceAndNamedWhenGivingUp) {
  LogCapture log;
  const TsigKey key = make_key();
  // Signed with the right key at a time an hour off: the MAC verifies, the
  // time does not (RFC 8945 5.2.3).
  const auto off = static_cast<uint64_t>(std::time(nullptr)) - 3600;
  const NotifyRun r = notify_answered_by(
      [&](const auto& m) { return error_answer(m, 9, tsig_error::kBadTime, &key, off); }, true, 30ms);
  EXPECT_EQ(r.datagrams, static_cast<size_t>(Notifier::kMaxTries));
  EXPECT_EQ(r.stats.gave_up, 1u);
  EXPECT_EQ(r.stats.rejected, 0u);
  EXPECT_EQ(outcome(r, "bad_time"), 1u);
  EXPECT_EQ(outcome(r, "no_answer"), 0u);
  const std::string meaning =
      "secondary " + r.address + " rejects our TSIG time: the clocks differ by more than the fudge";
  EXPECT_EQ(log.count(meaning + " (NOTIFY"), 1u) << log.all();  // once, not at every try
  EXPECT_EQ(log.count("not acknowledged after 5 tries; giving up: " + meaning), 1u) << log.all();
  EXPECT_EQ(log.count("no answer after"), 0u) << log.all();
  EXPECT_NE(r.stats.last.at(r.address).result.find(meaning), std::string::npos);
}

TEST(NotifierErrors, UnsignedBadTimeIsAlsoRetried) {
  const NotifyRun r =
      notify_answered_by([](const auto& m) { return error_answer(m, 9, tsig_error::kBadTime); }, true, 30ms);
  EXPECT_EQ(r.datagrams, static_cast<size_t>(Notifier::kMaxTries));
  EXPECT_EQ(outcome(r, "bad_time"), 1u);
}

TEST(NotifierErrors, BadTimeThenAcknowledged) {
  const TsigKey key = make_key();
  const auto off = static_cast<uint64_t>(std::time(nullptr)) - 3600;
  int n = 0;
  const NotifyRun r = notify_answered_by([&](const auto& m) {
    return ++n == 1 ? error_answer(m, 9, tsig_error::kBadTime, &key, off) : answer_to(m, &key);
  });
  EXPECT_EQ(r.datagrams, 2u);
  EXPECT_EQ(r.stats.acknowledged, 1u);
  EXPECT_EQ(outcome(r, "bad_time"), 0u);
  EXPECT_EQ(r.stats.last.at(r.address).result, "acknowledged");
}

TEST(NotifierErrors, RefusedIsReportedAndNotRetried) {
  for (bool with_key : {true, false}) {
    LogCapture log;
    const NotifyRun r = notify_answered_by([](const auto& m) { return error_answer(m, 5); }, with_key);
    EXPECT_EQ(r.datagrams, 1u) << with_key;
    EXPECT_EQ(outcome(r, "refused"), 1u) << with_key;
    const std::string meaning = "secondary " + r.address +
                                " refuses NOTIFY for example.org. (REFUSED): it is not configured as a secondary of "
                                "this zone, or does not allow NOTIFY from us";
    EXPECT_EQ(log.count(meaning), 1u) << log.all();
  }
}

TEST(NotifierErrors, SignedRefusedIsReportedAndNotRetried) {
  const TsigKey key = make_key();
  const auto now = static_cast<uint64_t>(std::time(nullptr));
  const NotifyRun r = notify_answered_by([&](const auto& m) { return error_answer(m, 5, 0, &key, now); });
  EXPECT_EQ(r.datagrams, 1u);
  EXPECT_EQ(outcome(r, "refused"), 1u);
}

TEST(NotifierErrors, NotAuthWithoutTsigErrorIsReportedAndNotRetried) {
  LogCapture log;
  const NotifyRun r = notify_answered_by([](const auto& m) { return error_answer(m, 9); });
  EXPECT_EQ(r.datagrams, 1u);
  EXPECT_EQ(outcome(r, "not_authoritative"), 1u);
  EXPECT_EQ(log.count("secondary " + r.address +
                      " answers NOTAUTH for example.org.: it is not authoritative / not a secondary for the zone"),
            1u)
      << log.all();
}

TEST(NotifierErrors, NotImpIsReportedAndNotRetried) {
  const NotifyRun r = notify_answered_by([](const auto& m) { return error_answer(m, 4); }, false);
  EXPECT_EQ(r.datagrams, 1u);
  EXPECT_EQ(outcome(r, "not_implemented"), 1u);
}

// Nothing that does not match the NOTIFY in ID and question, or is
// malformed, ends it: the retries go on, and the answer that matches counts.
TEST(NotifierErrors, ErrorAnswersThatDoNotMatchAreIgnored) {
  const TsigKey key = make_key();
  int n = 0;
  const NotifyRun r = notify_answered_by([&](const auto& m) -> std::optional<std::vector<uint8_t>> {
    ++n;
    auto a = error_answer(m, 9, tsig_error::kBadSig);
    if (n == 1) a[1] ^= 1;  // another ID
    if (n == 2) a[13] = 'x';  // another question (xxample.org)
    if (n == 3) {           // the question with another type (A)
      const size_t qtype_at = 12 + zone::DnsName::from_text("example.org")->wire().size();
      a[qtype_at + 1] = 1;
    }
    if (n == 4) {  // REFUSED, but ARCOUNT says a record follows and none does: malformed
      a = error_answer(m, 5);
      a[11] = 1;
    }
    if (n == 5) return answer_to(m, &key);
    return a;
  });
  EXPECT_EQ(r.datagrams, 5u);
  EXPECT_EQ(r.stats.acknowledged, 1u);
  EXPECT_EQ(r.stats.rejected, 0u);
  EXPECT_EQ(outcome(r, "bad_signature"), 0u);
  EXPECT_EQ(outcome(r, "refused"), 0u);
}

// A NOERROR answer whose TSIG does not verify (another secret, as a spoofer
// would have) is no acknowledgement: the retries go on, and when they run
// out the outcome says why.
TEST(NotifierErrors, NoErrorWithABadMacIsNotAnAcknowledgement) {
  LogCapture log;
  const TsigKey other = make_key("xfr-key", TsigAlgorithm::kHmacSha256, "b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXI=");
  const NotifyRun r = notify_answered_by([&](const auto& m) { return answer_to(m, &other); }, true, 30ms);
  EXPECT_EQ(r.datagrams, static_cast<size_t>(Notifier::kMaxTries));
  EXPECT_EQ(r.stats.acknowledged, 0u);
  EXPECT_EQ(r.stats.gave_up, 1u);
  EXPECT_EQ(outcome(r, "unverified"), 1u);
  EXPECT_EQ(log.count("with a TSIG that does not verify with key xfr-key (BADSIG: the MAC differs); not taken as an "
                      "acknowledgement; trying again"),
            1u)
      << log.all();
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

// A secondary added by a reload hears of every zone at once: the NOTIFYs
// of the zones that reload changed went to the secondaries before it (a
// named added with a zone edit in one reload was never notified).
TEST(PrimaryNotify, ASecondaryAddedByAReloadIsSentNotifyOfEveryZone) {
  FakeSecondary first, added;
  TransferSettings s;
  s.secondaries.push_back(secondary_at(first.port(), false));
  Primary::Options o;
  o.notify_timeout = 100ms;
  Primary p(s, o);
  SnapshotHolder holder(snapshot_with(1));
  p.attach(holder);
  p.start_notify();
  auto acknowledged = [&](uint64_t n) {
    for (int i = 0; i < 200 && p.notify_stats().acknowledged < n; ++i) std::this_thread::sleep_for(10ms);
    return p.notify_stats().acknowledged == n;
  };
  auto m = first.receive(2000ms);
  ASSERT_TRUE(m);
  first.reply(answer_to(*m, nullptr));
  ASSERT_TRUE(acknowledged(1));
  // A reload: the zone changes (published first), then the settings add a
  // secondary.
  holder.publish(snapshot_with(2));
  m = first.receive(2000ms);
  ASSERT_TRUE(m);
  first.reply(answer_to(*m, nullptr));
  ASSERT_TRUE(acknowledged(2));
  s.secondaries.push_back(secondary_at(added.port(), false));
  p.update_settings(s);
  m = added.receive(2000ms);
  ASSERT_TRUE(m);
  const Decoded d = decode(*m);
  EXPECT_EQ(d.qdcount, 1u);
  added.reply(answer_to(*m, nullptr));
  EXPECT_FALSE(first.receive(300ms));  // the first one knows already
  EXPECT_TRUE(acknowledged(3));
  EXPECT_EQ(p.notify_stats().last.at("127.0.0.1:" + std::to_string(added.port())).serial, 2u);
  // The same settings again (any later reload): nothing new.
  p.update_settings(s);
  EXPECT_FALSE(added.receive(300ms));
  p.stop();
}

TEST(PrimaryNotify, TheFirstSecondaryAddedByAReloadIsSentNotifyOfEveryZone) {
  FakeSecondary added;
  TransferSettings s;
  Primary::Options o;
  o.notify_timeout = 100ms;
  Primary p(s, o);
  SnapshotHolder holder(snapshot_with(4));
  p.attach(holder);
  p.start_notify();
  s.secondaries.push_back(secondary_at(added.port(), false));
  p.update_settings(s);
  auto m = added.receive(2000ms);
  ASSERT_TRUE(m);
  added.reply(answer_to(*m, nullptr));
  for (int i = 0; i < 100 && p.notify_stats().acknowledged < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(p.notify_stats().last.at("127.0.0.1:" + std::to_string(added.port())).serial, 4u);
  p.stop();
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
