// One failing declaration per lint rule, checking the message says what is
// wrong (and the domain still builds or not, as the severity says).
#include "synth/lint.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "synth_test_util.hpp"

namespace mailns::synth {
namespace {

using namespace test;
using Sev = Diagnostic::Severity;

// A valid base declaration; each test appends or changes one thing.
std::string base(const std::string& extra, const std::string& hosts = "",
                 const std::string& dkim = "[{ selector: 202404e, key: keys/dkim-ed25519.pem }]") {
  return R"(
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: )" + (hosts.empty() ? std::string("[{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: certs/mail.pem } }]") : hosts) + R"(
    dkim: )" + dkim + "\n" + extra;
}

Diagnostics lint(const std::string& yaml, MailZoneSet* out = nullptr) {
  Parsed p = parse(yaml);
  EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
  MailZoneSet set = build_mail_zones(p.decls, p.reverse, SynthOptions{1, 0});
  if (out) *out = set;
  return set.diagnostics;
}

TEST(Lint, BaseDeclarationIsClean) {
  MailZoneSet set;
  auto d = lint(base(""), &set);
  EXPECT_TRUE(d.empty()) << all_messages(d);
  EXPECT_EQ(set.zones.size(), 1u);
}

TEST(Lint, SpfTooManyLookupsCountsNestedIncludesWeServe) {
  // example.org includes spf.example.net (declared here) which has 9 lookups: 1 + 1(mx) + 9 > 10.
  const std::string yaml = base(R"(    spf: { mechanisms: [mx], include: [example.net] }
  - domain: example.net
    nameservers: [{ name: ns1.example.org }]
    mail_hosts: [{ name: mail.example.org }]
    mta_sts: { mode: testing }
    spf: { mechanisms: [mx, a, "a:x.example", "a:y.example", "exists:%{i}.z.example"], include: [a.example, b.example, c.example, d.example] }
)");
  MailZoneSet set;
  auto d = lint(yaml, &set);
  EXPECT_TRUE(has_message(d, "example.org: SPF at example.org needs 11 DNS lookups", Sev::kError)) << all_messages(d);
  EXPECT_TRUE(has_message(d, "the limit is 10 (RFC 7208 4.6.4)", Sev::kError));
  // The erroneous domain is left out; the other one still serves.
  ASSERT_EQ(set.failed_domains.size(), 1u);
  EXPECT_EQ(set.failed_domains[0], "example.org");
  EXPECT_EQ(set.zones.size(), 1u);
}

TEST(Lint, SpfTwoRecordsAtOneName) {
  auto d = lint(base("    records: [\"mail 3600 IN TXT \\\"v=spf1 ip4:192.0.2.10 -all\\\"\", \"@ 3600 IN TXT \\\"v=spf1 +all\\\"\"]\n"));
  // A user SPF replaces the generated one: no duplicate, but +all is warned.
  EXPECT_FALSE(has_message(d, "more than one SPF", Sev::kError)) << all_messages(d);
  EXPECT_TRUE(has_message(d, "ends in +all", Sev::kWarning)) << all_messages(d);
  // A second SPF written by hand under a different spelling is a duplicate.
  auto d2 = lint(base("    records: [\"@ 3600 IN TXT \\\"v=spf1 -all\\\"\", \"@ 3600 IN TXT \\\"V=SPF1 mx -all\\\"\"]\n"));
  EXPECT_TRUE(has_message(d2, "example.org has more than one SPF record", Sev::kError)) << all_messages(d2);
}

TEST(Lint, SpfNeutralAndLong) {
  auto d = lint(base("    spf: { mechanisms: [mx], all: neutral }\n"));
  EXPECT_TRUE(has_message(d, "ends in ?all", Sev::kWarning)) << all_messages(d);
  std::string ips;
  for (int i = 0; i < 40; ++i) ips += (i ? ", " : "") + std::string("198.51.100.") + std::to_string(i);
  auto l = lint(base("    spf: { mechanisms: [mx], ip4: [" + ips + "] }\n"));
  EXPECT_TRUE(has_message(l, "keep it under 450", Sev::kWarning)) << all_messages(l);
}

