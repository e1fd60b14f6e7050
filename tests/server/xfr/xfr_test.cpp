// The primary's answers (server/primary.hpp): AXFR from one snapshot in
// 64 KiB messages, IXFR from the journal, the ACL, TSIG on every message,
// the catalog zone, and what UDP gets. Messages are decoded with ldns.
#include "server/xfr/primary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "dns_test_util.hpp"
#include "server/xfr/catalog_zone.hpp"
#include "zone/soa_serial.hpp"
#include "server/net/tcp_query_stream.hpp"
#include "server/xfr/xfr_request.hpp"
#include "xfr_test_util.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {
namespace {

using namespace testing;
using zone::serial_greater;

constexpr uint16_t kSOA = 6, kA = 1, kAXFR = 252, kIXFR = 251;
constexpr int64_t kNow = 1'800'000'000;

// A zone with (fake) signatures and NSEC3: what matters here is that every
// record travels, not that the signatures validate (the integration test
// runs ldns-verify-zone on a secondary's copy of a really signed zone).
constexpr const char* kSignedZone =
    "$ORIGIN example.org.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 2024040101 7200 3600 1209600 300\n"
    "@ RRSIG SOA 13 2 3600 20300101000000 20200101000000 12345 example.org. c29hLXNpZ25hdHVyZQ==\n"
    "@ NS ns1\n"
    "@ RRSIG NS 13 2 3600 20300101000000 20200101000000 12345 example.org. bnMtc2lnbmF0dXJl\n"
    "@ MX 10 mail\n"
    "@ DNSKEY 257 3 13 a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5\n"
    "@ NSEC3PARAM 1 0 0 -\n"
    "ns1 A 192.0.2.53\n"
    "ns1 RRSIG A 13 3 3600 20300101000000 20200101000000 12345 example.org. YS1zaWduYXR1cmU=\n"
    "mail A 192.0.2.25\n"
    "sub NS ns.sub\n"
    "ns.sub A 192.0.2.99\n"
    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG\n"
    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom RRSIG NSEC3 13 3 300 20300101000000 20200101000000 12345 example.org. bnNlYzMtc2ln\n";

std::shared_ptr<const zone::Zone> zone_of(const std::string& text, const std::string& origin = "example.org") {
  auto res = zone::load_zone_text(text, *zone::DnsName::from_text(origin), "test.zone");
  EXPECT_TRUE(res.errors.empty()) << (res.errors.empty() ? "" : res.errors.front());
  return res.zone;
}

std::shared_ptr<const zone::Snapshot> snapshot_of(std::vector<std::shared_ptr<const zone::Zone>> zones) {
  return std::make_shared<const zone::Snapshot>(std::move(zones), zone::AnswerOptions{});
}

// Every record of a zone as ldns prints it (through our master-file export).
std::multiset<std::string> exported(const zone::Zone& z) {
  std::multiset<std::string> out;
  const std::string text = zone::export_zone(z);
  size_t p = 0;
  while (p < text.size()) {
    const size_t e = text.find('\n', p);
    const std::string line = text.substr(p, e - p);
    p = e + 1;
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
      ADD_FAILURE() << line;
      continue;
    }
    out.insert(rr_text(rr));
    ldns_rr_free(rr);
  }
  return out;
}

std::vector<std::vector<uint8_t>> drain(MessageSource& s) {
  std::vector<std::vector<uint8_t>> out;
  std::vector<uint8_t> buf(65535);
  while (const size_t n = s.next(buf)) {
    out.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    if (out.size() > 100000) break;
  }
  return out;
}

std::vector<std::string> all_answers(const std::vector<std::vector<uint8_t>>& msgs) {
  std::vector<std::string> out;
  for (const auto& m : msgs) {
    const Decoded d = decode(m);
    EXPECT_TRUE(d.ok);
    out.insert(out.end(), d.answer.begin(), d.answer.end());
  }
  return out;
}

bool is_soa(const std::string& rr) { return rr.find(" IN SOA ") != std::string::npos; }

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

