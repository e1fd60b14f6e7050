#include "zone/resolver.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

using namespace test;

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snap_ = snapshot_of({zone_from_text("example.org", kMailZone),
                         zone_from_text("example.net", "@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\n")});
  }
  AnswerPlan run(const std::string& name, uint16_t type) {
    pkt_ = make_query(name, type);
    // The plan's owner names point into the query: keep it alive with the fixture.
    EXPECT_EQ(parse_query(pkt_, q_), ParseStatus::kOk);
    AnswerPlan plan;
    resolve(q_, *snap_, plan);
    return plan;
  }
  static std::string owner(const PlannedRRset& p) {
    return DnsName::from_wire({p.owner.wire, p.owner.len})->to_text();
  }
  std::shared_ptr<Snapshot> snap_;
  std::vector<uint8_t> pkt_;
  Query q_;
};

TEST_F(ResolverTest, ExactMatchWithAdditional) {
  auto p = run("example.org", rrtype::MX);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  EXPECT_TRUE(p.aa);
  ASSERT_EQ(p.count(Section::kAnswer), 1u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::MX);
  EXPECT_EQ(p.count(Section::kAuthority), 0u);
  ASSERT_EQ(p.count(Section::kAdditional), 2u);  // mail A + AAAA
  EXPECT_EQ(owner(p.at(Section::kAdditional, 0)), "mail.example.org.");
}

TEST_F(ResolverTest, EmptyNonTerminalIsNodataNotNxdomain) {
  auto p = run("_domainkey.example.org", rrtype::TXT);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  EXPECT_EQ(p.count(Section::kAnswer), 0u);
  ASSERT_EQ(p.count(Section::kAuthority), 1u);
  EXPECT_EQ(p.at(Section::kAuthority, 0).rrset->type, rrtype::SOA);
  EXPECT_EQ(p.at(Section::kAuthority, 0).ttl, 300u);
  auto t = run("_25._tcp.mail.example.org", rrtype::A);
  EXPECT_EQ(t.rcode, rcode::kNoError);
  auto e = run("_tcp.mail.example.org", rrtype::TLSA);
  EXPECT_EQ(e.rcode, rcode::kNoError);
}

TEST_F(ResolverTest, NxdomainWithSoa) {
  auto p = run("nope.example.org", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNxDomain);
  EXPECT_TRUE(p.aa);
  ASSERT_EQ(p.count(Section::kAuthority), 1u);
  EXPECT_EQ(p.at(Section::kAuthority, 0).ttl, 300u);
}

TEST_F(ResolverTest, WildcardSynthesisUsesQname) {
  auto p = run("anything._domainkey.example.org", rrtype::TXT);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  ASSERT_EQ(p.count(Section::kAnswer), 1u);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 0)), "anything._domainkey.example.org.");
  // An existing selector is not shadowed by the wildcard.
  auto e = run("202404e._domainkey.example.org", rrtype::TXT);
  ASSERT_EQ(e.count(Section::kAnswer), 1u);
  EXPECT_EQ(owner(e.at(Section::kAnswer, 0)), "202404e._domainkey.example.org.");
  // Wildcard NODATA.
  auto nd = run("x._domainkey.example.org", rrtype::A);
  EXPECT_EQ(nd.rcode, rcode::kNoError);
  EXPECT_EQ(nd.count(Section::kAnswer), 0u);
  EXPECT_EQ(nd.count(Section::kAuthority), 1u);
  // Deeper names match the wildcard too (closest encloser is _domainkey).
  auto deep = run("a.b.wild.example.org", rrtype::A);
  EXPECT_EQ(deep.rcode, rcode::kNoError);
  ASSERT_EQ(deep.count(Section::kAnswer), 1u);
}

TEST_F(ResolverTest, NoWildcardBelowAnExistingName) {
  // RFC 4592 2.2.1: x.202404e._domainkey has closest encloser 202404e, which
  // has no wildcard child: NXDOMAIN even though *._domainkey exists.
  auto p = run("x.202404e._domainkey.example.org", rrtype::TXT);
  EXPECT_EQ(p.rcode, rcode::kNxDomain);
}