TEST(Lint, MxTargetIpLiteralCnameAndNoAddress) {
  auto ip = lint(base("", "[{ name: 192.0.2.10 }]\n    mta_sts: { mode: testing }"));
  EXPECT_TRUE(has_message(ip, "mail host '192.0.2.10' is an IP address", Sev::kError)) << all_messages(ip);
  // MTAs follow a CNAME at the MX target: against RFC 2181 10.3, but mail arrives.
  auto cname = lint(base("    mta_sts: { mode: testing }\n    records: [\"mx 3600 IN CNAME mail\"]\n",
                         "[{ name: mx.example.org }]"));
  EXPECT_TRUE(has_message(cname, "mail host mx.example.org is a CNAME", Sev::kWarning)) << all_messages(cname);
  EXPECT_FALSE(has_message(cname, "mail host mx.example.org has no address", Sev::kError)) << all_messages(cname);
  auto noaddr = lint(base("    mta_sts: { mode: testing }\n", "[{ name: mail.example.org }]"));
  EXPECT_TRUE(has_message(noaddr, "mail host mail.example.org has no address", Sev::kError)) << all_messages(noaddr);
}

TEST(Lint, MissingMailHostsAndNameservers) {
  auto d = lint("mail_domains:\n  - domain: example.org\n");
  EXPECT_TRUE(has_message(d, "no mail_hosts", Sev::kError)) << all_messages(d);
  EXPECT_TRUE(has_message(d, "no nameservers", Sev::kError));
  auto parked = lint("mail_domains:\n  - { domain: parked.example, parked: true, nameservers: [{ name: ns1.example.org }] }\n");
  EXPECT_TRUE(parked.empty()) << all_messages(parked);
}

TEST(Lint, DkimKeyProblems) {
  const auto dir = std::filesystem::temp_directory_path() / "mailns-lint-keys";
  std::filesystem::create_directories(dir);
  const std::string d = dir.string();
  ASSERT_EQ(std::system(("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out " + d + "/rsa1024.pem 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:512 -out " + d + "/rsa512.pem 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out " + d + "/ec.pem 2>/dev/null").c_str()), 0);
  auto with_key = [&](const std::string& sel, const std::string& key) {
    return lint(base("", "", "[{ selector: " + sel + ", key: " + key + " }]"));
  };
  auto weak = with_key("s1", d + "/rsa1024.pem");
  EXPECT_TRUE(has_message(weak, "is 1024-bit RSA; receivers expect 2048", Sev::kWarning)) << all_messages(weak);
  auto tiny = with_key("s1", d + "/rsa512.pem");
  EXPECT_TRUE(has_message(tiny, "is 512-bit RSA; receivers reject keys under 1024 bits", Sev::kError)) << all_messages(tiny);
  auto ec = with_key("s1", d + "/ec.pem");
  EXPECT_TRUE(has_message(ec, "unsupported key type EC", Sev::kError)) << all_messages(ec);
  auto missing = with_key("s1", d + "/nope.pem");
  EXPECT_TRUE(has_message(missing, "nope.pem: cannot read", Sev::kError)) << all_messages(missing);
  auto garbage = with_key("s1", MAILNS_SOURCE_DIR "/CMakeLists.txt");
  EXPECT_TRUE(has_message(garbage, "not a PEM private key", Sev::kError)) << all_messages(garbage);
  auto badsel = with_key("\"bad selector!\"", "keys/dkim-ed25519.pem");
  EXPECT_TRUE(has_message(badsel, "DKIM selector 'bad selector!' is not a valid DNS label", Sev::kError)) << all_messages(badsel);
}

