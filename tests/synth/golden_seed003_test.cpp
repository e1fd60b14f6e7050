// Golden test: conf/provider-example.yaml declares example.com the way seed
// 003 ("The 7 DNS records every self-hosted email sender needs") sets up a
// domain that sends through Amazon SES: its three DKIM CNAMEs, SPF include,
// DMARC at stage 2 (quarantine, pct=10), BIMI with a=, a tracking CNAME and
// MTA-STS. The zone must hold exactly these records, with no finding.
#include <gtest/gtest.h>

#include "synth/mta_sts.hpp"
#include "synth_test_util.hpp"

namespace mailns::synth {
namespace {

using namespace test;

TEST(GoldenSeed003, SesDomainMatchesTheSeed) {
  Parsed p = parse(read_file(conf_dir() + "/provider-example.yaml"));
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_EQ(p.decls.size(), 1u);
  const MailDomainDecl& d = p.decls[0];
  Diagnostics diags;
  SynthesizedZone z = synthesize_mail_domain(d, SynthOptions{2026120101, 0}, diags);
  ASSERT_TRUE(diags.empty()) << all_messages(diags);
  const std::string id = mta_sts_id(mta_sts_policy(d));
  ASSERT_EQ(id.size(), 20u);

  expect_exactly(z, {
      // What seed 003 lists, in its order.
      "example.com.\t3600\tIN\tMX\t10 mail.example.com.",
      txt("example.com.", "v=spf1 include:amazonses.com -all"),
      "token1._domainkey.example.com.\t3600\tIN\tCNAME\ttoken1.dkim.amazonses.com.",
      "token2._domainkey.example.com.\t3600\tIN\tCNAME\ttoken2.dkim.amazonses.com.",
      "token3._domainkey.example.com.\t3600\tIN\tCNAME\ttoken3.dkim.amazonses.com.",
      txt("_dmarc.example.com.", "v=DMARC1; p=quarantine; pct=10; rua=mailto:dmarc@example.com"),
      "track.example.com.\t3600\tIN\tCNAME\tapp.example.com.",
      txt("_mta-sts.example.com.", "v=STSv1; id=" + id),
      txt("default._bimi.example.com.",
          "v=BIMI1; l=https://example.com/bimi-logo.svg; a=https://example.com/bimi-cert.pem"),
      // What the declaration adds beyond the seed's list.
      "example.com.\t3600\tIN\tSOA\tns1.example.net. hostmaster.example.com. 2026120101 7200 3600 1209600 300",
      "example.com.\t3600\tIN\tNS\tns1.example.net.",
      "example.com.\t3600\tIN\tNS\tns2.example.net.",
      "mail.example.com.\t3600\tIN\tA\t192.0.2.25",
      txt("mail.example.com.", "v=spf1 a -all"),
      "mta-sts.example.com.\t3600\tIN\tCNAME\tmail.example.com.",
      txt("_smtp._tls.example.com.", "v=TLSRPTv1; rua=mailto:postmaster@example.com"),
      "_imap._tcp.example.com.\t3600\tIN\tSRV\t0 1 143 mail.example.com.",
      "_imaps._tcp.example.com.\t3600\tIN\tSRV\t0 1 993 mail.example.com.",
      "_pop3._tcp.example.com.\t3600\tIN\tSRV\t0 0 0 .",
      "_pop3s._tcp.example.com.\t3600\tIN\tSRV\t0 0 0 .",
      "_submission._tcp.example.com.\t3600\tIN\tSRV\t0 1 587 mail.example.com.",
      "_submissions._tcp.example.com.\t3600\tIN\tSRV\t0 1 465 mail.example.com.",
      "autoconfig.example.com.\t3600\tIN\tCNAME\tmail.example.com.",
      "autodiscover.example.com.\t3600\tIN\tCNAME\tmail.example.com.",
  });
  EXPECT_EQ(mta_sts_policy(d), "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n");
}

// The whole example loads with no finding at all: nothing to warn about in
// the setup the README recommends.
TEST(GoldenSeed003, WholeExampleBuildsWithoutFindings) {
  Parsed p = parse(read_file(conf_dir() + "/provider-example.yaml"));
  ASSERT_TRUE(p.errors.empty());
  MailZoneSet set = build_mail_zones(p.decls, p.reverse, SynthOptions{2026120101, 0});
  EXPECT_TRUE(set.diagnostics.empty()) << all_messages(set.diagnostics);
  EXPECT_EQ(set.zones.size(), 1u);
}

// The README's "Sending through a provider" declarations are complete: each
// builds without a finding (Google's elided key replaced by a real one).
TEST(GoldenSeed003, ReadmeProviderDeclarationsBuildWithoutFindings) {
  const std::string readme = read_file(MAILNS_SOURCE_DIR "/README.md");
  const size_t from = readme.find("## Sending through a provider");
  const size_t to = readme.find("### Which TLSA form", from);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  const std::string key = sh("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 2>/dev/null | "
                             "openssl pkey -pubout -outform DER | base64 -w0");
  ASSERT_GT(key.size(), 390u);
  std::vector<std::string> blocks;
  for (size_t at = readme.find("```yaml\n", from); at < to; at = readme.find("```yaml\n", at)) {
    at += 8;
    const size_t end = readme.find("```", at);
    blocks.push_back(readme.substr(at, end - at));
    at = end + 3;
  }
  ASSERT_EQ(blocks.size(), 3u);  // SES, Google Workspace, Microsoft 365
  for (std::string yaml : blocks) {
    const std::string elided = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...";
    if (auto k = yaml.find(elided); k != std::string::npos) yaml.replace(k, elided.size(), key);
    Parsed p = parse(yaml);
    ASSERT_TRUE(p.errors.empty()) << p.errors.front() << "\n" << yaml;
    MailZoneSet set = build_mail_zones(p.decls, p.reverse, SynthOptions{1, 0});
    EXPECT_TRUE(set.diagnostics.empty()) << all_messages(set.diagnostics) << yaml;
    EXPECT_EQ(set.zones.size(), 1u) << yaml;
  }
}

}  // namespace
}  // namespace mailns::synth
