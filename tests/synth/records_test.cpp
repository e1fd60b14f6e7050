#include <gtest/gtest.h>

#include "synth/mail_records.hpp"
#include "synth/mta_sts.hpp"
#include "synth/spf.hpp"
#include "synth/txt_rdata.hpp"
#include "synth_test_util.hpp"
#include "zone/rr_type.hpp"

namespace mailns::synth {
namespace {

using namespace test;

TEST(TxtRdata, SplitsAt255) {
  const std::string v(600, 'k');
  auto rd = txt_rdata(v);
  ASSERT_EQ(rd.size(), 603u);
  EXPECT_EQ(rd[0], 255);
  EXPECT_EQ(rd[256], 255);
  EXPECT_EQ(rd[512], 90);
  EXPECT_EQ(txt_value(rd), v);
  EXPECT_EQ(txt_rdata(""), std::vector<uint8_t>{0});
}

TEST(MtaSts, IdChangesExactlyWhenThePolicyChanges) {
  Parsed p = parse(R"(
mail_domains:
  - domain: example.org
    mail_hosts: [{ name: mail.example.org }]
    mta_sts: { mode: enforce }
)");
  MailDomainDecl d = p.decls.at(0);
  const std::string a = mta_sts_id(mta_sts_policy(d));
  EXPECT_EQ(a, mta_sts_id(mta_sts_policy(d)));
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), ::isalnum));
  d.ttl = 60;  // not part of the policy
  EXPECT_EQ(a, mta_sts_id(mta_sts_policy(d)));
  d.mta_sts = MtaStsDecl{};
  d.mta_sts->mode = "testing";
  EXPECT_NE(a, mta_sts_id(mta_sts_policy(d)));
  EXPECT_EQ(mta_sts_policy(d), "version: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 604800\r\n");
}

// Seed 003's small domain: MX, SPF, DKIM, DMARC, no certificate, no mta_sts.
// It is served without a finding, and MTA-STS is not published (a policy
// would make senders refuse a host whose certificate nobody checked).
TEST(MtaSts, SmallDomainOfSeed003DeclaresNoneAndGetsNone) {
  Parsed p = parse(R"(
mail_domains:
  - domain: example.com
    nameservers: [{ name: ns1.example.net }, { name: ns2.example.net }]
    mail_hosts: [{ name: mail.example.com, priority: 10, ipv4: 192.0.2.25 }]
    spf: { mechanisms: [], ip4: [192.0.2.25], all: fail }
    dkim: [{ selector: s1, key: keys/dkim-rsa.pem }]
    dmarc: { policy: none, rua: [dmarc@example.com] }
)");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(mta_sts_policy(p.decls.at(0)), "");
  MailZoneSet set = build_mail_zones(p.decls, p.reverse, SynthOptions{2026112901, 0});
  EXPECT_TRUE(set.diagnostics.empty()) << all_messages(set.diagnostics);
  ASSERT_EQ(set.zones.size(), 1u);
  EXPECT_TRUE(set.mta_sts_policies.empty());
  const std::string text = zone::export_zone(*set.zones[0]);
  EXPECT_EQ(text.find("mta-sts"), std::string::npos) << text;
  for (const char* want : {"example.com.\t3600\tIN\tMX\t10 mail.example.com.", "\"v=spf1 ip4:192.0.2.25 -all\"",
                           "s1._domainkey.example.com.", "_dmarc.example.com.\t3600\tIN\tTXT\t\"v=DMARC1; p=none"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
}

TEST(Records, ExpiredCertificateSaysWhoRefusesIt) {
  Parsed p = parse(R"(
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: certs/mail.pem } }]
)");
  ASSERT_TRUE(p.errors.empty());
  Diagnostics diags;
  // 2100-01-01: the demo certificate has expired by then.
  synthesize_mail_domain(p.decls[0], SynthOptions{1, 4102444800}, diags);
  EXPECT_TRUE(has_message(diags,
                          "mail.pem expired on 2036-11-23 10:57 UTC: MTA-STS and other PKIX-validating senders will "
                          "refuse mail.example.org; DANE-EE (3 1 1) clients such as Postfix still verify it "
                          "(RFC 7671 5.1); renew it",
                          Diagnostic::Severity::kWarning))
      << all_messages(diags);
  EXPECT_FALSE(has_errors(diags, "example.org")) << all_messages(diags);
}

