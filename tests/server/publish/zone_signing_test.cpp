// Signing at load (server/zone_loader + zone_signing) and re-signing
// (server/resigner): keys made once and reused, a zone with broken keys left
// out while the others serve, read-only commands that never write keys, and
// the re-signer publishing a new serial with fresh signatures.
#include <gtest/gtest.h>

#include <map>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dnssec/rrsig.hpp"
#include "server/publish/resigner.hpp"
#include "server/publish/zone_loader.hpp"
#include "zone/soa_serial.hpp"
#include "test_dir.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;
namespace rrtype = zone::rrtype;
using zone::first_serial_of_day;

constexpr int64_t kNow = 1795000000;  // 2026-11-18T11:06:40Z
constexpr const char* kNetZone =
    "$ORIGIN example.net.\n"
    "@ 3600 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1\n"
    "ns1 3600 IN A 192.0.2.53\n"
    "www 300 IN A 192.0.2.80\n";
constexpr const char* kComZone =
    "$ORIGIN example.com.\n"
    "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1\n"
    "ns1 3600 IN A 192.0.2.54\n";

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string all(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

class ZoneSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("example.net.zone", kNetZone);
    dir.write("example.com.zone", kComZone);
  }
  // Two master-file zones and a mail domain, all signed with `dnssec`.
  // spread: the signatures' expirations spread as in production; off, they
  // all expire at now + signature_validity (exact times to check).
  Config config(const std::string& dnssec = "{ enabled: true, key_dir: keys }", bool spread = false) {
    const std::string path = dir.write(
        "mailns.yaml",
        "dnssec: " + dnssec +
            "\n"
            "zones:\n"
            "  - { origin: example.net, file: example.net.zone }\n"
            "  - { origin: example.com, file: example.com.zone }\n"
            "mail_domains:\n"
            "  - domain: mail.example\n"
            "    nameservers: [{ name: ns1.example.net }]\n"
            "    mail_hosts: [{ name: mx.mail.example, ipv4: 192.0.2.25 }]\n"
            "    mta_sts: { mode: testing }\n");
    ConfigResult r = load_config(path);
    EXPECT_TRUE(r.config) << all(r.errors);
    if (r.config) r.config->dnssec.policy.spread_expirations = spread;
    return r.config ? std::move(*r.config) : Config{};
  }
  LoadOptions at(int64_t now, std::optional<KeyAccess> keys = KeyAccess::kCreate) {
    LoadOptions o;
    o.now = now;
    o.keys = keys;
    return o;
  }
  static const LoadedZone* find(const ZoneSetResult& r, const std::string& origin) {
    for (const auto& z : r.zones)
      if (z.zone->origin() == *zone::DnsName::from_text(origin)) return &z;
    return nullptr;
  }
  static std::vector<uint8_t> dnskey(const LoadedZone& z) {
    const zone::RRset* s = z.zone->apex().find(rrtype::DNSKEY);
    return s && !s->rdatas.empty() ? zone::rdata_copy(s->rdatas.front()) : std::vector<uint8_t>{};
  }
  static dnssec::RrsigFields soa_rrsig(const zone::Zone& z) {
    dnssec::RrsigFields f;
    EXPECT_FALSE(z.soa().sigs.empty());
    if (!z.soa().sigs.empty()) {
      EXPECT_TRUE(dnssec::parse_rrsig(z.soa().sigs.front(), f));
    }
    return f;
  }

  TestDir dir;
};