TEST_F(ResolverTest, CnameChainFollowedInZone) {
  auto p = run("chain1.example.org", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  ASSERT_EQ(p.count(Section::kAnswer), 3u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::CNAME);
  EXPECT_EQ(p.at(Section::kAnswer, 1).rrset->type, rrtype::CNAME);
  EXPECT_EQ(p.at(Section::kAnswer, 2).rrset->type, rrtype::A);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 2)), "mail.example.org.");
  // Asking for the CNAME itself does not follow.
  auto c = run("chain1.example.org", rrtype::CNAME);
  EXPECT_EQ(c.count(Section::kAnswer), 1u);
}

TEST_F(ResolverTest, CnameOutOfZoneDanglingAndLoop) {
  auto o = run("outside.example.org", rrtype::A);
  EXPECT_EQ(o.rcode, rcode::kNoError);
  EXPECT_EQ(o.count(Section::kAnswer), 1u);
  EXPECT_EQ(o.count(Section::kAuthority), 0u);
  auto d = run("dangling.example.org", rrtype::A);
  EXPECT_EQ(d.rcode, rcode::kNxDomain);  // RFC 6604
  EXPECT_EQ(d.count(Section::kAnswer), 1u);
  auto l = run("loop1.example.org", rrtype::A);
  EXPECT_EQ(l.rcode, rcode::kNoError);
  EXPECT_EQ(l.count(Section::kAnswer), 2u);
}

TEST_F(ResolverTest, WildcardCname) {
  auto p = run("x.wcname.example.org", rrtype::A);
  ASSERT_EQ(p.count(Section::kAnswer), 2u);
  EXPECT_EQ(owner(p.at(Section::kAnswer, 0)), "x.wcname.example.org.");
  EXPECT_EQ(p.at(Section::kAnswer, 1).rrset->type, rrtype::A);
}

TEST_F(ResolverTest, DelegationIsReferralWithGlue) {
  for (const char* name : {"sub.example.org", "www.sub.example.org", "a.b.sub.example.org"}) {
    auto p = run(name, rrtype::A);
    EXPECT_EQ(p.rcode, rcode::kNoError) << name;
    EXPECT_FALSE(p.aa) << name;
    EXPECT_EQ(p.count(Section::kAnswer), 0u);
    ASSERT_EQ(p.count(Section::kAuthority), 1u);
    EXPECT_EQ(p.at(Section::kAuthority, 0).rrset->type, rrtype::NS);
    ASSERT_EQ(p.count(Section::kAdditional), 1u);
    EXPECT_EQ(owner(p.at(Section::kAdditional, 0)), "ns.sub.example.org.");
  }
  // Glue is not answered authoritatively either.
  auto g = run("ns.sub.example.org", rrtype::A);
  EXPECT_FALSE(g.aa);
}

TEST_F(ResolverTest, DsAnsweredFromParentSide) {
  auto p = run("sub.example.org", rrtype::DS);
  EXPECT_TRUE(p.aa);
  ASSERT_EQ(p.count(Section::kAnswer), 1u);
  EXPECT_EQ(p.at(Section::kAnswer, 0).rrset->type, rrtype::DS);
}

TEST_F(ResolverTest, AnyAnswersOneRrset) {
  auto p = run("example.org", rrtype::ANY);
  EXPECT_EQ(p.rcode, rcode::kNoError);
  EXPECT_EQ(p.count(Section::kAnswer), 1u);
}

TEST_F(ResolverTest, OutsideEveryZoneIsRefused) {
  auto p = run("example.com", rrtype::A);
  EXPECT_EQ(p.rcode, rcode::kRefused);
  EXPECT_FALSE(p.aa);
  auto n = run("www.example.net", rrtype::A);  // longest-match zone selection
  EXPECT_EQ(n.rcode, rcode::kNxDomain);
}

}  // namespace
}  // namespace mailns::zone
