// Golden test: conf/example.yaml declares example.org as seed 000 (Stalwart's
// "Setting up DNS") shows it; the synthesized zone must hold every record the
// seed lists (DKIM/TLSA values computed independently with the openssl CLI
// from the demo keys) and nothing unexpected.
#include <gtest/gtest.h>

#include <cstdlib>

#include "synth/mta_sts.hpp"
#include "synth_test_util.hpp"

namespace mailns::synth {
namespace {

using namespace test;

// conf/example.yaml, or MAILNS_EXAMPLE_YAML when set (to try a variant).
std::string example_yaml() {
  const char* e = std::getenv("MAILNS_EXAMPLE_YAML");
  return read_file(e ? e : conf_dir() + "/example.yaml");
}

TEST(GoldenSeed000, ExampleOrgMatchesTheSeed) {
  Parsed p = parse(example_yaml());
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_GE(p.decls.size(), 1u);
  const MailDomainDecl& d = p.decls[0];
  Diagnostics diags;
  SynthesizedZone z = synthesize_mail_domain(d, SynthOptions{2026112601, 0}, diags);
  ASSERT_FALSE(has_errors(diags, "example.org")) << all_messages(diags);

  const std::string c = conf_dir();
  const std::string ed = sh("openssl pkey -in " + c + "/keys/dkim-ed25519.pem -pubout -outform DER | tail -c 32 | base64 -w0");
  const std::string rsa = sh("openssl pkey -in " + c + "/keys/dkim-rsa.pem -pubout -outform DER | base64 -w0");
  const std::string tlsa = sh("openssl x509 -in " + c + "/certs/mail.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1");
  const std::string next = sh("openssl pkey -in " + c + "/certs/mail-next.key -pubout -outform DER | sha256sum | cut -d' ' -f1");
  ASSERT_EQ(ed.size(), 44u);
  ASSERT_GT(rsa.size(), 390u);
  ASSERT_EQ(tlsa.size(), 64u);
  const std::string id = mta_sts_id(mta_sts_policy(d));
  ASSERT_EQ(id.size(), 20u);

  std::vector<std::string> want = {
      // What seed 000 lists (SRV _imap with 143, the IMAP port, not the seed's 110).
      "example.org.\t3600\tIN\tMX\t10 mail.example.org.",
      txt("202404e._domainkey.example.org.", "v=DKIM1; k=ed25519; h=sha256; p=" + ed),
      txt("202404r._domainkey.example.org.", "v=DKIM1; k=rsa; h=sha256; p=" + rsa),
      txt("mail.example.org.", "v=spf1 a ra=postmaster -all"),
      txt("example.org.", "v=spf1 mx ra=postmaster -all"),
      txt("_dmarc.example.org.",
          "v=DMARC1; p=reject; rua=mailto:postmaster@example.org; ruf=mailto:postmaster@example.org"),
      "mta-sts.example.org.\t3600\tIN\tCNAME\tmail.example.org.",
      txt("_mta-sts.example.org.", "v=STSv1; id=" + id),
      txt("_smtp._tls.example.org.", "v=TLSRPTv1; rua=mailto:postmaster@example.org"),
      "_imap._tcp.example.org.\t3600\tIN\tSRV\t0 1 143 mail.example.org.",
      "_imaps._tcp.example.org.\t3600\tIN\tSRV\t0 1 993 mail.example.org.",
      "_submissions._tcp.example.org.\t3600\tIN\tSRV\t0 1 465 mail.example.org.",
      "_submission._tcp.example.org.\t3600\tIN\tSRV\t0 1 587 mail.example.org.",
      "autoconfig.example.org.\t3600\tIN\tCNAME\tmail.example.org.",
      "autodiscover.example.org.\t3600\tIN\tCNAME\tmail.example.org.",
      "example.org.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"",
      "example.org.\t3600\tIN\tCAA\t0 iodef \"mailto:postmaster@example.org\"",
      "_25._tcp.mail.example.org.\t3600\tIN\tTLSA\t3 1 1 " + tlsa,
      // What the declaration adds beyond the seed's list.
      "_25._tcp.mail.example.org.\t3600\tIN\tTLSA\t3 1 1 " + next,  // next_key, for a rollover without DANE breakage
      "example.org.\t3600\tIN\tSOA\tns1.example.org. hostmaster.example.org. 2026112601 7200 3600 1209600 300",
      "example.org.\t3600\tIN\tNS\tns1.example.org.",
      "example.org.\t3600\tIN\tNS\tns2.example.net.",
      "ns1.example.org.\t3600\tIN\tA\t192.0.2.53",
      "ns1.example.org.\t3600\tIN\tAAAA\t2001:db8::53",
      "mail.example.org.\t3600\tIN\tA\t192.0.2.10",
      "mail.example.org.\t3600\tIN\tAAAA\t2001:db8::10",
      "_pop3._tcp.example.org.\t3600\tIN\tSRV\t0 0 0 .",  // RFC 6186: POP3 not offered
      "_pop3s._tcp.example.org.\t3600\tIN\tSRV\t0 0 0 .",
      "www.example.org.\t3600\tIN\tA\t192.0.2.80",  // the user's own record
  };
  expect_exactly(z, want);
}

TEST(GoldenSeed000, WholeExampleBuildsWithoutErrors) {
  Parsed p = parse(example_yaml());
  ASSERT_TRUE(p.errors.empty());
  MailZoneSet set = build_mail_zones(p.decls, p.reverse, SynthOptions{2026112601, 0});
  for (const auto& x : set.diagnostics) EXPECT_NE(x.severity, Diagnostic::Severity::kError) << x.str();
  ASSERT_EQ(set.zones.size(), 4u);  // example.org, parked.example, two reverse zones
  // Parked domain: null MX, deny-all SPF, reject DMARC, revoked DKIM wildcard.
  const zone::Zone* parked = nullptr;
  const zone::Zone* rev4 = nullptr;
  for (const auto& z : set.zones) {
    if (z->origin() == *zone::DnsName::from_text("parked.example")) parked = z.get();
    if (z->origin() == *zone::DnsName::from_text("2.0.192.in-addr.arpa")) rev4 = z.get();
  }
  ASSERT_TRUE(parked && rev4);
  const std::string parked_text = zone::export_zone(*parked);
  EXPECT_NE(parked_text.find("parked.example.\t3600\tIN\tMX\t0 ."), std::string::npos) << parked_text;
  EXPECT_NE(parked_text.find("\"v=spf1 -all\""), std::string::npos);
  EXPECT_NE(parked_text.find("_dmarc.parked.example.\t3600\tIN\tTXT\t\"v=DMARC1; p=reject\""), std::string::npos);
  EXPECT_NE(parked_text.find("*._domainkey.parked.example.\t3600\tIN\tTXT\t\"v=DKIM1; p=\""), std::string::npos);
  const std::string rev_text = zone::export_zone(*rev4);
  EXPECT_NE(rev_text.find("10.2.0.192.in-addr.arpa.\t3600\tIN\tPTR\tmail.example.org."), std::string::npos) << rev_text;
  EXPECT_EQ(set.mta_sts_policies.at("example.org"),
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n");
}

}  // namespace
}  // namespace mailns::synth
