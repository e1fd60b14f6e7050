// Regression tests for the DNS-semantics differences the knotd differential
// test (difftest.py) found in zone/resolver.cpp, response_encoder.cpp and
// handle_query.cpp. Each test is named after the bug it pins down.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "zone/handle_query.hpp"
#include "zone/resolver.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"
#include "zone/zone_file.hpp"

namespace mailns::zone {
namespace {

constexpr const char* kZone = R"(
$ORIGIN example.net.
$TTL 3600
@ IN SOA ns1 hm 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
mail A 192.0.2.25
mail AAAA 2001:db8::25
c1 CNAME c2
c2 CNAME mail
*.wl CNAME next.wl
l1 CNAME l2
l2 CNAME l3
l3 CNAME l4
l4 CNAME l5
l5 CNAME l6
l6 CNAME l7
l7 A 192.0.2.7
*.wild A 192.0.2.99
mxw MX 10 host.wild
mxw MX 20 host.sub
svc2 HTTPS 0 svc
svc HTTPS 1 . alpn=h2
svc A 192.0.2.80
sub NS ns1.sub
ns1.sub A 192.0.2.53
*.sub A 192.0.2.111
old DNAME new
www.new A 192.0.2.91
longd DNAME dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example.net.
)";

std::vector<uint8_t> make_query(const std::string& name, uint16_t qtype, uint16_t qclass = rrclass::IN,
                                int edns_size = -1) {
  std::vector<uint8_t> p = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, static_cast<uint8_t>(edns_size >= 0 ? 1 : 0)};
  auto n = DnsName::from_text(name);
  p.insert(p.end(), n->wire().begin(), n->wire().end());
  for (uint16_t v : {qtype, qclass}) {
    p.push_back(static_cast<uint8_t>(v >> 8));
    p.push_back(static_cast<uint8_t>(v));
  }
  if (edns_size >= 0) {
    const uint8_t opt[] = {0, 0, 41, static_cast<uint8_t>(edns_size >> 8), static_cast<uint8_t>(edns_size),
                           0, 0, 0, 0, 0, 0};
    p.insert(p.end(), opt, opt + sizeof opt);
  }
  return p;
}

class SemanticsRegression : public ::testing::Test {
 protected:
  void SetUp() override {
    auto res = load_zone_text(kZone, *DnsName::from_text("example.net"), "regression");
    for (const auto& e : res.errors) ADD_FAILURE() << e;
    snap_ = std::make_shared<Snapshot>(std::vector<std::shared_ptr<const Zone>>{res.zone}, AnswerOptions{});
  }
  // A plan refers to the query (owner names in the client's case) and to its
  // own storage (synthesised names), so each stays where it was resolved.
  const AnswerPlan& plan(const std::string& name, uint16_t type) {
    Resolved& r = resolved_.emplace_back();
    r.pkt = make_query(name, type);
    EXPECT_EQ(parse_query(r.pkt, r.q), ParseStatus::kOk);
    resolve(r.q, *snap_, r.plan);
    return r.plan;
  }
  static std::string owner(const PlannedRRset& p) {
    return DnsName::from_wire({p.owner.wire, p.owner.len})->to_text();
  }
  std::vector<uint8_t> answer(const std::vector<uint8_t>& query, Transport t = Transport::kUdp) {
    std::vector<uint8_t> out(65535);
    const size_t n = handle_query(std::as_bytes(std::span(query)), std::as_writable_bytes(std::span(out)), *snap_, t);
    out.resize(n);
    return out;
  }
  struct Resolved {
    std::vector<uint8_t> pkt;
    Query q;
    AnswerPlan plan;
  };
  std::shared_ptr<Snapshot> snap_;
  std::deque<Resolved> resolved_;
};

// RFC 1034 4.3.2 step 3a: QTYPE ANY matches the CNAME, so it is not chased.
TEST_F(SemanticsRegression, AnyAtCnameIsNotFollowed) {
  const auto& p = plan("c1.example.net", rrtype::ANY);
  ASSERT_EQ(p.count(Section::kAnswer), 1u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::CNAME);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 0)), "c1.example.net.");
}