class XfrTest : public ::testing::Test {
 protected:
  TransferSettings settings(bool with_key_entry = true) {
    TransferSettings s;
    s.tsig_keys.push_back(make_key());
    AclEntry local;
    local.prefix = AddressPrefix::parse("127.0.0.1", nullptr);
    s.acl.entries.push_back(local);
    if (with_key_entry) {
      AclEntry key;
      key.key = *zone::DnsName::from_text("xfr-key");
      s.acl.entries.push_back(key);
    }
    return s;
  }
  std::unique_ptr<Primary> make_primary(TransferSettings s) {
    Primary::Options o;
    o.clock = [this] { return now; };
    return std::make_unique<Primary>(std::move(s), o);
  }
  std::vector<std::vector<uint8_t>> tcp(const Primary& p, const std::vector<uint8_t>& q,
                                        std::shared_ptr<const zone::Snapshot> s, const char* peer = "127.0.0.1") {
    auto src = p.answer_tcp(std::as_bytes(std::span(q)), std::move(s), ip(peer));
    if (!src) return {};
    return drain(*src);
  }
  std::vector<uint8_t> udp(const Primary& p, const std::vector<uint8_t>& q, const zone::Snapshot& s,
                           const char* peer = "127.0.0.1") {
    std::vector<uint8_t> out(4096);
    const size_t n = p.answer_udp(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), s, ip(peer));
    out.resize(n);
    return out;
  }
  int64_t now = kNow;
};

TEST_F(XfrTest, AxfrSendsEveryRecordWithSoaFirstAndLast) {
  auto z = zone_of(kSignedZone);
  auto snap = snapshot_of({z});
  auto p = make_primary(settings());
  const auto msgs = tcp(*p, build_query(7, "example.org", kAXFR), snap);
  ASSERT_EQ(msgs.size(), 1u);
  const Decoded d = decode(msgs[0]);
  EXPECT_EQ(d.rcode, 0u);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.qdcount, 1u);
  EXPECT_EQ(msgs[0][0], 0);
  EXPECT_EQ(msgs[0][1], 7);
  ASSERT_GE(d.answer.size(), 3u);
  EXPECT_TRUE(is_soa(d.answer.front()));
  EXPECT_EQ(d.answer.front(), d.answer.back());
  // Everything but the closing SOA is the zone, signatures, NSEC3 and glue included.
  std::multiset<std::string> got(d.answer.begin(), d.answer.end() - 1);
  EXPECT_EQ(got, exported(*z));
  EXPECT_EQ(std::count_if(d.answer.begin(), d.answer.end(), is_soa), 2);
  auto has = [&](const std::string& part) {
    return std::any_of(d.answer.begin(), d.answer.end(), [&](const std::string& r) { return r.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has("IN RRSIG SOA 13"));
  EXPECT_TRUE(has("IN NSEC3 1 0 0 -"));
  EXPECT_TRUE(has("IN DNSKEY 257"));
  EXPECT_TRUE(has("ns.sub.example.org. 3600 IN A 192.0.2.99"));
}

TEST_F(XfrTest, LargeZoneGoesInSeveral64KiBMessagesWithTheQuestionOnlyInTheFirst) {
  std::string text = "$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 5 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n";
  for (int i = 0; i < 6000; ++i)
    text += "host" + std::to_string(i) + " TXT \"" + std::string(40, 'x') + std::to_string(i) + "\"\n";
  auto z = zone_of(text, "big.test");
  auto snap = snapshot_of({z});
  auto p = make_primary(settings());
  const auto msgs = tcp(*p, build_query(9, "big.test", kAXFR, std::nullopt, true), snap);
  ASSERT_GT(msgs.size(), 3u);
  size_t records = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_LE(msgs[i].size(), 65535u);
    EXPECT_GT(msgs[i].size(), i + 1 < msgs.size() ? 60000u : 0u) << "messages are filled";
    const Decoded d = decode(msgs[i]);
    EXPECT_EQ(d.qdcount, i == 0 ? 1u : 0u);
    EXPECT_TRUE(d.has_opt);  // the request had EDNS
    records += d.answer.size();
  }
  EXPECT_EQ(records, z->record_count() + 1);
  const auto answers = all_answers(msgs);
  EXPECT_TRUE(is_soa(answers.front()));
  EXPECT_TRUE(is_soa(answers.back()));
}