TEST(Lint, DmarcRules) {
  // Advice: the logo is not shown, reports are not sent; mail is not affected.
  auto bimi = lint(base("    dmarc: { policy: none }\n    bimi: { logo: https://example.org/logo.svg }\n"));
  EXPECT_TRUE(has_message(bimi, "BIMI needs a DMARC policy of quarantine or reject", Sev::kWarning))
      << all_messages(bimi);
  auto uri = lint(base("    dmarc: { rua: [\"https://reports.example.org/\"] }\n"));
  EXPECT_TRUE(has_message(uri, "is not a mailto: URI", Sev::kWarning)) << all_messages(uri);
  auto ext = lint(base("    dmarc: { rua: [dmarc@reports.example.net] }\n"));
  EXPECT_TRUE(has_message(ext, "example.org._report._dmarc.reports.example.net", Sev::kWarning)) << all_messages(ext);
  // The external domain is ours and authorises example.org: no warning.
  auto ours = lint(base(R"(    dmarc: { rua: [dmarc@example.net] }
  - domain: example.net
    nameservers: [{ name: ns1.example.org }]
    parked: true
    accept_reports_for: [example.org]
)"));
  EXPECT_FALSE(has_message(ours, "_report._dmarc", Sev::kWarning)) << all_messages(ours);
}

TEST(Lint, MtaStsRules) {
  auto age = lint(base("    mta_sts: { max_age: 40000000 }\n"));
  EXPECT_TRUE(has_message(age, "max_age 40000000 exceeds 31557600", Sev::kError)) << all_messages(age);
  // The MTA may manage the certificate itself: advice, and the domain is served.
  MailZoneSet notls_set;
  auto notls = lint(base("    mta_sts: {}\n", "[{ name: mail.example.org, ipv4: 192.0.2.10 }]"), &notls_set);
  EXPECT_TRUE(has_message(notls, "mta_sts.mode is enforce but mail host mail.example.org has no tls", Sev::kWarning))
      << all_messages(notls);
  EXPECT_FALSE(has_errors(notls, "example.org")) << all_messages(notls);
  EXPECT_EQ(notls_set.zones.size(), 1u);
  // Without mta_sts: nothing of MTA-STS is published, so nothing is said about it.
  auto undeclared = lint(base("", "[{ name: mail.example.org, ipv4: 192.0.2.10 }]"));
  EXPECT_TRUE(undeclared.empty()) << all_messages(undeclared);
  // A user MX RRset that replaces every declared host: enforcing senders cannot deliver.
  auto uncovered =
      lint(base("    mta_sts: { mode: enforce }\n    records: [\"@ 3600 IN MX 20 backup.example.net.\"]\n"));
  EXPECT_TRUE(has_message(uncovered, "MX backup.example.net is not a declared mail host", Sev::kError))
      << all_messages(uncovered);
  // Beside a declared host, a backup MX outside the policy is advice.
  auto backup = lint(base("    mta_sts: { mode: enforce }\n    records: [\"@ 3600 IN MX 10 mail.example.org.\", "
                          "\"@ 3600 IN MX 20 backup.example.net.\"]\n"));
  EXPECT_TRUE(has_message(backup, "MX backup.example.net is not a declared mail host", Sev::kWarning))
      << all_messages(backup);
  EXPECT_FALSE(has_errors(backup, "example.org")) << all_messages(backup);
}

TEST(Lint, NamesAndTtls) {
  // TTL 0 is valid (RFC 2181 8), only uncached.
  auto ttl0 = lint(base("    ttl: 0\n"));
  EXPECT_TRUE(has_message(ttl0, "ttl 0: resolvers will not cache", Sev::kWarning)) << all_messages(ttl0);
  EXPECT_FALSE(has_errors(ttl0, "example.org")) << all_messages(ttl0);
  // Resolvers follow a name server name with an odd label; registries refuse it.
  std::string odd_ns = base("");
  odd_ns.replace(odd_ns.find("ns1.example.org, ipv4"), 15, "\"ns!1.example.org\"");
  auto ns = lint(odd_ns);
  EXPECT_TRUE(has_message(ns, "nameserver ns!1.example.org has an invalid label 'ns!1'", Sev::kWarning))
      << all_messages(ns);
  auto label = lint(base("", "[{ name: \"mail_host!.example.org\", ipv4: 192.0.2.10, tls: { cert: certs/mail.pem } }]"));
  EXPECT_TRUE(has_message(label, "invalid label 'mail_host!'", Sev::kError)) << all_messages(label);
  // Too-large TTL is rejected while reading.
  Parsed p = parse(base("    ttl: 4294967295\n"));
  ASSERT_FALSE(p.errors.empty());
  EXPECT_NE(p.errors[0].find("test.yaml:"), std::string::npos);
  EXPECT_NE(p.errors[0].find("out of range"), std::string::npos);
}

TEST(DeclarationYaml, UnknownKeysAndBadValuesHaveFileAndLine) {
  Parsed p = parse("mail_domains:\n  - domain: example.org\n    mail_host: []\n    spf: { all: maybe }\n"
                   "    nameservers: [{ name: ns1.example.org, ipv4: 300.1.1.1 }]\n");
  ASSERT_EQ(p.errors.size(), 3u);
  std::string all;
  for (const auto& e : p.errors) all += e + "\n";
  EXPECT_NE(all.find("test.yaml:3: example.org: unknown key 'mail_host'"), std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:4: example.org.spf.all: 'maybe' is not allowed; write one of: fail, softfail"),
            std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:5: example.org.nameservers[0].ipv4: '300.1.1.1' is not an IPv4 address"),
            std::string::npos) << all;
}

}  // namespace
}  // namespace mailns::synth