// RFC 4035 2.5: RRSIG and NSEC live beside the CNAME; NODATA in an unsigned zone.
TEST_F(SemanticsRegression, RrsigAndNsecAtCnameAreNotFollowed) {
  for (uint16_t t : {rrtype::RRSIG, rrtype::NSEC}) {
    const auto& p = plan("c1.example.net", t);
    EXPECT_EQ(p.rcode, rcode::kNoError);
    EXPECT_EQ(p.count(Section::kAnswer), 0u);
    ASSERT_EQ(p.count(Section::kAuthority), 1u);
    EXPECT_EQ(p.at(Section::kAuthority, 0).rrset->type, rrtype::SOA);
  }
}

// *.wl CNAME next.wl: the wildcard is reached twice under two owners; the
// second owner repeats, and resolution stops there (as knotd answers).
TEST_F(SemanticsRegression, WildcardCnameLoopStopsAtRepeatedOwner) {
  const auto& p = plan("a.wl.example.net", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  ASSERT_EQ(p.count(Section::kAnswer), 2u);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 0)), "a.wl.example.net.");
  EXPECT_EQ(owner(p.at(Section::kAnswer, 1)), "next.wl.example.net.");
  EXPECT_EQ(p.count(Section::kAuthority), 0u);
}

TEST_F(SemanticsRegression, CnameChainStopsAfterFiveCnames) {
  const auto& p = plan("l1.example.net", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  ASSERT_EQ(p.count(Section::kAnswer), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(p.at(Section::kAnswer, i).rrset->type, rrtype::CNAME);
  const auto& q = plan("l2.example.net", rrtype::A);  // 5 CNAMEs, then the A
  ASSERT_EQ(q.count(Section::kAnswer), 6u);
  EXPECT_EQ(q.at(Section::kAnswer, 5).rrset->type, rrtype::A);
}

// An MX target covered by a wildcard gets the synthesised A under the target's
// name; one below a cut that exists only through an occluded wildcard gets nothing.
TEST_F(SemanticsRegression, AdditionalFromWildcardTargetButNotBelowCut) {
  const auto& p = plan("mxw.example.net", rrtype::MX);
  ASSERT_EQ(p.count(Section::kAdditional), 1u);
  EXPECT_EQ(owner(p.at(Section::kAdditional, 0)), "host.wild.example.net.");
  EXPECT_EQ(p.at(Section::kAdditional, 0).rrset->type, rrtype::A);
}

// RFC 9460 4.1: the target's A/AAAA and its RRset of the same SVCB type.
TEST_F(SemanticsRegression, HttpsAdditionalIncludesTargetHttps) {
  const auto& p = plan("svc2.example.net", rrtype::HTTPS);
  ASSERT_EQ(p.count(Section::kAdditional), 2u);
  EXPECT_EQ(p.at(Section::kAdditional, 0).rrset->type, rrtype::A);
  EXPECT_EQ(p.at(Section::kAdditional, 1).rrset->type, rrtype::HTTPS);
}

TEST_F(SemanticsRegression, InDomainGlueIsRequired) {
  const auto& p = plan("www.sub.example.net", rrtype::A);
  EXPECT_FALSE(p.aa);
  ASSERT_EQ(p.count(Section::kAdditional), 1u);
  EXPECT_TRUE(p.at(Section::kAdditional, 0).required);
}

// RFC 1034 3.7.1: answers to QCLASS * are never authoritative.
TEST_F(SemanticsRegression, QclassAnyAnsweredNotAuthoritative) {
  auto r = answer(make_query("mail.example.net", rrtype::A, rrclass::ANY));
  ASSERT_GE(r.size(), 12u);
  EXPECT_EQ(r[3] & 0x0F, rcode::kNoError);
  EXPECT_EQ(r[2] & 0x04, 0);   // AA clear
  EXPECT_EQ(r[7], 1);          // one answer
  auto ch = answer(make_query("mail.example.net", rrtype::A, rrclass::CH));
  ASSERT_GE(ch.size(), 12u);
  EXPECT_EQ(ch[3] & 0x0F, rcode::kRefused);
}

// RFC 6672 3.2: below a DNAME owner, the DNAME, a synthesised CNAME (the
// query's own labels in front of the DNAME target) and the target's data.
// mailns answered NXDOMAIN here before.
TEST_F(SemanticsRegression, DnameSubstitutesNamesBelowItsOwner) {
  const auto& p = plan("WWW.old.example.net", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  EXPECT_TRUE(p.aa);
  ASSERT_EQ(p.count(Section::kAnswer), 3u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::DNAME);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 0)), "old.example.net.");
  const PlannedRRset& cname = p.at(Section::kAnswer, 1);
  EXPECT_EQ(cname.rrset->type, rrtype::CNAME);
  EXPECT_EQ(owner(cname), "WWW.old.example.net.");
  ASSERT_NE(cname.synth_target.wire, nullptr);
  EXPECT_EQ(DnsName::from_wire({cname.synth_target.wire, cname.synth_target.len})->to_text(),
            "WWW.new.example.net.");
  EXPECT_EQ(p.at(Section::kAnswer, 2).rrset->type, rrtype::A);

  auto r = answer(make_query("www.old.example.net", rrtype::A));
  ASSERT_GE(r.size(), 12u);
  EXPECT_EQ(r[7], 3);  // DNAME, CNAME, A on the wire too
  WireReader rd(r);
  rd.skip(12);
  NameBuf n;
  rd.name(n);
  rd.skip(4);
  for (int i = 0; i < 3; ++i) {
    rd.name(n);
    rd.skip(8);
    rd.skip(rd.u16());
  }
  EXPECT_TRUE(rd.ok());
  EXPECT_EQ(rd.remaining(), 0u);
}