TEST_F(XfrTest, TransferKeepsItsSnapshotWhileANewOneIsPublished) {
  auto v1 = zone_of(kExampleZone);
  std::string v2_text = kExampleZone;
  v2_text.replace(v2_text.find("2024040101"), 10, "2024040102");
  v2_text += "new IN A 192.0.2.1\n";
  SnapshotHolder holder(snapshot_of({v1}));
  auto p = make_primary(settings());
  const auto q = build_query(1, "example.org", kAXFR);
  auto src = p->answer_tcp(std::as_bytes(std::span(q)), holder.owner(), ip("127.0.0.1"));
  ASSERT_TRUE(src);
  holder.publish(snapshot_of({zone_of(v2_text)}));  // the holder keeps no reference to v1's snapshot now but retired
  const auto msgs = drain(*src);
  const auto answers = all_answers(msgs);
  for (const auto& a : answers) {
    EXPECT_EQ(a.find("new.example.org"), std::string::npos);
    if (is_soa(a)) {
      EXPECT_NE(a.find("2024040101"), std::string::npos);
    }
  }
}

TEST_F(XfrTest, AclRefusesWithoutAnyZoneData) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings(/*with_key_entry=*/false));
  for (uint16_t t : {kAXFR, kIXFR}) {
    const auto msgs = tcp(*p, build_query(3, "example.org", t, t == kIXFR ? std::optional<uint32_t>(1) : std::nullopt),
                          snap, "192.0.2.1");
    ASSERT_EQ(msgs.size(), 1u);
    const Decoded d = decode(msgs[0]);
    EXPECT_EQ(d.rcode, 5u);  // REFUSED
    EXPECT_TRUE(d.answer.empty());
  }
  // A key-only entry needs the key: unsigned from elsewhere is refused,
  // signed is allowed from anywhere.
  auto p2 = make_primary(settings());
  auto msgs = tcp(*p2, build_query(3, "example.org", kAXFR), snap, "192.0.2.1");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(decode(msgs[0]).rcode, 5u);
  msgs = tcp(*p2, sign_request(build_query(3, "example.org", kAXFR), make_key(), kNow), snap, "192.0.2.1");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(decode(msgs[0]).rcode, 0u);
  EXPECT_EQ(decode(msgs[0]).answer.size(), 6u);  // five records and the closing SOA
}

TEST_F(XfrTest, ZonesNotServedHereAreNotAuth) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings());
  for (const char* name : {"example.net", "www.example.org", "org"}) {
    const auto msgs = tcp(*p, build_query(3, name, kAXFR), snap);
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(decode(msgs[0]).rcode, 9u) << name;  // NOTAUTH
    EXPECT_TRUE(decode(msgs[0]).answer.empty());
  }
}

TEST_F(XfrTest, SignedTransferHasAValidTsigOnEveryMessage) {
  std::string text = "$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 5 7200 3600 1209600 300\n@ NS ns1\n";
  for (int i = 0; i < 4000; ++i) text += "h" + std::to_string(i) + " TXT \"" + std::string(30, 'y') + "\"\n";
  auto snap = snapshot_of({zone_of(text, "big.test")});
  auto p = make_primary(settings());
  now = std::time(nullptr);
  std::vector<uint8_t> request_mac;
  const auto q = sign_request(build_query(11, "big.test", kAXFR), make_key(), static_cast<uint64_t>(now), &request_mac);
  const auto msgs = tcp(*p, q, snap, "203.0.113.5");
  ASSERT_GT(msgs.size(), 1u);
  std::vector<uint8_t> prior = request_mac;
  for (size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_LE(msgs[i].size(), 65535u);
    EXPECT_TRUE(ldns_verifies(msgs[i], "xfr-key.", kSecretB64, prior, i > 0)) << "message " << i;
    prior = mac_of(msgs[i]);
    ASSERT_FALSE(prior.empty());
  }
}

