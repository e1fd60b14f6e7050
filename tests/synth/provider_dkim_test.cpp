// DKIM selectors whose record comes from a provider: cname: (a CNAME into
// the provider's zone) and public_key: (the provider's key published as
// TXT, pasted as base64 or read from a PEM file). Expected values are
// computed with the openssl CLI; the lifecycle applies to every source.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "synth/date_time.hpp"
#include "synth_test_util.hpp"

namespace mailns::synth {
namespace {

using namespace test;

const std::string kHead =
    "mail_domains:\n  - domain: example.org\n    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
    "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]\n    dkim:\n";

std::vector<std::string> dkim_lines(const std::string& dkim_items, int64_t now = 0) {
  Parsed p = parse(kHead + dkim_items);
  EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
  if (p.decls.empty()) return {};
  Diagnostics diags;
  auto z = synthesize_mail_domain(p.decls[0], SynthOptions{1, now}, diags);
  EXPECT_TRUE(diags.empty()) << all_messages(diags);
  std::vector<std::string> out;
  for (const auto& l : record_lines(z))
    if (l.find("._domainkey.") != std::string::npos) out.push_back(l);
  return out;
}

std::vector<std::string> read_errors(const std::string& dkim_items) { return parse(kHead + dkim_items).errors; }

// Provider keys made with the openssl CLI, and their p= values computed by it.
class ProviderKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("mailns-provider-keys-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(std::system(("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out " + dir_ +
                           "/rsa.key 2>/dev/null && openssl pkey -in " + dir_ + "/rsa.key -pubout -out " + dir_ +
                           "/rsa.pub && openssl genpkey -algorithm ed25519 -out " + dir_ +
                           "/ed.key && openssl pkey -in " + dir_ + "/ed.key -pubout -out " + dir_ + "/ed.pub")
                              .c_str()),
              0);
    rsa_p_ = sh("openssl pkey -pubin -in " + dir_ + "/rsa.pub -outform DER | base64 -w0");
    ed_spki_ = sh("openssl pkey -pubin -in " + dir_ + "/ed.pub -outform DER | base64 -w0");
    ed_p_ = sh("openssl pkey -pubin -in " + dir_ + "/ed.pub -outform DER | tail -c 32 | base64 -w0");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static inline std::string dir_, rsa_p_, ed_spki_, ed_p_;
};

TEST(ProviderDkim, CnameSelectorsPublishCnames) {
  EXPECT_EQ(dkim_lines("      - { selector: token1, cname: token1.dkim.amazonses.com }\n"
                       "      - { selector: selector1, cname: selector1-example-org._domainkey.example.onmicrosoft.com }\n"),
            (std::vector<std::string>{
                "selector1._domainkey.example.org.\t3600\tIN\tCNAME\tselector1-example-org._domainkey.example."
                "onmicrosoft.com.",
                "token1._domainkey.example.org.\t3600\tIN\tCNAME\ttoken1.dkim.amazonses.com.",
            }));
}

TEST_F(ProviderKeys, Base64RsaKeyPublishedAsGiven) {
  ASSERT_GT(rsa_p_.size(), 390u);
  // No h=: the provider's signer chooses its hash (RFC 6376 3.6.1).
  EXPECT_EQ(dkim_lines("      - { selector: google, public_key: \"" + rsa_p_ + "\" }\n"),
            std::vector<std::string>{txt("google._domainkey.example.org.", "v=DKIM1; k=rsa; p=" + rsa_p_)});
}

TEST_F(ProviderKeys, PemFileRsaAndEd25519) {
  EXPECT_EQ(dkim_lines("      - { selector: google, public_key: " + dir_ + "/rsa.pub }\n"),
            std::vector<std::string>{txt("google._domainkey.example.org.", "v=DKIM1; k=rsa; p=" + rsa_p_)});
  ASSERT_EQ(ed_p_.size(), 44u);
  EXPECT_EQ(dkim_lines("      - { selector: ed, public_key: " + dir_ + "/ed.pub }\n"),
            std::vector<std::string>{txt("ed._domainkey.example.org.", "v=DKIM1; k=ed25519; p=" + ed_p_)});
}