TEST_F(ZoneSigningTest, SignsEveryKindOfZoneAndCreatesKeysOnce) {
  const Config c = config();
  ZoneSetResult r = load_zones(c, at(kNow));
  ASSERT_TRUE(r.snapshot) << all(r.errors);
  EXPECT_TRUE(r.domain_errors.empty()) << all(r.domain_errors);
  ASSERT_EQ(r.zones.size(), 3u);
  for (const LoadedZone& z : r.zones) {
    SCOPED_TRACE(z.zone->origin().to_text());
    ASSERT_TRUE(z.signing);
    EXPECT_FALSE(dnskey(z).empty());
    EXPECT_NE(z.zone->apex().find(rrtype::NSEC3PARAM), nullptr);  // default denial: NSEC3
    EXPECT_EQ(soa_rrsig(*z.zone).inception, static_cast<uint32_t>(kNow - 3600));
    EXPECT_EQ(soa_rrsig(*z.zone).expiration, static_cast<uint32_t>(kNow + 14 * 86400));
    EXPECT_EQ(z.signing->next_resign, kNow + 10 * 86400);  // expiration - refresh_before
    EXPECT_GT(z.signing->signatures, 0u);
    // The unsigned records are kept for re-signing.
    for (const auto& rec : z.signing->records.unpack()) EXPECT_NE(rec.type, rrtype::RRSIG);
  }
  EXPECT_EQ(find(r, "example.net")->zone->soa_serial(), 7u);  // a master file keeps its serial
  EXPECT_EQ(r.signing.zones, 3u);
  EXPECT_EQ(r.signing.failed, 0u);
  EXPECT_EQ(r.events.size(), 3u) << all(r.events);  // "created DNSSEC keys" once per zone

  // Private keys 0600, directories 0700.
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("keys/example.net").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& e : std::filesystem::directory_iterator(dir.file("keys/example.net"))) {
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
  }

  // A restart signs with the same keys.
  ZoneSetResult again = load_zones(c, at(kNow + 60));
  ASSERT_TRUE(again.snapshot);
  EXPECT_TRUE(again.events.empty()) << all(again.events);
  for (const char* o : {"example.net", "example.com", "mail.example"})
    EXPECT_EQ(dnskey(*find(again, o)), dnskey(*find(r, o))) << o;
}

TEST_F(ZoneSigningTest, CorruptKeyLeavesOnlyThatZoneOutAndTheFileUntouched) {
  const Config c = config();
  ASSERT_TRUE(load_zones(c, at(kNow)).snapshot);
  std::string pem;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("keys/example.com")))
    if (e.path().extension() == ".pem") pem = e.path().string();
  ASSERT_FALSE(pem.empty());
  dir.write(std::filesystem::relative(pem, dir.path()).string(), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  const std::string before = read(pem);

  ZoneSetResult r = load_zones(c, at(kNow + 60));
  ASSERT_TRUE(r.snapshot) << all(r.errors);
  EXPECT_EQ(r.zones.size(), 2u);
  EXPECT_EQ(find(r, "example.com"), nullptr);
  EXPECT_NE(find(r, "example.net"), nullptr);
  EXPECT_NE(find(r, "mail.example"), nullptr);
  ASSERT_EQ(r.domain_errors.size(), 1u) << all(r.domain_errors);
  EXPECT_EQ(r.domain_errors[0].rfind(c.path + ":4: error: example.com: " + pem + ": ", 0), 0u) << r.domain_errors[0];
  EXPECT_EQ(r.signing.failed, 1u);
  EXPECT_EQ(read(pem), before);  // never overwritten
}

TEST_F(ZoneSigningTest, CorruptKeyOfAMailDomainNamesTheFile) {
  const Config c = config();
  ASSERT_TRUE(load_zones(c, at(kNow)).snapshot);
  const std::string state = dir.file("keys/mail.example/keys.state");
  dir.write("keys/mail.example/keys.state", "mailns-keys 1\nzone mail.example.\nkey tag=oops\n");
  ZoneSetResult r = load_zones(c, at(kNow));
  ASSERT_TRUE(r.snapshot);
  EXPECT_EQ(find(r, "mail.example"), nullptr);
  ASSERT_EQ(r.domain_errors.size(), 1u) << all(r.domain_errors);
  EXPECT_NE(r.domain_errors[0].find("error: mail.example: " + state), std::string::npos) << r.domain_errors[0];
}

TEST_F(ZoneSigningTest, ReadOnlyNeverCreatesKeys) {
  const Config c = config();
  ZoneSetResult r = load_zones(c, at(kNow, KeyAccess::kReadOnly));
  EXPECT_TRUE(r.zones.empty());
  EXPECT_EQ(r.domain_errors.size(), 3u) << all(r.domain_errors);
  EXPECT_NE(r.domain_errors[0].find("no DNSSEC keys yet"), std::string::npos) << r.domain_errors[0];
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys")));

  LoadOptions check = at(kNow, KeyAccess::kReadOnly);
  check.unsigned_without_keys = true;  // check-config
  r = load_zones(c, check);
  EXPECT_EQ(r.zones.size(), 3u);
  EXPECT_TRUE(r.domain_errors.empty());
  for (const auto& z : r.zones) EXPECT_FALSE(z.signing);
  EXPECT_EQ(r.warnings.size(), 3u) << all(r.warnings);
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys")));

  // With keys in place, read-only signs with them.
  ASSERT_TRUE(load_zones(c, at(kNow)).snapshot);
  r = load_zones(c, at(kNow, KeyAccess::kReadOnly));
  EXPECT_EQ(r.zones.size(), 3u);
  for (const auto& z : r.zones) EXPECT_TRUE(z.signing);
}