TEST_F(XfrTest, TsigFailuresAreNotAuthWithTheTsigError) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings());
  const auto q = build_query(5, "example.org", kAXFR);
  // Unknown key: BADKEY, unsigned (MAC size 0).
  auto msgs = tcp(*p, sign_request(q, make_key("nobody"), kNow), snap);
  ASSERT_EQ(msgs.size(), 1u);
  Decoded d = decode(msgs[0]);
  EXPECT_EQ(d.rcode, 9u);
  EXPECT_EQ(d.tsig_error, 17u);
  EXPECT_EQ(d.tsig_mac_size, 0u);
  EXPECT_TRUE(d.answer.empty());
  // Wrong secret: BADSIG, unsigned.
  msgs = tcp(*p, sign_request(q, make_key("xfr-key", TsigAlgorithm::kHmacSha256, "d3JvbmctZnJvbmctd3JvbmctZnJvbmctd3Jvbmc="), kNow), snap);
  d = decode(msgs.at(0));
  EXPECT_EQ(d.rcode, 9u);
  EXPECT_EQ(d.tsig_error, 16u);
  EXPECT_EQ(d.tsig_mac_size, 0u);
  EXPECT_TRUE(d.answer.empty());
  // Clock skew: BADTIME, signed with the request's MAC, our time in Other Data.
  std::vector<uint8_t> mac;
  const auto skewed = sign_request(q, make_key(), kNow - 1000, &mac);
  msgs = tcp(*p, skewed, snap);
  d = decode(msgs.at(0));
  EXPECT_EQ(d.rcode, 9u);
  EXPECT_EQ(d.tsig_error, 18u);
  EXPECT_EQ(d.tsig_mac_size, 32u);
  EXPECT_TRUE(d.answer.empty());
  EXPECT_TRUE(ldns_verifies(msgs[0], "xfr-key.", kSecretB64, mac, false));
  TsigRecord rec;
  ASSERT_EQ(find_tsig(msgs[0], rec), TsigFind::kFound);
  ASSERT_EQ(rec.other.size(), 6u);
  uint64_t theirs = 0;
  for (uint8_t b : rec.other) theirs = theirs << 8 | b;
  EXPECT_EQ(theirs, static_cast<uint64_t>(kNow));
  EXPECT_EQ(rec.time_signed, static_cast<uint64_t>(kNow - 1000));
}

// Issue 15: a signed request captured and replayed later is refused with
// BADTIME once it is older than tsig_max_fudge, whatever fudge it carries.
TEST_F(XfrTest, ReplayedRequestOutsideTsigMaxFudgeIsBadTime) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  ldns_pkt* pkt = nullptr;
  ASSERT_EQ(ldns_pkt_query_new_frm_str(&pkt, "example.org.", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0), LDNS_STATUS_OK);
  ldns_pkt_set_id(pkt, 99);
  ASSERT_EQ(ldns_pkt_tsig_sign(pkt, "xfr-key.", kSecretB64, 65535, "hmac-sha256.", nullptr), LDNS_STATUS_OK);
  uint8_t* wire = nullptr;
  size_t len = 0;
  ASSERT_EQ(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
  const std::vector<uint8_t> q(wire, wire + len);
  free(wire);
  ldns_pkt_free(pkt);
  const int64_t signed_at = std::time(nullptr);

  auto p = make_primary(settings());
  now = signed_at + 10;  // fresh: transferred
  auto msgs = tcp(*p, q, snap);
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(decode(msgs[0]).rcode, 0u);
  now = signed_at + 2 * 3600;  // replayed two hours later: inside its own fudge, outside ours
  msgs = tcp(*p, q, snap);
  ASSERT_EQ(msgs.size(), 1u);
  Decoded d = decode(msgs[0]);
  EXPECT_EQ(d.rcode, 9u);
  EXPECT_EQ(d.tsig_error, 18u);
  EXPECT_TRUE(d.answer.empty());

  TransferSettings wide = settings();
  wide.tsig_max_fudge = 3600;
  auto p2 = make_primary(std::move(wide));
  now = signed_at + 1800;
  msgs = tcp(*p2, q, snap);
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(decode(msgs[0]).rcode, 0u);
  now = signed_at + 3700;
  msgs = tcp(*p2, q, snap);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(decode(msgs[0]).tsig_error, 18u);
}

TEST_F(XfrTest, SignedPlainQueriesGetSignedAnswers) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings());
  now = std::time(nullptr);
  std::vector<uint8_t> mac;
  const auto q = sign_request(build_query(21, "example.org", kSOA, std::nullopt, true), make_key(), now, &mac);
  ASSERT_TRUE(needs_request_handler(std::as_bytes(std::span(q))));
  const auto a = udp(*p, q, *snap, "198.51.100.7");  // no ACL for queries
  const Decoded d = decode(a);
  EXPECT_EQ(d.rcode, 0u);
  ASSERT_EQ(d.answer.size(), 1u);
  EXPECT_TRUE(is_soa(d.answer[0]));
  EXPECT_TRUE(d.has_opt);
  EXPECT_TRUE(ldns_verifies(a, "xfr-key.", kSecretB64, mac, false));
  // Over TCP too.
  const auto msgs = tcp(*p, q, snap, "198.51.100.7");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_TRUE(ldns_verifies(msgs[0], "xfr-key.", kSecretB64, mac, false));
}

