// The dnssec: section and the per-zone dnssec: overrides: typed values,
// durations, and every mistake reported with file:line.
#include <gtest/gtest.h>

#include "server/config/config.hpp"
#include "server/config/duration.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

using dnssec::Algorithm;
using dnssec::DenialMode;
using dnssec::KeyScheme;
using testing::TestDir;

constexpr const char* kZone =
    "$ORIGIN example.net.\n"
    "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1\n"
    "ns1 3600 IN A 192.0.2.53\n";

// A mail domain entry (lines 1-3 of what it adds), for appending after a dnssec: section.
std::string mail_domain(const std::string& name, const std::string& extra = {}) {
  return "  - domain: " + name + "\n    nameservers: [{ name: ns1.example.net }]\n    mail_hosts: [{ name: mail." +
         name + " }]\n" + extra;
}

std::string all(const ConfigResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e + "\n";
  return s;
}

class DnssecConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir.write("zones/example.net.zone", kZone); }
  ConfigResult parse(const std::string& yaml) {
    path = dir.write("conf/mailns.yaml", yaml);
    return load_config(path);
  }
  std::string at(int line) const { return path + ":" + std::to_string(line) + ": "; }
  bool has_error(const ConfigResult& r, int line, const std::string& fragment) const {
    for (const auto& e : r.errors)
      if (e.rfind(at(line), 0) == 0 && e.find(fragment) != std::string::npos) return true;
    return false;
  }
  const DnssecSettings& of(const ConfigResult& r, const std::string& origin) {
    return r.config->dnssec_for(*zone::DnsName::from_text(origin));
  }

  TestDir dir;
  std::string path;
};