TEST_F(SemanticsRegression, DnameOwnerItselfIsNotSubstituted) {
  const auto& p = plan("old.example.net", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  EXPECT_EQ(p.count(Section::kAnswer), 0u);
  const auto& d = plan("old.example.net", rrtype::DNAME);
  ASSERT_EQ(d.count(Section::kAnswer), 1u);
}

TEST_F(SemanticsRegression, DnameCnameQueryEndsAtSynthesizedCname) {
  const auto& p = plan("www.old.example.net", rrtype::CNAME);
  ASSERT_EQ(p.count(Section::kAnswer), 2u);
  EXPECT_EQ(p.at(Section::kAnswer, 1).rrset->type, rrtype::CNAME);
}

// RFC 6672 2.2: a substitution longer than 255 octets is YXDOMAIN, with the DNAME.
TEST_F(SemanticsRegression, DnameSubstitutionTooLongIsYxdomain) {
  const std::string label(60, 'e');
  const auto& p = plan(label + "." + label + "." + label + ".longd.example.net", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kYxDomain);
  ASSERT_EQ(p.count(Section::kAnswer), 1u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::DNAME);
  EXPECT_EQ(p.count(Section::kAuthority), 0u);
}

// RFC 2181 5.2: an RRset written with several TTLs is served with the lowest
// (knotd keeps the last one read, which the differential test documents).
TEST(ZoneRegression, MixedTtlRrsetServesLowest) {
  auto res = load_zone_text("@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\n"
                            "www 600 IN A 192.0.2.1\nwww 300 IN A 192.0.2.2\nwww 900 IN A 192.0.2.3\n",
                            *DnsName::from_text("example.org"), "ttl");
  ASSERT_TRUE(res.zone);
  const Node* www = res.zone->find(*DnsName::from_text("www.example.org"));
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->find(rrtype::A)->ttl, 300u);
  EXPECT_EQ(www->find(rrtype::A)->size(), 3u);
}