TEST_F(XfrTest, UdpAxfrIsFormErrAndUdpIxfrIsSoaOrTc) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings());
  Decoded d = decode(udp(*p, build_query(1, "example.org", kAXFR), *snap));
  EXPECT_EQ(d.rcode, 1u);
  EXPECT_TRUE(d.answer.empty());
  // Current (or newer): the SOA only.
  for (uint32_t serial : {2024040101u, 2024040105u}) {
    d = decode(udp(*p, build_query(1, "example.org", kIXFR, serial), *snap));
    EXPECT_EQ(d.rcode, 0u);
    EXPECT_FALSE(d.tc);
    ASSERT_EQ(d.answer.size(), 1u);
    EXPECT_TRUE(is_soa(d.answer[0]));
  }
  // Behind: TC, nothing else.
  d = decode(udp(*p, build_query(1, "example.org", kIXFR, 2024040100), *snap));
  EXPECT_EQ(d.rcode, 0u);
  EXPECT_TRUE(d.tc);
  EXPECT_TRUE(d.answer.empty());
  // The ACL applies to UDP IXFR too.
  d = decode(udp(*p, build_query(1, "example.org", kIXFR, 2024040101), *snap, "192.0.2.9"));
  EXPECT_EQ(d.rcode, 5u);
  EXPECT_TRUE(d.answer.empty());
}

TEST_F(XfrTest, IxfrSendsTheDifferencesAndFallsBackToAxfr) {
  const std::string v1 = kExampleZone;
  std::string v2 = v1;
  v2.replace(v2.find("2024040101"), 10, "2024040102");
  v2.replace(v2.find("mail IN A 192.0.2.25"), 20, "mail IN A 192.0.2.26");
  std::string v3 = v2;
  v3.replace(v3.find("2024040102"), 10, "2024040103");
  v3 += "www IN A 192.0.2.80\n";
  auto p = make_primary(settings());
  auto s1 = snapshot_of({zone_of(v1)});
  auto s2 = p->before_publish(snapshot_of({zone_of(v2)}), *s1);
  auto s3 = p->before_publish(snapshot_of({zone_of(v3)}), *s2);
  EXPECT_EQ(p->journal().size(*zone::DnsName::from_text("example.org")), 2u);

  // From v1: two differences.
  auto answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2024040101), s3));
  const std::vector<std::string> want = {
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040103 7200 3600 1209600 300",
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040101 7200 3600 1209600 300",
      "mail.example.org. 3600 IN A 192.0.2.25",
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040102 7200 3600 1209600 300",
      "mail.example.org. 3600 IN A 192.0.2.26",
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040102 7200 3600 1209600 300",
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040103 7200 3600 1209600 300",
      "www.example.org. 3600 IN A 192.0.2.80",
      "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2024040103 7200 3600 1209600 300",
  };
  EXPECT_EQ(answers, want);
  // From v2: one.
  answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2024040102), s3));
  EXPECT_EQ(answers.size(), 5u);
  // Current: the SOA alone.
  answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2024040103), s3));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0].find("2024040103"), std::string::npos);
  // A serial not in the history: the whole zone, AXFR style.
  answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2023010101), s3));
  EXPECT_EQ(answers.size(), 7u);
  EXPECT_TRUE(is_soa(answers.front()) && is_soa(answers.back()));
  EXPECT_FALSE(is_soa(answers[1]));
  // A transfer pinned to v2 gets the difference up to v2, not beyond.
  answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2024040101), s2));
  EXPECT_EQ(answers.size(), 6u);
  EXPECT_NE(answers.back().find("2024040102"), std::string::npos);
}

TEST_F(XfrTest, IxfrHistoryZeroMeansAxfr) {
  auto s = settings();
  s.ixfr_history = 0;
  auto p = make_primary(s);
  std::string v2 = kExampleZone;
  v2.replace(v2.find("2024040101"), 10, "2024040102");
  auto s1 = snapshot_of({zone_of(kExampleZone)});
  auto s2 = p->before_publish(snapshot_of({zone_of(v2)}), *s1);
  const auto answers = all_answers(tcp(*p, build_query(1, "example.org", kIXFR, 2024040101), s2));
  EXPECT_EQ(answers.size(), 6u);
}

