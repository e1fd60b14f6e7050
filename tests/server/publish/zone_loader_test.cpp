#include "server/publish/zone_loader.hpp"

#include <gtest/gtest.h>

#include "dns_test_util.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

ZoneSource source(const testing::TestDir& dir, const std::string& origin, const std::string& file) {
  ZoneSource z;
  z.origin = *zone::DnsName::from_text(origin);
  z.file = dir.file(file);
  z.file_text = file;
  return z;
}

TEST(ZoneLoaderTest, LoadsEveryZoneIntoOneSnapshot) {
  testing::TestDir dir;
  dir.write("a.zone", testing::kExampleZone);
  dir.write("b.zone",
            "$ORIGIN example.net.\n@ 300 IN SOA ns1 h 7 1 1 1 1\n@ 300 IN NS ns1.example.org.\n"
            "www 300 IN A 192.0.2.80\n");
  Config config;
  config.server.udp_payload = 1400;
  config.zones = {source(dir, "example.org", "a.zone"), source(dir, "example.net", "b.zone")};
  auto r = load_zones(config, 2026112601);
  ASSERT_TRUE(r.snapshot) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.snapshot->zones().size(), 2u);
  EXPECT_EQ(r.snapshot->options().max_udp_payload, 1400);
  EXPECT_NE(r.snapshot->find_zone(*zone::DnsName::from_text("www.example.net")), nullptr);
}

TEST(ZoneLoaderTest, ErrorsOfAllZonesAreCollectedWithFileAndLine) {
  testing::TestDir dir;
  dir.write("bad1.zone", "$ORIGIN example.org.\n@ 300 IN SOA ns1 h 1 1 1 1 1\nwww 300 IN A 999.1.1.1\n");
  dir.write("bad2.zone", "$ORIGIN example.net.\nwww 300 IN A 192.0.2.1\n");  // no SOA
  Config config;
  config.zones = {source(dir, "example.org", "bad1.zone"), source(dir, "example.net", "bad2.zone")};
  auto r = load_zones(config, 1);
  EXPECT_FALSE(r.snapshot);
  ASSERT_GE(r.errors.size(), 2u);
  bool saw1 = false, saw2 = false;
  for (const auto& e : r.errors) {
    if (e.rfind(dir.file("bad1.zone") + ":3:", 0) == 0) saw1 = true;
    if (e.rfind(dir.file("bad2.zone"), 0) == 0) saw2 = true;
  }
  EXPECT_TRUE(saw1 && saw2) << r.errors[0] << "\n" << r.errors[1];
}

TEST(ZoneLoaderTest, MailDomainWithErrorsIsLeftOutAndTheRestServed) {
  testing::TestDir dir;
  dir.write("a.zone", testing::kExampleZone);
  dir.write("mail.yaml",
            "zones:\n  - { origin: example.org, file: a.zone }\n"
            "mail_domains:\n"
            "  - domain: good.example\n"
            "    nameservers: [{ name: ns1.example.org }]\n"
            "    mail_hosts: [{ name: mail.example.org }]\n"
            "    mta_sts: { mode: testing }\n"
            "  - domain: bad.example\n"
            "    nameservers: [{ name: ns1.example.org }]\n"
            "    mail_hosts: [{ name: mail.example.org }]\n"
            "    mta_sts: { mode: testing }\n"
            "    dkim: [{ selector: s1, key: missing.pem }]\n");
  ConfigResult cfg = load_config(dir.file("mail.yaml"));
  ASSERT_TRUE(cfg.config) << (cfg.errors.empty() ? "" : cfg.errors.front());
  auto r = load_zones(*cfg.config, 2026112601);
  ASSERT_TRUE(r.snapshot) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.snapshot->zones().size(), 2u);  // example.org and good.example
  ASSERT_EQ(r.domain_errors.size(), 1u);
  EXPECT_NE(r.domain_errors[0].find(dir.file("mail.yaml") + ":12: error: bad.example: DKIM key for selector s1"),
            std::string::npos)
      << r.domain_errors[0];
  EXPECT_EQ(r.snapshot->find_zone(*zone::DnsName::from_text("www.bad.example")), nullptr);
  const zone::Zone* good = r.snapshot->find_zone(*zone::DnsName::from_text("good.example"));
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(good->soa_serial(), 2026112601u);
  EXPECT_EQ(r.mta_sts_policies.count("good.example"), 1u);
}

TEST(ZoneLoaderTest, TlsaInAnUnsignedZoneIsWarnedAbout) {
  testing::TestDir dir;
  dir.write("mail.yaml", std::string("mail_domains:\n  - domain: example.org\n") +
                             "    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
                             "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: " +
                             MAILNS_SOURCE_DIR + "/conf/certs/mail.pem } }]\n");
  ConfigResult cfg = load_config(dir.file("mail.yaml"));
  ASSERT_TRUE(cfg.config) << (cfg.errors.empty() ? "" : cfg.errors.front());
  auto r = load_zones(*cfg.config, 2026112601);
  ASSERT_TRUE(r.snapshot);
  bool warned = false;
  for (const auto& w : r.warnings) warned |= w.find("DANE needs DNSSEC (RFC 7672 2.2)") != std::string::npos;
  EXPECT_TRUE(warned);
}

// check-config before the first start: DNSSEC is enabled, the keys are not
// made yet. The warning says so instead of asking to enable DNSSEC; an
// unsigned load that reads no keys at all (zone export) says nothing.
TEST(ZoneLoaderTest, TlsaWarningBeforeTheFirstKeysSaysTheyAreComing) {
  testing::TestDir dir;
  dir.write("mail.yaml", std::string("dnssec: { enabled: true, key_dir: keys }\nmail_domains:\n") +
                             "  - domain: example.org\n"
                             "    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
                             "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10, tls: { cert: " +
                             MAILNS_SOURCE_DIR + "/conf/certs/mail.pem } }]\n");
  ConfigResult cfg = load_config(dir.file("mail.yaml"));
  ASSERT_TRUE(cfg.config) << (cfg.errors.empty() ? "" : cfg.errors.front());
  LoadOptions check;
  check.keys = KeyAccess::kReadOnly;
  check.unsigned_without_keys = true;
  auto r = load_zones(*cfg.config, check);
  ASSERT_TRUE(r.snapshot);
  std::string all;
  for (const auto& w : r.warnings) all += w + "\n";
  EXPECT_NE(all.find("example.org.: publishes 1 TLSA RRset (_25._tcp.mail.example.org.) for DANE, which needs a "
                     "signed zone (RFC 7672 2.2): DNSSEC is enabled but the zone has no keys yet (`mailns serve` "
                     "creates them on its first start, `mailns dnssec ds` before it); until then its TLSA records "
                     "are checked unsigned"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("set dnssec: { enabled: true }"), std::string::npos) << all;
  LoadOptions unsigned_export;
  unsigned_export.keys = std::nullopt;
  auto e = load_zones(*cfg.config, unsigned_export);
  for (const auto& w : e.warnings) EXPECT_EQ(w.find("TLSA"), std::string::npos) << w;
}

}  // namespace
}  // namespace mailns::server