// Encoder: a required additional RRset that does not fit sets TC; an optional
// one is skipped and smaller ones after it are still tried.
TEST(EncoderRegression, RequiredGlueThatDoesNotFitSetsTcOptionalDoesNot) {
  std::string text = "$ORIGIN example.net.\n@ 3600 IN SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n";
  for (int i = 1; i <= 12; ++i) {
    text += "big NS ns" + std::to_string(i) + ".big\n";
    text += "ns" + std::to_string(i) + ".big A 198.51.100." + std::to_string(i) + "\n";
    text += "ns" + std::to_string(i) + ".big AAAA 2001:db8::" + std::to_string(i) + "\n";
    text += "sib NS sibns" + std::to_string(i) + "\n";
    text += "sibns" + std::to_string(i) + " A 198.51.101." + std::to_string(i) + "\n";
    text += "sibns" + std::to_string(i) + " AAAA 2001:db8:1::" + std::to_string(i) + "\n";
  }
  auto res = load_zone_text(text, *DnsName::from_text("example.net"), "glue");
  ASSERT_TRUE(res.zone);
  Snapshot snap({res.zone}, AnswerOptions{});
  auto run = [&](const std::string& name) {
    auto q = make_query(name, rrtype::A);
    std::vector<uint8_t> out(65535);
    out.resize(handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), snap));
    return out;
  };
  auto in_domain = run("x.big.example.net");  // 512 octets without EDNS
  ASSERT_GE(in_domain.size(), 12u);
  EXPECT_LE(in_domain.size(), 512u);
  EXPECT_NE(in_domain[2] & 0x02, 0) << "RFC 9471 3: in-domain glue that does not fit sets TC";
  auto sibling = run("x.sib.example.net");
  ASSERT_GE(sibling.size(), 12u);
  EXPECT_LE(sibling.size(), 512u);
  EXPECT_EQ(sibling[2] & 0x02, 0) << "sibling glue is optional";
  const unsigned arcount = sibling[10] << 8 | sibling[11];
  EXPECT_GT(arcount, 8u);   // filled up ...
  EXPECT_LT(arcount, 24u);  // ... but not all
  EXPECT_GT(sibling.size(), 480u) << "smaller RRsets after one that did not fit are still added";
}

// RFC 4035 3.1.4 applies to signed zones: an unsigned zone's referral has
// no DS even with DO=1 (the DNSSEC change added it; knotd does not).
TEST_F(SemanticsRegression, UnsignedZoneReferralWithDoHasNoDs) {
  std::string text = std::string(kZone) + "sub DS 12345 13 2 " + std::string(64, 'a') + "\n";
  auto res = load_zone_text(text, *DnsName::from_text("example.net"), "ds");
  ASSERT_TRUE(res.zone);
  Snapshot snap({res.zone}, AnswerOptions{});
  auto q = make_query("www.sub.example.net", rrtype::A, rrclass::IN, 1232);
  q[q.size() - 4] = 0x80;  // DO bit: high octet of the OPT flags
  Query parsed;
  ASSERT_EQ(parse_query(q, parsed), ParseStatus::kOk);
  ASSERT_TRUE(parsed.edns_do);
  AnswerPlan p;
  resolve(parsed, snap, p);
  ASSERT_EQ(p.count(Section::kAuthority), 1u);
  EXPECT_EQ(p.at(Section::kAuthority, 0).rrset->type, rrtype::NS);
}

// RFC 8914 4.21: REFUSED for a name outside our zones carries EDE 20 (Not
// Authoritative) when the query has EDNS; knotd sends it, mailns did not.
TEST_F(SemanticsRegression, RefusedOutsideZonesCarriesEde20) {
  auto r = answer(make_query("www.example.com", rrtype::A, rrclass::IN, 1232));
  ASSERT_GE(r.size(), 12u);
  EXPECT_EQ(r[3] & 0x0F, rcode::kRefused);
  const uint8_t opt_with_ede[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 6, 0, 15, 0, 2, 0, 20};
  ASSERT_GE(r.size(), sizeof opt_with_ede);
  EXPECT_TRUE(std::equal(std::end(opt_with_ede) - sizeof opt_with_ede, std::end(opt_with_ede),
                         r.end() - sizeof opt_with_ede));
  auto plain = answer(make_query("www.example.com", rrtype::A));  // no EDNS: no OPT, no EDE
  EXPECT_EQ(plain[11], 0);
}

// Found by handle_query_fuzz: with an output buffer that holds the question
// but not the OPT record, the encoder wrote half an OPT and counted it.
TEST_F(SemanticsRegression, OptThatDoesNotFitIsLeftOutNotHalfWritten) {
  auto q = make_query("mail.example.net", rrtype::TXT, rrclass::IN, 4096);
  const size_t question_end = 12 + 18 + 4;  // "mail.example.net." is 18 octets
  for (size_t room = question_end; room < question_end + 11; ++room) {
    std::vector<uint8_t> out(room);
    const size_t n =
        handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), *snap_, Transport::kTcp);
    ASSERT_EQ(n, question_end) << "room " << room;
    EXPECT_EQ(out[11], 0) << "no OPT counted";
    EXPECT_NE(out[2] & 0x02, 0) << "TC: the message is incomplete";
  }
}

}  // namespace
}  // namespace mailns::zone