TEST_F(DnssecConfigTest, WithoutASectionEverythingIsUnsigned) {
  auto r = parse("zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_FALSE(of(r, "example.net").enabled);
  EXPECT_TRUE(r.config->dnssec_overrides.empty());
}

TEST_F(DnssecConfigTest, EveryKeyIsRead) {
  auto r = parse(
      "dnssec:\n"
      "  enabled: true\n"
      "  algorithm: ed25519\n"
      "  keys: ksk_zsk\n"
      "  denial: nsec\n"
      "  signature_validity: 21d\n"
      "  refresh_before: 12h\n"
      "  key_dir: state/keys\n"
      "  zsk_lifetime: 90d\n"
      "  ksk_lifetime: 1w\n"
      "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  ASSERT_TRUE(r.config) << all(r);
  const DnssecSettings& s = of(r, "example.net");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.policy.algorithm, Algorithm::kEd25519);
  EXPECT_EQ(s.policy.keys, KeyScheme::kKskZsk);
  EXPECT_EQ(s.policy.denial, DenialMode::kNsec);
  EXPECT_EQ(s.policy.signature_validity, 21u * 86400);
  EXPECT_EQ(s.policy.refresh_before, 12u * 3600);
  EXPECT_EQ(s.policy.zsk_lifetime, 90u * 86400);
  EXPECT_EQ(s.policy.ksk_lifetime, 7u * 86400);
  // Relative to the configuration file's directory, not the working directory.
  EXPECT_EQ(s.key_dir, dir.file("conf/state/keys"));
}

TEST_F(DnssecConfigTest, DefaultsOfAnEnabledSection) {
  auto r = parse("dnssec: { enabled: true }\nzones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  ASSERT_TRUE(r.config) << all(r);
  const DnssecSettings& s = of(r, "example.net");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.policy.algorithm, Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(s.policy.keys, KeyScheme::kCsk);
  EXPECT_EQ(s.policy.denial, DenialMode::kNsec3);
  EXPECT_EQ(s.policy.nsec3.iterations, 0);  // RFC 9276
  EXPECT_TRUE(s.policy.nsec3.salt.empty());
  EXPECT_EQ(s.policy.signature_validity, 14u * 86400);
  EXPECT_EQ(s.policy.refresh_before, 4u * 86400);
  EXPECT_EQ(s.policy.zsk_lifetime, 0u);
  EXPECT_EQ(s.policy.ksk_lifetime, 0u);
  EXPECT_EQ(s.key_dir, dir.file("conf/state/keys"));
}

TEST_F(DnssecConfigTest, SecondsLevelDurationsAreAllowed) {
  auto r = parse(
      "dnssec: { enabled: true, signature_validity: 30s, refresh_before: 20 }\n"
      "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(of(r, "example.net").policy.signature_validity, 30u);
  EXPECT_EQ(of(r, "example.net").policy.refresh_before, 20u);
}

TEST_F(DnssecConfigTest, PerZoneAndPerMailDomainOverrides) {
  auto r = parse(
      "dnssec:\n"                                                        // 1
      "  enabled: true\n"                                                // 2
      "  algorithm: ecdsap256sha256\n"                                   // 3
      "zones:\n"                                                         // 4
      "  - origin: example.net\n"                                        // 5
      "    file: ../zones/example.net.zone\n"                            // 6
      "    dnssec: { denial: nsec, key_dir: /var/lib/mailns/keys }\n"    // 7
      "mail_domains:\n" +                                                // 8
      mail_domain("a.example", "    dnssec: { algorithm: ed25519 }\n") +  // 9-12
      mail_domain("b.example", "    dnssec: { enabled: false }\n") +      // 13-16
      mail_domain("c.example"));
  ASSERT_TRUE(r.config) << all(r);
  const DnssecSettings& net = of(r, "example.net");
  EXPECT_TRUE(net.enabled);
  EXPECT_EQ(net.policy.denial, DenialMode::kNsec);
  EXPECT_EQ(net.policy.algorithm, Algorithm::kEcdsaP256Sha256);  // inherited
  EXPECT_EQ(net.key_dir, "/var/lib/mailns/keys");
  EXPECT_EQ(net.where, path + ":7");
  const DnssecSettings& a = of(r, "a.example");
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.policy.algorithm, Algorithm::kEd25519);
  EXPECT_EQ(a.policy.denial, DenialMode::kNsec3);  // inherited default
  EXPECT_FALSE(of(r, "b.example").enabled);
  EXPECT_TRUE(of(r, "C.Example.").enabled);  // no override: the top-level section
  EXPECT_EQ(of(r, "c.example").policy.algorithm, Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(r.config->dnssec_overrides.size(), 3u);
}

TEST_F(DnssecConfigTest, OverrideBeforeTheTopLevelSectionInTheFileStillInherits) {
  auto r = parse("mail_domains:\n" + mail_domain("a.example", "    dnssec: { denial: nsec }\n") +
                 "dnssec: { enabled: true, algorithm: ed25519 }\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_TRUE(of(r, "a.example").enabled);
  EXPECT_EQ(of(r, "a.example").policy.algorithm, Algorithm::kEd25519);
  EXPECT_EQ(of(r, "a.example").policy.denial, DenialMode::kNsec);
}

TEST_F(DnssecConfigTest, UnknownKeysWithLineAndSuggestion) {
  auto r = parse(
      "dnssec:\n"
      "  enabled: true\n"
      "  algoritm: ed25519\n"
      "  salt: ab\n"
      "zones:\n"
      "  - origin: example.net\n"
      "    file: ../zones/example.net.zone\n"
      "    dnssec: { denail: nsec }\n"
      "mail_domains:\n" +
      mail_domain("a.example", "    dnssec: { lifetime: 90d }\n"));
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, 3, "unknown key 'dnssec.algoritm'; did you mean 'algorithm'?")) << all(r);
  EXPECT_TRUE(has_error(r, 4, "unknown key 'dnssec.salt'; remove it (known keys here: enabled, algorithm")) << all(r);
  EXPECT_TRUE(has_error(r, 8, "unknown key 'zones[0].dnssec.denail'; did you mean 'denial'?")) << all(r);
  EXPECT_TRUE(has_error(r, 13, "unknown key 'a.example.dnssec.lifetime'")) << all(r);
  EXPECT_EQ(r.errors.size(), 4u) << all(r);
}

TEST_F(DnssecConfigTest, BadValuesWithLines) {
  auto r = parse(
      "dnssec:\n"                        // 1
      "  enabled: maybe\n"               // 2
      "  algorithm: rsasha1\n"           // 3
      "  keys: zsk\n"                    // 4
      "  denial: nsec5\n"                // 5
      "  signature_validity: 14 days\n"  // 6
      "  refresh_before: 4x\n"           // 7
      "  key_dir: [a, b]\n"              // 8
      "  zsk_lifetime: 90\n"             // 9
      "  ksk_lifetime: -1d\n"            // 10
      "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, 2, "dnssec.enabled: expected true or false, got 'maybe'")) << all(r);
  EXPECT_TRUE(has_error(r, 3, "dnssec.algorithm: expected one of ecdsap256sha256, ed25519, rsasha256")) << all(r);
  EXPECT_TRUE(has_error(r, 4, "dnssec.keys: expected one of csk, ksk_zsk, got 'zsk'")) << all(r);
  EXPECT_TRUE(has_error(r, 5, "dnssec.denial: expected one of nsec3, nsec, compact, got 'nsec5'")) << all(r);
  EXPECT_TRUE(has_error(r, 6, "dnssec.signature_validity: expected a duration such as 14d")) << all(r);
  EXPECT_TRUE(has_error(r, 7, "dnssec.refresh_before: expected a duration such as 4d")) << all(r);
  EXPECT_TRUE(has_error(r, 8, "dnssec.key_dir: expected a text value such as state/keys, got a list")) << all(r);
  EXPECT_TRUE(has_error(r, 9, "dnssec.zsk_lifetime: 90 is 1m 30s; a key lifetime is 0 (roll only on request) or at "
                              "least 1d, e.g. 90d"))
      << all(r);
  EXPECT_TRUE(has_error(r, 10, "dnssec.ksk_lifetime: expected a duration such as 90d")) << all(r);
  EXPECT_EQ(r.errors.size(), 9u) << all(r);
}

TEST_F(DnssecConfigTest, CompactDenialIsAccepted) {
  auto r = parse("dnssec:\n  enabled: true\n  denial: compact\n"
                 "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->dnssec_for(*zone::DnsName::from_text("example.net")).policy.denial,
            dnssec::DenialMode::kCompact);
}

TEST_F(DnssecConfigTest, RefreshMustBeShorterThanValidity) {
  auto r = parse(
      "dnssec:\n"
      "  enabled: true\n"
      "  signature_validity: 3d\n"
      "zones:\n"
      "  - origin: example.net\n"
      "    file: ../zones/example.net.zone\n"
      "    dnssec: { refresh_before: 5d }\n");
  EXPECT_FALSE(r.config);
  // The top level: default refresh_before 4d against 3d, reported at signature_validity.
  EXPECT_TRUE(has_error(r, 3, "dnssec.refresh_before (4d) must be shorter than signature_validity (3d)")) << all(r);
  EXPECT_TRUE(has_error(r, 7, "zones[0].dnssec.refresh_before (5d) must be shorter than signature_validity (3d)"))
      << all(r);
}

TEST_F(DnssecConfigTest, ValidityOutOfRange) {
  auto r = parse("dnssec: { enabled: true, signature_validity: 5s, refresh_before: 1s }\n"
                 "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, 1, "dnssec.signature_validity: 5s is out of range; use 10s to 365d")) << all(r);
  r = parse("dnssec: { enabled: true, signature_validity: 400d }\n"
            "zones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, 1, "dnssec.signature_validity: 400d is out of range")) << all(r);
}

TEST_F(DnssecConfigTest, SectionMustBeAMapping) {
  auto r = parse("dnssec: true\nzones:\n  - { origin: example.net, file: ../zones/example.net.zone }\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, 1, "dnssec: expected a mapping such as")) << all(r);
}

TEST(DurationTest, ParsesUnitsAndSums) {
  EXPECT_EQ(parse_duration("3600"), 3600u);
  EXPECT_EQ(parse_duration("0"), 0u);
  EXPECT_EQ(parse_duration("45s"), 45u);
  EXPECT_EQ(parse_duration("30m"), 1800u);
  EXPECT_EQ(parse_duration("12h"), 43200u);
  EXPECT_EQ(parse_duration("14d"), 14u * 86400);
  EXPECT_EQ(parse_duration("2w"), 14u * 86400);
  EXPECT_EQ(parse_duration("1d12h"), 86400u + 43200);
  EXPECT_EQ(parse_duration("4294967295"), 4294967295u);
  for (const char* bad : {"", "d", "14 d", "14D", "1.5d", "-1", "1d3", "4294967296", "50000d", "1y", "+3"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(DurationTest, FormatsTheTwoLargestUnits) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(45), "45s");
  EXPECT_EQ(format_duration(90), "1m 30s");
  EXPECT_EQ(format_duration(3 * 86400 + 4 * 3600 + 5), "3d 4h");
  EXPECT_EQ(format_duration(3 * 86400 + 5 * 60), "3d");
  EXPECT_EQ(format_duration(120 * 86400), "120d");
  EXPECT_EQ(format_duration(-60), "-1m");
}

}  // namespace
}  // namespace mailns::server
