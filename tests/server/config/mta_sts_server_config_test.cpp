// The mta_sts_server: section (server/config/mta_sts_server_config): typed,
// paths relative to the configuration, every error with file:line.
#include <gtest/gtest.h>

#include "server/config/config.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

constexpr const char* kZones =
    "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";  // lines 1-2

class MtaStsServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("zones/example.org.zone",
              "$ORIGIN example.org.\n@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ 3600 IN NS ns1\n"
              "ns1 3600 IN A 192.0.2.53\n");
    dir.write("certs/a.pem", "PEM\n");
    dir.write("certs/a.key", "KEY\n");
  }
  ConfigResult parse(const std::string& yaml) {
    path = dir.write("mailns.yaml", std::string(kZones) + yaml);
    return load_config(path);
  }
  std::string first_error(const ConfigResult& r) { return r.errors.empty() ? "" : r.errors.front(); }
  TestDir dir;
  std::string path;
};

TEST_F(MtaStsServerConfigTest, OneAddressAndCertificatesRelativeToTheConfig) {
  auto r = parse("mta_sts_server:\n  listen: 127.0.0.1:8443\n  certificates:\n    - {cert: certs/a.pem, key: certs/a.key}\n");
  ASSERT_TRUE(r.config) << first_error(r);
  ASSERT_TRUE(r.config->mta_sts_server);
  const MtaStsServerSettings& s = *r.config->mta_sts_server;
  ASSERT_EQ(s.listen.size(), 1u);
  EXPECT_EQ(s.listen[0].to_string(), "127.0.0.1:8443");
  ASSERT_EQ(s.certificates.size(), 1u);
  EXPECT_EQ(s.certificates[0].cert, dir.file("certs/a.pem"));
  EXPECT_EQ(s.certificates[0].key, dir.file("certs/a.key"));
  EXPECT_EQ(s.certificates[0].where, path + ":6");
}

TEST_F(MtaStsServerConfigTest, AListOfAddresses) {
  auto r = parse("mta_sts_server:\n  listen: [127.0.0.1:8443, \"[::1]:8443\"]\n  certificates: [{cert: certs/a.pem, "
                 "key: certs/a.key}]\n");
  ASSERT_TRUE(r.config) << first_error(r);
  EXPECT_EQ(r.config->mta_sts_server->listen.size(), 2u);
}

TEST_F(MtaStsServerConfigTest, AbsentMeansNotServed) {
  auto r = parse("");
  ASSERT_TRUE(r.config) << first_error(r);
  EXPECT_FALSE(r.config->mta_sts_server);
}

TEST_F(MtaStsServerConfigTest, UnknownKeysAreErrorsWithTheirLine) {
  auto r = parse("mta_sts_server:\n  listen: 127.0.0.1:8443\n  port: 443\n  certificates:\n"
                 "    - {cert: certs/a.pem, key: certs/a.key, chain: x}\n");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].rfind(path + ":5:", 0), 0u) << r.errors[0];
  EXPECT_NE(r.errors[0].find("port"), std::string::npos);
  EXPECT_EQ(r.errors[1].rfind(path + ":7:", 0), 0u) << r.errors[1];
  EXPECT_NE(r.errors[1].find("chain"), std::string::npos);
}

TEST_F(MtaStsServerConfigTest, MissingFilesAndKeysAreErrors) {
  auto r = parse("mta_sts_server:\n  listen: 127.0.0.1:8443\n  certificates:\n    - {cert: certs/nope.pem}\n");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].find(path + ":6: mta_sts_server.certificates[0].cert: 'certs/nope.pem' is not a readable file"),
            std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[1].find("missing 'key'"), std::string::npos) << r.errors[1];
}

TEST_F(MtaStsServerConfigTest, BadAddressesAndShapes) {
  auto r = parse("mta_sts_server:\n  listen: localhost:443\n  certificates: []\n");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].rfind(path + ":4: mta_sts_server.listen:", 0), 0u) << r.errors[0];
  EXPECT_EQ(r.errors[1].rfind(path + ":5: mta_sts_server.certificates: expected a non-empty list", 0), 0u)
      << r.errors[1];
  r = parse("mta_sts_server:\n  listen: [127.0.0.1:443, 127.0.0.1:443]\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].find("listed twice"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[1].find("missing 'certificates'"), std::string::npos) << r.errors[1];
  r = parse("mta_sts_server: 127.0.0.1:443\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind(path + ":3: mta_sts_server: expected a mapping", 0), 0u) << r.errors[0];
}

}  // namespace
}  // namespace mailns::server
