// TLSA forms of a mail host (tls.tlsa): every record compared with digests
// the openssl CLI computes from a leaf + intermediate chain made for the
// test (tests/synth/make_test_chain.sh). 3 x x come from the leaf, 2 x x
// from the certificate after it that issued it; next_key adds 3 1 x only.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "synth/certificate_chain.hpp"
#include "synth/tlsa_form.hpp"
#include "synth_test_util.hpp"

namespace mailns::synth {
namespace {

using namespace test;

std::string chain_script() { return MAILNS_SOURCE_DIR "/tests/synth/make_test_chain.sh"; }

class TlsaForms : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("mailns-tlsa-forms-" + std::to_string(getpid()))).string();
    ASSERT_EQ(std::system((chain_script() + " " + dir_ + " >/dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(std::system((chain_script() + " " + dir_ + "/other >/dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(std::system(("openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out " + dir_ + "/next.key")
                              .c_str()),
              0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  // Digest (sha256/sha512) of a certificate's DER or its SPKI, by openssl.
  static std::string cert_digest(const std::string& pem, bool spki, const char* md) {
    const std::string der = spki ? "openssl x509 -in " + pem + " -pubkey -noout | openssl pkey -pubin -outform DER"
                                 : "openssl x509 -in " + pem + " -outform DER";
    return sh(der + " | openssl dgst -" + md + " -r | cut -d' ' -f1");
  }

  static std::vector<std::string> tlsa_lines(const std::string& tls, Diagnostics* diags_out = nullptr) {
    Parsed p = parse("mail_domains:\n  - domain: example.org\n    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
                     "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: " + tls + " }]\n");
    EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors.front());
    if (p.decls.empty()) return {};
    Diagnostics diags;
    auto z = synthesize_mail_domain(p.decls[0], SynthOptions{1, 0}, diags);
    if (diags_out) *diags_out = diags;
    else EXPECT_TRUE(diags.empty()) << all_messages(diags);
    std::vector<std::string> out;
    for (const auto& l : record_lines(z))
      if (l.find("\tTLSA\t") != std::string::npos) out.push_back(l.substr(l.rfind('\t') + 1));
    return out;
  }

  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  static inline std::string dir_;
};

TEST_F(TlsaForms, EveryFormMatchesOpenssl) {
  const std::string leaf = dir_ + "/leaf.pem", inter = dir_ + "/intermediate.pem";
  const auto got = tlsa_lines("{ cert: " + dir_ + "/fullchain.pem, tlsa: [\"3 1 1\", \"3 0 1\", \"3 1 2\", \"2 1 1\", \"2 0 1\"] }");
  const std::vector<std::string> want = {
      "3 1 1 " + cert_digest(leaf, true, "sha256"),  "3 0 1 " + cert_digest(leaf, false, "sha256"),
      "3 1 2 " + cert_digest(leaf, true, "sha512"),  "2 1 1 " + cert_digest(inter, true, "sha256"),
      "2 0 1 " + cert_digest(inter, false, "sha256"),
  };
  for (const auto& w : want) ASSERT_GT(w.size(), 6u + 63u) << w;
  EXPECT_EQ(got, sorted(want));
}

// The issuer's SPKI hash, not the leaf's nor the root's (the root is not in
// the file, as in a certbot fullchain.pem).
TEST_F(TlsaForms, TwoOneOneIsTheIssuersSpkiHash) {
  const auto got = tlsa_lines("{ cert: " + dir_ + "/fullchain.pem, tlsa: [\"2 1 1\"] }");
  EXPECT_EQ(got, std::vector<std::string>{"2 1 1 " + cert_digest(dir_ + "/intermediate.pem", true, "sha256")});
  EXPECT_NE(got[0], "2 1 1 " + cert_digest(dir_ + "/root.pem", true, "sha256"));
  EXPECT_NE(got[0], "2 1 1 " + cert_digest(dir_ + "/leaf.pem", true, "sha256"));
}

// "The chain after the leaf": the issuer is found by who signed the leaf,
// not by position, so an unrelated certificate in between is skipped.
TEST_F(TlsaForms, IssuerFoundAfterAnUnrelatedCertificate) {
  const std::string mixed = dir_ + "/mixed.pem";
  ASSERT_EQ(std::system(("cat " + dir_ + "/leaf.pem " + dir_ + "/other/intermediate.pem " + dir_ + "/intermediate.pem " +
                         dir_ + "/root.pem > " + mixed).c_str()),
            0);
  std::string err;
  auto chain = load_certificate_chain(mixed, &err);
  ASSERT_TRUE(chain) << err;
  EXPECT_EQ(chain->size, 4u);
  ASSERT_TRUE(chain->issuer);
  EXPECT_NE(chain->issuer->subject.find("mailns test intermediate"), std::string::npos);
  EXPECT_FALSE(chain->issuer->self_signed);
  EXPECT_EQ(tlsa_lines("{ cert: " + mixed + ", tlsa: [\"2 1 1\"] }"),
            std::vector<std::string>{"2 1 1 " + cert_digest(dir_ + "/intermediate.pem", true, "sha256")});
}

TEST_F(TlsaForms, DefaultIsThreeOneOne) {
  EXPECT_EQ(tlsa_lines("{ cert: " + dir_ + "/fullchain.pem }"),
            std::vector<std::string>{"3 1 1 " + cert_digest(dir_ + "/leaf.pem", true, "sha256")});
}

TEST_F(TlsaForms, NextKeyAddsOnlyThreeOneX) {
  const std::string next = dir_ + "/next.key";
  const std::string spki = "openssl pkey -in " + next + " -pubout -outform DER | openssl dgst -";
  const auto got = tlsa_lines("{ cert: " + dir_ + "/fullchain.pem, next_key: " + next +
                              ", tlsa: [\"3 1 1\", \"3 1 2\", \"3 0 1\", \"2 1 1\"] }");
  const std::vector<std::string> want = {
      "3 1 1 " + cert_digest(dir_ + "/leaf.pem", true, "sha256"),
      "3 1 2 " + cert_digest(dir_ + "/leaf.pem", true, "sha512"),
      "3 0 1 " + cert_digest(dir_ + "/leaf.pem", false, "sha256"),
      "2 1 1 " + cert_digest(dir_ + "/intermediate.pem", true, "sha256"),
      "3 1 1 " + sh(spki + "sha256 -r | cut -d' ' -f1"),
      "3 1 2 " + sh(spki + "sha512 -r | cut -d' ' -f1"),
  };
  EXPECT_EQ(got, sorted(want));
  // The key of the current certificate as next_key: no duplicate record.
  EXPECT_EQ(tlsa_lines("{ cert: " + dir_ + "/fullchain.pem, next_key: " + dir_ + "/leaf.key }").size(), 1u);
}

TEST_F(TlsaForms, ReaderRejectsFormsWithFileAndLine) {
  auto errors = [](const std::string& forms) {
    return parse("mail_domains:\n  - domain: example.org\n    mail_hosts:\n      - name: mail.example.org\n"
                 "        tls:\n          cert: certs/mail.pem\n          tlsa: " + forms + "\n")
        .errors;
  };
  auto pkix = errors("[\"1 1 1\"]");
  ASSERT_EQ(pkix.size(), 1u);
  EXPECT_EQ(pkix[0], "test.yaml:7: example.org.mail_hosts[0].tls.tlsa: '1 1 1': usages 0 and 1 (PKIX) are not used "
                     "for SMTP (RFC 7672 3.1.3); write one of 3 1 1, 3 0 1, 3 1 2, 2 1 1 or 2 0 1");
  auto full = errors("[\"3 1 0\"]");
  ASSERT_EQ(full.size(), 1u);
  EXPECT_NE(full[0].find("test.yaml:7: example.org.mail_hosts[0].tls.tlsa: '3 1 0': matching type 0"), std::string::npos)
      << full[0];
  auto words = errors("[\"3 1\", dane-ee]");
  ASSERT_EQ(words.size(), 2u);
  EXPECT_NE(words[0].find("'3 1' is not a TLSA form; write three numbers"), std::string::npos) << words[0];
  auto twice = errors("[\"3 1 1\", \"3  1 1\"]");
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_NE(twice[0].find("3  1 1 is listed twice"), std::string::npos) << twice[0];
  auto empty = errors("[]");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_NE(empty[0].find("test.yaml:7: example.org.mail_hosts[0].tls.tlsa is empty"), std::string::npos) << empty[0];
}

TEST(TlsaForm, ParseAndText) {
  std::string err;
  for (const char* t : {"3 1 1", "3 0 1", "3 1 2", "2 1 1", "2 0 1", "2 1 2", "3 0 2", "2 0 2"}) {
    auto f = TlsaForm::parse(t, &err);
    ASSERT_TRUE(f) << t << ": " << err;
    EXPECT_EQ(f->text(), t);
    EXPECT_EQ(TlsaForm::parse(f->text(), &err), f);  // parse(print(x)) == x
  }
  EXPECT_TRUE(TlsaForm::parse("2 1 1", &err)->pins_issuer());
  EXPECT_FALSE(TlsaForm::parse("3 1 1", &err)->pins_issuer());
  for (const char* t : {"", "0 0 1", "4 1 1", "3 2 1", "3 1 3", "3 1 1 1", "a b c"}) EXPECT_FALSE(TlsaForm::parse(t, &err)) << t;
}

}  // namespace
}  // namespace mailns::synth