TEST_F(XfrTest, CatalogZoneListsEveryZoneAndKeepsItsSerialForTheSameList) {
  auto s = settings();
  s.catalog = CatalogSettings{*zone::DnsName::from_text("catalog.mailns.invalid")};
  auto p = make_primary(s);
  auto a = zone_of(kExampleZone);
  std::string net = kExampleZone;
  net.replace(net.find("example.org"), 11, "example.net");
  auto b = zone_of(net, "example.net");
  auto empty = snapshot_of({a});
  auto s1 = p->before_publish(snapshot_of({a, b}), *empty);
  ASSERT_EQ(s1->zones().size(), 3u);
  const auto cat = zone::DnsName::from_text("catalog.mailns.invalid");
  const zone::Zone* c1 = s1->find_zone(*cat);
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->origin(), *cat);
  const auto answers = all_answers(tcp(*p, build_query(1, "catalog.mailns.invalid", kAXFR), s1));
  const std::set<std::string> got(answers.begin(), answers.end());
  EXPECT_TRUE(got.count("version.catalog.mailns.invalid. 0 IN TXT \"2\""));
  EXPECT_TRUE(got.count("catalog.mailns.invalid. 0 IN NS invalid."));
  EXPECT_TRUE(got.count(catalog_member_label(a->origin()) + ".zones.catalog.mailns.invalid. 0 IN PTR example.org."));
  EXPECT_TRUE(got.count(catalog_member_label(b->origin()) + ".zones.catalog.mailns.invalid. 0 IN PTR example.net."));
  EXPECT_EQ(answers.size(), 6u);
  // Same members: the same catalog zone object and serial.
  auto s2 = p->before_publish(snapshot_of({b, a}), *s1);
  EXPECT_EQ(s2->find_zone(*cat), c1);
  // A member less: a greater serial.
  auto s3 = p->before_publish(snapshot_of({a}), *s2);
  const zone::Zone* c3 = s3->find_zone(*cat);
  ASSERT_NE(c3, nullptr);
  EXPECT_NE(c3, c1);
  EXPECT_TRUE(serial_greater(c3->soa_serial(), c1->soa_serial()));
  EXPECT_EQ(c3->record_count(), 4u);
  // Member ids are stable and differ between zones.
  EXPECT_EQ(catalog_member_label(*zone::DnsName::from_text("Example.ORG")), catalog_member_label(a->origin()));
  EXPECT_NE(catalog_member_label(a->origin()), catalog_member_label(b->origin()));
  EXPECT_EQ(catalog_member_label(a->origin()).size(), 16u);
}

TEST_F(XfrTest, NeedsPrimaryIsCheapAndExact) {
  auto bytes = [](const std::vector<uint8_t>& v) { return std::as_bytes(std::span(v)); };
  EXPECT_FALSE(needs_request_handler(bytes(build_query(1, "example.org", kA))));
  EXPECT_FALSE(needs_request_handler(bytes(build_query(1, "example.org", kA, std::nullopt, true))));
  EXPECT_TRUE(needs_request_handler(bytes(build_query(1, "example.org", kAXFR))));
  EXPECT_TRUE(needs_request_handler(bytes(build_query(1, "example.org", kIXFR, 5))));
  EXPECT_TRUE(needs_request_handler(bytes(sign_request(build_query(1, "example.org", kA), make_key(), 1))));
  EXPECT_TRUE(needs_request_handler(bytes(sign_request(build_query(1, "example.org", kA, std::nullopt, true), make_key(), 1))));
  auto notify = build_query(1, "example.org", kSOA);
  notify[2] = 4 << 3;  // opcode NOTIFY: handle_query answers NOTIMP
  EXPECT_FALSE(needs_request_handler(bytes(notify)));
  auto response = build_query(1, "example.org", kAXFR);
  response[2] = 0x80;
  EXPECT_FALSE(needs_request_handler(bytes(response)));
  EXPECT_FALSE(needs_request_handler(bytes(std::vector<uint8_t>(5, 0))));
}