TEST_F(ZoneSigningTest, UnsignedLoadIgnoresDnssec) {
  ZoneSetResult r = load_zones(config(), at(kNow, std::nullopt));
  ASSERT_TRUE(r.snapshot);
  for (const auto& z : r.zones) {
    EXPECT_FALSE(z.signing);
    EXPECT_EQ(z.zone->apex().find(rrtype::DNSKEY), nullptr);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys")));
}

TEST_F(ZoneSigningTest, SignOnlyOneZone) {
  LoadOptions o = at(kNow);
  o.sign_only = *zone::DnsName::from_text("example.com");
  o.keep_signed_records = true;
  ZoneSetResult r = load_zones(config(), o);
  ASSERT_TRUE(r.snapshot);
  EXPECT_TRUE(find(r, "example.com")->signing);
  EXPECT_FALSE(find(r, "example.com")->signing->signed_records.empty());
  EXPECT_FALSE(find(r, "example.net")->signing);
  EXPECT_FALSE(find(r, "mail.example")->signing);
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys/example.net")));
}

TEST_F(ZoneSigningTest, ResignerPublishesANewSerialWithFreshSignatures) {
  const Config c =
      config("{ enabled: true, key_dir: keys, denial: nsec, signature_validity: 100s, refresh_before: 40s }");
  ZoneSetResult r = load_zones(c, at(kNow));
  ASSERT_TRUE(r.snapshot);
  SnapshotHolder holder(r.snapshot);
  const uint32_t mail_serial = find(r, "mail.example")->zone->soa_serial();
  EXPECT_EQ(mail_serial, first_serial_of_day(kNow));
  Resigner resigner(std::move(r.zones), holder, answer_options(c.server), 1);
  EXPECT_EQ(resigner.next_due(), kNow + 60);

  EXPECT_EQ(resigner.resign_due(kNow + 59), 0u);
  EXPECT_EQ(holder.owner(), r.snapshot);

  EXPECT_EQ(resigner.resign_due(kNow + 60), 3u);
  const zone::Snapshot* now = holder.current();
  ASSERT_NE(now, r.snapshot.get());
  ASSERT_EQ(now->zones().size(), 3u);
  const zone::Zone* net = now->find_zone(*zone::DnsName::from_text("example.net"));
  const zone::Zone* mail = now->find_zone(*zone::DnsName::from_text("mail.example"));
  ASSERT_TRUE(net && mail);
  // example.net had serial 7: today's first serial is greater (RFC 1982).
  EXPECT_EQ(net->soa_serial(), first_serial_of_day(kNow + 60));
  EXPECT_EQ(mail->soa_serial(), mail_serial + 1);
  EXPECT_EQ(soa_rrsig(*net).inception, static_cast<uint32_t>(kNow + 60 - 3600));
  EXPECT_EQ(soa_rrsig(*net).expiration, static_cast<uint32_t>(kNow + 160));
  EXPECT_NE(net->apex().find(rrtype::NSEC), nullptr);
  EXPECT_EQ(resigner.next_due(), kNow + 120);

  EXPECT_EQ(resigner.resign_due(kNow + 120), 3u);
  EXPECT_EQ(holder.current()->find_zone(*zone::DnsName::from_text("mail.example"))->soa_serial(), mail_serial + 2);
}

TEST_F(ZoneSigningTest, ResignerKeepsServingWhenKeysBreakAndRetries) {
  const Config c = config("{ enabled: true, key_dir: keys, signature_validity: 100s, refresh_before: 40s }");
  ZoneSetResult r = load_zones(c, at(kNow));
  ASSERT_TRUE(r.snapshot);
  SnapshotHolder holder(r.snapshot);
  const zone::Zone* net_before = r.snapshot->find_zone(*zone::DnsName::from_text("example.net"));
  Resigner resigner(std::move(r.zones), holder, answer_options(c.server), 1);
  std::filesystem::remove_all(dir.file("keys/example.net"));
  EXPECT_EQ(resigner.resign_due(kNow + 60), 2u);  // the other two
  const zone::Zone* net = holder.current()->find_zone(*zone::DnsName::from_text("example.net"));
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->soa_serial(), 7u);  // still the old version
  EXPECT_EQ(net, net_before);  // the very same object: the new snapshot derives from the served one
  EXPECT_EQ(holder.current()->zones().size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys/example.net")));  // no new keys behind the operator's back
  EXPECT_EQ(resigner.next_due(), kNow + 120);  // retry a minute later (the others are due then too)
}

// Issue 16: loading again with nothing changed keeps the served version and
// its serial (a master-file zone keeps the very object); a changed zone gets
// the next serial, and its unchanged RRsets keep their signatures. A
// previous version that is not the last served one (a crash between
// publishing and archiving) never gives its serial back.
TEST_F(ZoneSigningTest, NothingChangedKeepsTheServedVersionAndSerial) {
  const Config c = config("{ enabled: true, key_dir: keys }", /*spread=*/true);
  auto serial_for = [](const zone::DnsName&, uint32_t) { return 2026112905u; };
  LoadOptions first = at(kNow);
  first.serial_for = serial_for;
  ZoneSetResult r1 = load_zones(c, first);
  ASSERT_TRUE(r1.snapshot) << all(r1.errors);
  std::map<std::string, std::shared_ptr<const zone::Zone>> served;
  for (const auto& z : r1.zones) served[z.zone->origin().to_text()] = z.zone;

  LoadOptions again = at(kNow + 3600);
  again.serial_for = [](const zone::DnsName&, uint32_t) { return 2026112906u; };
  again.previous_for = [&](const zone::DnsName& o) { return served[o.to_text()]; };
  ZoneSetResult r2 = load_zones(c, again);
  ASSERT_TRUE(r2.snapshot) << all(r2.errors);
  for (const auto& z : r2.zones) {
    SCOPED_TRACE(z.zone->origin().to_text());
    EXPECT_EQ(z.zone->soa_serial(), 2026112905u);
    EXPECT_FALSE(z.replaces);
  }
  EXPECT_EQ(find(r2, "example.net")->zone, served["example.net."]);
  EXPECT_EQ(r2.signing.unchanged, 3u);
  EXPECT_EQ(r2.signing.signatures, 0u);

  // example.com changes: a new serial for it only, the others stay.
  dir.write("example.com.zone", std::string(kComZone) + "extra 300 IN A 192.0.2.99\n");
  ZoneSetResult r3 = load_zones(c, again);
  ASSERT_TRUE(r3.snapshot) << all(r3.errors);
  EXPECT_EQ(find(r3, "example.com")->zone->soa_serial(), 2026112906u);
  EXPECT_EQ(find(r3, "example.com")->replaces, served["example.com."]);
  EXPECT_EQ(find(r3, "example.net")->zone->soa_serial(), 2026112905u);
  EXPECT_EQ(find(r3, "mail.example")->zone->soa_serial(), 2026112905u);
  EXPECT_GT(r3.signing.reused, 0u);
  EXPECT_LT(r3.signing.signatures, 10u);  // the new name's A, its NSEC3 and its neighbour's, the SOA

  // The serial store says a later version was served than the one given as
  // previous: nothing may go back to the previous one's serial.
  dir.write("example.com.zone", kComZone);
  LoadOptions crashed = again;
  crashed.last_served_serial = [](const zone::DnsName&) { return std::optional<uint32_t>(2026112905u + 1); };
  ZoneSetResult r4 = load_zones(c, crashed);
  ASSERT_TRUE(r4.snapshot) << all(r4.errors);
  for (const auto& z : r4.zones) EXPECT_EQ(z.zone->soa_serial(), 2026112906u) << z.zone->origin().to_text();
  EXPECT_EQ(r4.signing.unchanged, 0u);
}

}  // namespace
}  // namespace mailns::server