namespace mailns::synth {
namespace {

using namespace test;

TEST(LintDane, CertificateMustCarryItsDeclaredKey) {
  const std::string head =
      "mail_domains:\n  - domain: example.org\n    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
      "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: certs/mail.pem, key: ";
  auto run = [&](const std::string& key) {
    Parsed p = parse(head + key + " } }]\n");
    EXPECT_TRUE(p.errors.empty());
    return build_mail_zones(p.decls, p.reverse, SynthOptions{1, 0}).diagnostics;
  };
  auto good = run("certs/mail.key");
  EXPECT_FALSE(has_message(good, "does not carry the key", Diagnostic::Severity::kError)) << all_messages(good);
  auto bad = run("certs/mail-next.key");
  EXPECT_TRUE(has_message(bad, "does not carry the key in", Diagnostic::Severity::kError)) << all_messages(bad);
}

}  // namespace
}  // namespace mailns::synth

// Issue 17: providers' DKIM selectors, TLSA forms, SPF includes we do not serve.
namespace mailns::synth {
namespace {

using namespace test;
using Sev = Diagnostic::Severity;

TEST(LintProvider, DkimCnameTargetMustBeAHostName) {
  auto url = lint(base("", "", "[{ selector: token1, cname: \"https://token1.dkim.amazonses.com\" }]"));
  EXPECT_TRUE(has_message(url, "test.yaml:6: error: example.org: DKIM selector token1: cname "
                               "'https://token1.dkim.amazonses.com' is not a host name (label 'https://token1'); "
                               "write the name the provider shows, like token1.dkim.amazonses.com",
                          Sev::kError))
      << all_messages(url);
  auto single = lint(base("", "", "[{ selector: token1, cname: token1 }]"));
  EXPECT_TRUE(has_message(single, "test.yaml:6: error: example.org: DKIM selector token1: cname 'token1' is a single label",
                          Sev::kError))
      << all_messages(single);
  auto good = lint(base("", "", "[{ selector: token1, cname: token1.dkim.amazonses.com }]"));
  EXPECT_TRUE(good.empty()) << all_messages(good);
}

// Google signs with its selector, our MTA with ours: two active RSA keys
// are normal then, unlike two of our own.
TEST(LintProvider, ProviderSelectorBesideOursIsNotASecondSigner) {
  const std::string pub = sh("openssl pkey -in " + conf_dir() + "/keys/dkim-rsa.pem -pubout -outform DER | base64 -w0");
  const std::string google = "{ selector: google, public_key: \"" + pub + "\" }";
  auto d = lint(base("", "", "[{ selector: 202404r, key: keys/dkim-rsa.pem }, " + google + "]"));
  EXPECT_TRUE(d.empty()) << all_messages(d);
  auto two = lint(base("", "", "[{ selector: a, key: keys/dkim-rsa.pem }, { selector: b, key: keys/dkim-rsa.pem }]"));
  EXPECT_TRUE(has_message(two, "test.yaml:6: warning: example.org: two active DKIM selectors use rsa (b is the second)",
                          Sev::kWarning))
      << all_messages(two);
}

TEST(LintProvider, WeakProviderKeyAsksTheProvider) {
  const std::string pub = sh("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 2>/dev/null | "
                             "openssl pkey -pubout -outform DER | base64 -w0");
  ASSERT_GT(pub.size(), 200u);
  auto d = lint(base("", "", "[{ selector: google, public_key: \"" + pub + "\" }]"));
  EXPECT_TRUE(has_message(d, "test.yaml:6: warning: example.org: DKIM key public key (given, rsa) of selector google is "
                             "1024-bit RSA; receivers expect 2048 (ask the provider for a 2048-bit key",
                          Sev::kWarning))
      << all_messages(d);
}

TEST(LintProvider, SpfExternalIncludesCountOneEachAndMayBeMore) {
  // 1 (mx) + 9 includes we do not serve = 10: within the limit as far as we
  // can count, but one lookup more in any of them breaks it.
  auto near = lint(base("    spf: { mechanisms: [mx], include: [a.example, b.example, c.example, d.example, e.example, "
                        "f.example, g.example, h.example, i.example] }\n"));
  EXPECT_TRUE(has_message(near, "test.yaml:7: warning: example.org: SPF at example.org needs at least 10 of the 10 DNS "
                                "lookups allowed (RFC 7208 4.6.4): 9 external includes (a.example, b.example, ",
                          Sev::kWarning))
      << all_messages(near);
  EXPECT_TRUE(has_message(near, "counted as 1 lookup each, but the lookups in their own records count too, so the real "
                                "count may be higher", Sev::kWarning));
  EXPECT_FALSE(has_errors(near, "example.org"));
  auto over = lint(base("    spf: { mechanisms: [mx, a], include: [a.example, b.example, c.example, d.example, "
                        "e.example, f.example, g.example, h.example, i.example] }\n"));
  EXPECT_TRUE(has_message(over, "test.yaml:7: error: example.org: SPF at example.org needs 11 DNS lookups", Sev::kError))
      << all_messages(over);
  EXPECT_TRUE(has_message(over, "(9 external includes (a.example, b.example, c.example, d.example, e.example, f.example, "
                                "g.example, h.example, i.example) counted as 1 lookup each", Sev::kError));
  // SES's one include: far from the limit, nothing to say.
  auto ses = lint(base("    spf: { mechanisms: [], include: [amazonses.com] }\n"));
  EXPECT_TRUE(ses.empty()) << all_messages(ses);
}

class LintDaneForms : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("mailns-lint-dane-" + std::to_string(getpid()))).string();
    const std::string s = MAILNS_SOURCE_DIR "/tests/synth/make_test_chain.sh ";
    ASSERT_EQ(std::system((s + dir_ + "/long >/dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(std::system((s + dir_ + "/short mail.example.org 1095 >/dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(std::system((s + dir_ + "/le mail.example.org 3650 \"Let's Encrypt\" >/dev/null 2>&1").c_str()), 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static Diagnostics run(const std::string& tls) {
    return lint(base("", "[{ name: mail.example.org, ipv4: 192.0.2.10, tls: " + tls + " }]"));
  }
  static inline std::string dir_;
};

TEST_F(LintDaneForms, IssuerFormWithoutIssuerInTheFile) {
  auto d = run("{ cert: " + dir_ + "/long/leaf.pem, tlsa: [\"3 1 1\", \"2 1 1\", \"2 0 1\"] }");
  EXPECT_TRUE(has_message(d, "test.yaml:5: error: example.org: mail host mail.example.org: tlsa 2 1 1, 2 0 1 pins the "
                             "CA certificate that issued the server's certificate, but " + dir_ +
                                 "/long/leaf.pem holds 1 certificate and none after the leaf issued it: point "
                                 "tls.cert at the full chain",
                          Sev::kError))
      << all_messages(d);
  // The chain of another CA after the leaf is no issuer either.
  const std::string wrong = dir_ + "/wrong.pem";
  ASSERT_EQ(std::system(("cat " + dir_ + "/long/leaf.pem " + dir_ + "/short/intermediate.pem > " + wrong).c_str()), 0);
  auto w = run("{ cert: " + wrong + ", tlsa: [\"2 1 1\"] }");
  EXPECT_TRUE(has_message(w, "holds 2 certificates and none after the leaf issued it", Sev::kError)) << all_messages(w);
  auto ok = run("{ cert: " + dir_ + "/long/fullchain.pem, tlsa: [\"2 1 1\", \"2 0 1\"] }");
  EXPECT_TRUE(ok.empty()) << all_messages(ok);
}

TEST_F(LintDaneForms, IssuerThatChangesIsWarnedWithWhy) {
  auto le = run("{ cert: " + dir_ + "/le/fullchain.pem, tlsa: [\"2 1 1\"] }");
  EXPECT_TRUE(has_message(le, "test.yaml:5: warning: example.org: mail host mail.example.org: tlsa 2 1 1 pins the key "
                              "of the CA certificate /O=Let's Encrypt/CN=mailns test intermediate; Let's Encrypt "
                              "issues each certificate from one of several intermediates picked at random",
                          Sev::kWarning))
      << all_messages(le);
  EXPECT_TRUE(has_message(le, "senders that check DANE refuse the host until a new record is published", Sev::kWarning));
  EXPECT_FALSE(has_errors(le, "example.org"));
  auto short_lived = run("{ cert: " + dir_ + "/short/fullchain.pem, tlsa: [\"2 0 1\"] }");
  EXPECT_TRUE(has_message(short_lived, "test.yaml:5: warning: example.org: mail host mail.example.org: tlsa 2 0 1 pins "
                                       "the key of the CA certificate /O=mailns test CA/CN=mailns test intermediate; "
                                       "this intermediate is valid for 3 years (until ",
                          Sev::kWarning))
      << all_messages(short_lived);
  // A 3 1 1 record with the next key announced still matches after the CA changes.
  auto covered = run("{ cert: " + dir_ + "/le/fullchain.pem, next_key: " + dir_ + "/le/root.key, tlsa: [\"2 1 1\", \"3 1 1\"] }");
  EXPECT_TRUE(covered.empty()) << all_messages(covered);
}

TEST_F(LintDaneForms, NextKeyWithoutThreeOneX) {
  auto d = run("{ cert: " + dir_ + "/long/fullchain.pem, next_key: " + dir_ + "/long/root.key, tlsa: [\"2 1 1\", \"3 0 1\"] }");
  EXPECT_TRUE(has_message(d, "test.yaml:5: warning: example.org: mail host mail.example.org: tls.next_key is published "
                             "only as 3 1 x records (the public key of the next certificate), and tlsa lists none "
                             "(2 1 1, 3 0 1), so it is not published: add \"3 1 1\" to tlsa or remove next_key",
                          Sev::kWarning))
      << all_messages(d);
}

}  // namespace
}  // namespace mailns::synth
