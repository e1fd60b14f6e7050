// zone_fingerprint: one zone's fingerprint (what `mailns reload ZONE`
// compares) is the one fingerprint_config gives it, and follows its own
// files only.
#include "server/publish/zone_fingerprint.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

using testing::kZone;

TEST(ZoneFingerprintTest, OneZoneIsWhatTheWholeConfigGives) {
  TestDir dir;
  dir.write("a.zone", kZone);
  dir.write("b.zone", kZone);
  ConfigResult r = load_config(dir.write("mailns.yaml", R"(zones:
  - { origin: a.example, file: a.zone }
  - { origin: b.example, file: b.zone }
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
reverse_zones: [2.0.192.in-addr.arpa]
)"));
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0]);
  const Config& c = *r.config;
  const ConfigFingerprints all = fingerprint_config(c);
  for (const zone::DnsName& o : c.all_origins()) {
    std::vector<std::string> files;
    EXPECT_EQ(zone_fingerprint(c, o, &files), all.zones.at(fingerprint_key(o))) << o.to_text();
  }
  std::vector<std::string> files;
  const zone::DnsName a = *zone::DnsName::from_text("a.example");
  const auto before = zone_fingerprint(c, a, &files);
  EXPECT_EQ(files, std::vector<std::string>{dir.file("a.zone")});
  const auto b_before = zone_fingerprint(c, *zone::DnsName::from_text("b.example"));
  // a.zone written again (a new file, as editors and `mv` do): a's changes, b's does not.
  dir.write("a.zone.new", kZone);
  std::filesystem::rename(dir.file("a.zone.new"), dir.file("a.zone"));
  EXPECT_NE(zone_fingerprint(c, a), before);
  EXPECT_EQ(zone_fingerprint(c, *zone::DnsName::from_text("b.example")), b_before);
  EXPECT_EQ(zone_fingerprint(c, *zone::DnsName::from_text("nosuch.example")), std::nullopt);
}

}  // namespace
}  // namespace mailns::server