TEST(Spf, TextAndLookupCount) {
  SpfDecl s;
  s.mechanisms = {"mx", "a"};
  s.ip4 = {"192.0.2.0/24"};
  s.include = {"_spf.example.net"};
  s.all = "softfail";
  EXPECT_EQ(spf_text(s), "v=spf1 mx a ip4:192.0.2.0/24 include:_spf.example.net ~all");
  auto t = spf_terms(spf_text(s));
  EXPECT_EQ(t.lookups, 3);
  EXPECT_EQ(t.all, "~all");
  ASSERT_EQ(t.includes.size(), 1u);
  EXPECT_EQ(spf_terms("v=spf1 ip4:1.2.3.4 ip6:2001:db8::/32 -all").lookups, 0);
  EXPECT_EQ(spf_terms("v=spf1 redirect=_spf.example.org").lookups, 1);
}

TEST(Reverse, Names) {
  EXPECT_EQ(reverse_name("192.0.2.10")->to_text(), "10.2.0.192.in-addr.arpa.");
  EXPECT_EQ(reverse_name("2001:db8::10")->to_text(),
            "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  EXPECT_FALSE(reverse_name("mail.example.org"));
}

TEST(Records, UserRecordsMergeAtRrsetLevel) {
  Parsed p = parse(R"(
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
    records:
      - "@ 3600 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\""
      - "@ 3600 IN TXT \"google-site-verification=abc\""
      - "mail 300 IN A 192.0.2.11"
)");
  ASSERT_TRUE(p.errors.empty());
  Diagnostics diags;
  auto z = synthesize_mail_domain(p.decls[0], SynthOptions{}, diags);
  int spf = 0, other_txt = 0, mail_a = 0;
  for (const auto& r : z.records) {
    if (r.type == zone::rrtype::TXT && r.owner == p.decls[0].domain) {
      const auto v = txt_value(r.rdata);
      if (v.rfind("v=spf1", 0) == 0) {
        ++spf;
        EXPECT_EQ(v, "v=spf1 ip4:192.0.2.0/24 -all");  // replaced, not added
      } else {
        ++other_txt;
      }
    }
    if (r.type == zone::rrtype::A && r.owner == *zone::DnsName::from_text("mail.example.org")) {
      ++mail_a;
      EXPECT_EQ(r.ttl, 300u);
    }
  }
  EXPECT_EQ(spf, 1);
  EXPECT_EQ(other_txt, 1);
  EXPECT_EQ(mail_a, 1);  // the user's A RRset replaced the generated one
}

TEST(Records, LongRsaDkimIsSplitInto255OctetStrings) {
  Parsed p = parse(R"(
mail_domains:
  - domain: example.org
    mail_hosts: [{ name: mail.example.org }]
    dkim: [{ selector: r, key: keys/dkim-rsa.pem }]
)");
  Diagnostics diags;
  auto z = synthesize_mail_domain(p.decls[0], SynthOptions{}, diags);
  bool found = false;
  for (const auto& r : z.records)
    if (r.owner == *zone::DnsName::from_text("r._domainkey.example.org")) {
      found = true;
      EXPECT_EQ(r.rdata[0], 255);
      EXPECT_GT(r.rdata.size(), 400u);
      EXPECT_NE(txt_value(r.rdata).find("k=rsa; h=sha256; p=MIIBIjANBg"), std::string::npos);
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace mailns::synth
