// Loading the endpoint's certificates (server/web/certificate_set): the
// names read from SAN (else CN), and clear errors naming the file and the
// configuration line. Keys and certificates are made with the openssl CLI.
#include "server/web/certificate_set.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_dir.hpp"

namespace mailns::server {
namespace {

// A self-signed certificate NAME.pem and key NAME.key; subject CN cn, SANs san ("" for none).
void make_certificate(const testing::TestDir& dir, const std::string& name, const std::string& cn,
                      const std::string& san) {
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" +
                          cn + " -keyout " + dir.file(name + ".key") + " -out " + dir.file(name + ".pem") +
                          (san.empty() ? "" : " -addext subjectAltName=" + san) + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

CertificateFiles files(const testing::TestDir& dir, const std::string& cert, const std::string& key) {
  return CertificateFiles{dir.file(cert + ".pem"), dir.file(key + ".key"), "mailns.yaml:7"};
}

TEST(CertificateSetTest, NamesFromSubjectAltNamesElseCommonName) {
  testing::TestDir dir;
  make_certificate(dir, "a", "ignored.example", "DNS:MTA-STS.example.org,DNS:*.example.net,IP:127.0.0.1");
  make_certificate(dir, "b", "mta-sts.example.com", "");
  const std::vector<CertificateFiles> f = {files(dir, "a", "a"), files(dir, "b", "b")};
  std::string error;
  auto set = CertificateSet::load(f, &error);
  ASSERT_TRUE(set) << error;
  ASSERT_EQ(set->names().size(), 2u);
  EXPECT_EQ(set->names()[0], (std::vector<std::string>{"mta-sts.example.org", "*.example.net"}));
  EXPECT_EQ(set->names()[1], (std::vector<std::string>{"mta-sts.example.com"}));
}

TEST(CertificateSetTest, KeyOfAnotherCertificateIsAnErrorNamingBoth) {
  testing::TestDir dir;
  make_certificate(dir, "a", "mta-sts.example.org", "");
  make_certificate(dir, "b", "mta-sts.example.com", "");
  const std::vector<CertificateFiles> f = {files(dir, "a", "a"), files(dir, "b", "a")};
  std::string error;
  EXPECT_FALSE(CertificateSet::load(f, &error));
  EXPECT_NE(error.find("mailns.yaml:7: mta_sts_server.certificates[1]: the key " + dir.file("a.key") +
                       " does not belong to the certificate " + dir.file("b.pem")),
            std::string::npos)
      << error;
}

TEST(CertificateSetTest, UnreadableFilesAreErrors) {
  testing::TestDir dir;
  make_certificate(dir, "a", "mta-sts.example.org", "");
  dir.write("garbage.pem", "not a certificate\n");
  std::string error;
  std::vector<CertificateFiles> f = {CertificateFiles{dir.file("garbage.pem"), dir.file("a.key"), "c.yaml:3"}};
  EXPECT_FALSE(CertificateSet::load(f, &error));
  EXPECT_NE(error.find("c.yaml:3: mta_sts_server.certificates[0]: cannot load the certificate chain"),
            std::string::npos) << error;
  f = {CertificateFiles{dir.file("a.pem"), dir.file("garbage.pem"), "c.yaml:4"}};
  EXPECT_FALSE(CertificateSet::load(f, &error));
  EXPECT_NE(error.find("cannot load the private key " + dir.file("garbage.pem")), std::string::npos) << error;
  EXPECT_FALSE(CertificateSet::load({}, &error));
}

}  // namespace
}  // namespace mailns::server