TEST_F(XfrTest, TcpStreamAnswersPipelinedQueriesAfterTheTransfer) {
  SnapshotHolder holder(snapshot_of({zone_of(kExampleZone)}));
  auto p = make_primary(settings());
  TcpQueryStream stream;
  stream.set_handler(p.get(), &holder, ip("127.0.0.1"));
  std::vector<uint8_t> in;
  for (const auto& q : {build_query(1, "example.org", kAXFR), build_query(2, "example.org", kSOA)}) {
    in.push_back(static_cast<uint8_t>(q.size() >> 8));
    in.push_back(static_cast<uint8_t>(q.size()));
    in.insert(in.end(), q.begin(), q.end());
  }
  auto space = stream.read_space();
  ASSERT_GE(space.size(), in.size());
  std::memcpy(space.data(), in.data(), in.size());
  stream.commit(in.size());
  std::vector<std::byte> out, scratch(TcpQueryStream::kScratchSize);
  // A small output limit: one message per call.
  size_t rounds = 0;
  while (stream.has_work() && rounds++ < 10) stream.answer(*holder.current(), out, scratch, out.size() + 1);
  EXPECT_FALSE(stream.has_work());
  std::vector<uint16_t> ids;
  for (size_t pos = 0; pos + 2 <= out.size();) {
    const size_t len = std::to_integer<size_t>(out[pos]) << 8 | std::to_integer<size_t>(out[pos + 1]);
    ids.push_back(answer_id(out.data() + pos + 2));
    pos += 2 + len;
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{1, 2}));
}

}  // namespace
}  // namespace mailns::server

namespace mailns::server {
namespace {

TEST_F(XfrTest, ReloadedSettingsTurnTheCatalogOnRenameItAndTurnItOff) {
  SnapshotHolder holder(snapshot_of({zone_of(kExampleZone)}));
  auto p = make_primary(settings());
  p->attach(holder);
  EXPECT_EQ(holder.current()->zones().size(), 1u);
  auto s = settings();
  s.catalog = CatalogSettings{*zone::DnsName::from_text("cat.invalid")};
  p->update_settings(s);
  ASSERT_EQ(holder.current()->zones().size(), 2u);
  EXPECT_NE(holder.current()->find_zone(*zone::DnsName::from_text("cat.invalid")), nullptr);
  s.catalog = CatalogSettings{*zone::DnsName::from_text("other.invalid")};
  p->update_settings(s);
  ASSERT_EQ(holder.current()->zones().size(), 2u);
  EXPECT_EQ(holder.current()->find_zone(*zone::DnsName::from_text("cat.invalid")), nullptr);
  const zone::Zone* c = holder.current()->find_zone(*zone::DnsName::from_text("other.invalid"));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->record_count(), 4u);  // SOA, NS, version, one member: the old catalog is no member
  s.catalog.reset();
  p->update_settings(s);
  EXPECT_EQ(holder.current()->zones().size(), 1u);
  p->stop();
}

}  // namespace
}  // namespace mailns::server

namespace mailns::server {
namespace {

TEST_F(XfrTest, AFloodOfRefusedRequestsIsLoggedTenTimesASecond) {
  auto snap = snapshot_of({zone_of(kExampleZone)});
  auto p = make_primary(settings(false));
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 50; ++i) (void)udp(*p, build_query(1, "example.org", kIXFR, 1), *snap, "192.0.2.1");
  now += 1;
  (void)udp(*p, build_query(1, "example.org", kIXFR, 1), *snap, "192.0.2.1");
  const std::string err = ::testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (size_t pos = 0; (pos = err.find("refused (not allowed", pos)) != std::string::npos; ++pos) ++lines;
  EXPECT_EQ(lines, 11u);  // ten in the first second, one in the next
  EXPECT_NE(err.find("40 more refused or failed transfer requests"), std::string::npos) << err;
}

}  // namespace
}  // namespace mailns::server

namespace mailns::server {
namespace {

TEST_F(XfrTest, ANewVersionWithTheSameSerialIsAWarningAndNoIxfrDifference) {
  auto p = make_primary(settings());
  auto s1 = snapshot_of({zone_of(kExampleZone)});
  ::testing::internal::CaptureStderr();
  auto s2 = p->before_publish(snapshot_of({zone_of(std::string(kExampleZone) + "www IN A 192.0.2.80\n")}), *s1);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("example.org.: 1 records changed but the SOA serial stayed 2024040101"), std::string::npos) << err;
  EXPECT_EQ(p->journal().size(*zone::DnsName::from_text("example.org")), 0u);
}

}  // namespace
}  // namespace mailns::server