TEST_F(ProviderKeys, Ed25519AsSpkiOrRawKey) {
  const std::vector<std::string> want{txt("ed._domainkey.example.org.", "v=DKIM1; k=ed25519; p=" + ed_p_)};
  EXPECT_EQ(dkim_lines("      - { selector: ed, public_key: \"" + ed_spki_ + "\" }\n"), want);
  // RFC 8463 publishes the raw 32 octets: a provider may show that.
  EXPECT_EQ(dkim_lines("      - { selector: ed, public_key: \"" + ed_p_ + "\" }\n"), want);
}

TEST_F(ProviderKeys, LifecycleAppliesToEverySource) {
  const int64_t now = *parse_date_time("2026-12-10");
  const std::string dates = "publish_at: 2026-12-01, active_at: 2026-12-05, retire_at: 2026-12-20, remove_at: 2027-01-01";
  // Active now: both published.
  const std::string both = "      - { selector: token1, cname: token1.dkim.amazonses.com, " + dates + " }\n" +
                           "      - { selector: google, public_key: \"" + rsa_p_ + "\", " + dates + " }\n";
  EXPECT_EQ(dkim_lines(both, now).size(), 2u);
  // Before publish_at: nothing; after remove_at: nothing, or revoked with revoke: true.
  EXPECT_TRUE(dkim_lines(both, *parse_date_time("2026-11-30")).empty());
  EXPECT_TRUE(dkim_lines(both, *parse_date_time("2027-01-02")).empty());
  EXPECT_EQ(dkim_lines("      - { selector: token1, cname: token1.dkim.amazonses.com, state: retired, revoke: true }\n"),
            std::vector<std::string>{txt("token1._domainkey.example.org.", "v=DKIM1; p=")});
  EXPECT_EQ(dkim_lines("      - { selector: google, public_key: " + dir_ + "/rsa.pub, state: retiring, until: 2026-12-15 }\n",
                       now)
                .size(),
            1u);
  EXPECT_TRUE(dkim_lines("      - { selector: google, public_key: " + dir_ + "/rsa.pub, state: retiring, until: 2026-12-05 }\n",
                         now)
                  .empty());
}

TEST_F(ProviderKeys, ReaderRejectsWithFileAndLine) {
  auto two = read_errors("      - { selector: s1, key: keys/dkim-rsa.pem,\n          cname: s1.dkim.example.net }\n");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].rfind("test.yaml:7: example.org.dkim[0]: selector s1 has both key: and cname:, but a selector publishes one "
                         "record: keep one (key: "
                         "the private key file your MTA signs with; public_key: the key a provider gave you to "
                         "publish; cname: the name a provider hosts the key at)",
                         0),
            0u)
      << two[0];
  auto none = read_errors("      - { selector: s1, state: active }\n");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_NE(none[0].find("test.yaml:6: example.org.dkim[0]: selector s1 needs one of key:, public_key:, cname: (key:"), std::string::npos)
      << none[0];
  auto record = read_errors("      - { selector: google, public_key: \"v=DKIM1; k=rsa; p=" + rsa_p_ + "\" }\n");
  ASSERT_EQ(record.size(), 1u);
  EXPECT_NE(record[0].find("test.yaml:6: example.org.dkim[0].public_key: write only the key, the value after p="),
            std::string::npos)
      << record[0];
  auto cut = read_errors("      - { selector: google, public_key: \"" + rsa_p_.substr(0, 200) + "\" }\n");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_NE(cut[0].find("test.yaml:6: example.org.dkim[0].public_key: base64 of 150 octets that are neither a DER "
                        "SubjectPublicKeyInfo nor a 32-octet Ed25519 key; paste the p= value"),
            std::string::npos)
      << cut[0];
}

TEST_F(ProviderKeys, MissingPublicKeyFileIsAnErrorAtLoad) {
  Parsed p = parse(kHead + "      - { selector: google, public_key: " + dir_ + "/nope.pub }\n");
  ASSERT_TRUE(p.errors.empty());
  Diagnostics diags;
  synthesize_mail_domain(p.decls[0], SynthOptions{1, 0}, diags);
  EXPECT_TRUE(has_message(diags, "test.yaml:6: error: example.org: DKIM key for selector google: " + dir_ +
                                     "/nope.pub: cannot read",
                          Diagnostic::Severity::kError))
      << all_messages(diags);
  EXPECT_TRUE(has_message(diags, "point public_key at the PEM public key file", Diagnostic::Severity::kError));
}

}  // namespace
}  // namespace mailns::synth
