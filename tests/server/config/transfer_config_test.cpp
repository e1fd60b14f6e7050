// The transfer sections of the configuration: tsig_keys, secondaries,
// allow_transfer, ixfr_history, catalog; and the ACL they build.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "server/config/config.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

using testing::kZone;

constexpr const char* kZones = "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";

std::string all(const ConfigResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e + "\n";
  return s;
}

class TransferConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("zones/example.org.zone", kZone);
    // 32 octets, as `openssl rand -base64 32` writes them.
    dir.write("state/xfr-key.b64", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\n");
    dir.write("short.b64", "c2hvcnQ=\n");
    dir.write("garbage.b64", "not base64 at all!\n");
  }
  ConfigResult parse(const std::string& yaml) {
    path = dir.write("mailns.yaml", std::string(kZones) + yaml);
    return load_config(path);
  }
  // Lines count from the first line after kZones.
  std::string at(int line) const { return path + ":" + std::to_string(line + 2) + ": "; }
  bool has(const ConfigResult& r, int line, const std::string& fragment) const {
    for (const auto& e : r.errors)
      if (e.rfind(at(line), 0) == 0 && e.find(fragment) != std::string::npos) return true;
    return false;
  }

  TestDir dir;
  std::string path;
};

zone::DnsName N(const char* s) { return *zone::DnsName::from_text(s); }
IpAddress ip(const char* s) { return *IpAddress::parse(s); }

TEST_F(TransferConfigTest, DefaultsWithoutTheSections) {
  auto r = parse("");
  ASSERT_TRUE(r.config) << all(r);
  const TransferSettings& t = r.config->transfer;
  EXPECT_TRUE(t.tsig_keys.empty());
  EXPECT_TRUE(t.secondaries.empty());
  EXPECT_TRUE(t.acl.entries.empty());
  EXPECT_EQ(t.ixfr_history, 20u);
  EXPECT_EQ(t.tsig_max_fudge, 300u);
  EXPECT_FALSE(t.catalog);
  // Default deny.
  EXPECT_EQ(t.acl.match(ip("127.0.0.1"), nullptr), nullptr);
}

// A reload may keep the configuration in use only while every file it was
// read from (the config file, then each secret file) keeps its stamp.
TEST_F(TransferConfigTest, TheFilesReadAreStampedForReloads) {
  auto r = parse("tsig_keys:\n  - { name: xfr-key, algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }\n");
  ASSERT_TRUE(r.config) << all(r);
  std::vector<InputFile>& in = r.config->inputs;
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].path, path);
  EXPECT_EQ(in[1].path, (dir.path() / "state/xfr-key.b64").string());
  // Just written: a change within the timestamps' granularity could go
  // unseen, so these stamps are not trusted.
  EXPECT_FALSE(in[0].settled);
  EXPECT_FALSE(inputs_unchanged(in));
  for (InputFile& f : in) f.settled = true;  // as if read long after their last change
  EXPECT_TRUE(inputs_unchanged(in));
  // The same content, written anew and renamed over it (another inode).
  std::filesystem::rename(dir.write("state/new.b64", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\n"), in[1].path);
  EXPECT_FALSE(inputs_unchanged(in));
  in.pop_back();
  EXPECT_TRUE(inputs_unchanged(in));
  ::unlink(path.c_str());
  EXPECT_FALSE(inputs_unchanged(in));
  EXPECT_FALSE(inputs_unchanged({}));  // parsed from text: nothing to compare
  auto text_only = parse_config(std::string(kZones), path);
  ASSERT_TRUE(text_only.config) << all(text_only);
  EXPECT_TRUE(text_only.config->inputs.empty());
}

TEST_F(TransferConfigTest, FullExampleParses) {
  auto r = parse(
      "tsig_keys:\n"
      "  - { name: xfr-key, algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }\n"
      "  - { name: other.key, algorithm: hmac-sha512, secret_file: state/xfr-key.b64 }\n"
      "secondaries:\n"
      "  - { address: 127.0.0.1:53053, tsig: xfr-key }\n"
      "  - { address: \"[::1]:53054\" }\n"
      "  - { address: 192.0.2.7 }\n"
      "allow_transfer:\n"
      "  - 10.0.0.0/8\n"
      "  - other.key\n"
      "  - { address: 2001:db8::/32, key: xfr-key }\n"
      "ixfr_history: 5\n"
      "catalog: { zone: catalog.mailns.invalid }\n");
  ASSERT_TRUE(r.config) << all(r);
  const TransferSettings& t = r.config->transfer;
  ASSERT_EQ(t.tsig_keys.size(), 2u);
  EXPECT_EQ(t.tsig_keys[0].name, N("xfr-key"));
  EXPECT_EQ(t.tsig_keys[0].algorithm, TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(t.tsig_keys[0].secret.size(), 32u);
  EXPECT_EQ(std::string(t.tsig_keys[0].secret.begin(), t.tsig_keys[0].secret.end()),
            "secret-secret-secret-secret-secr");
  EXPECT_EQ(t.tsig_keys[1].algorithm, TsigAlgorithm::kHmacSha512);
  ASSERT_EQ(t.secondaries.size(), 3u);
  EXPECT_EQ(t.secondaries[0].address.to_string(), "127.0.0.1:53053");
  EXPECT_EQ(*t.secondaries[0].tsig, N("xfr-key"));
  EXPECT_EQ(t.secondaries[1].address.to_string(), "[::1]:53054");
  EXPECT_FALSE(t.secondaries[1].tsig);
  EXPECT_EQ(t.secondaries[2].address.to_string(), "192.0.2.7:53");
  EXPECT_EQ(t.ixfr_history, 5u);
  ASSERT_TRUE(t.catalog);
  EXPECT_EQ(t.catalog->zone, N("catalog.mailns.invalid"));

  const zone::DnsName xfr = N("xfr-key"), other = N("other.key");
  const auto& acl = t.acl;
  ASSERT_EQ(acl.entries.size(), 6u);  // three listed, three secondaries
  EXPECT_NE(acl.match(ip("10.1.2.3"), nullptr), nullptr);
  EXPECT_EQ(acl.match(ip("11.1.2.3"), nullptr), nullptr);
  EXPECT_NE(acl.match(ip("198.51.100.1"), &other), nullptr);  // key only: any address
  EXPECT_EQ(acl.match(ip("198.51.100.1"), &xfr), nullptr);
  EXPECT_NE(acl.match(ip("2001:db8::5"), &xfr), nullptr);
  EXPECT_EQ(acl.match(ip("2001:db8::5"), nullptr), nullptr);  // address and key must both match
  // Secondaries: with their key, or just their address when they have none.
  EXPECT_NE(acl.match(ip("127.0.0.1"), &xfr), nullptr);
  EXPECT_EQ(acl.match(ip("127.0.0.1"), nullptr), nullptr);
  EXPECT_NE(acl.match(ip("::1"), nullptr), nullptr);
  EXPECT_NE(acl.match(ip("192.0.2.7"), nullptr), nullptr);
  EXPECT_EQ(acl.match(ip("192.0.2.8"), nullptr), nullptr);
}

TEST_F(TransferConfigTest, KeyErrorsNameTheLine) {
  auto r = parse(
      "tsig_keys:\n"
      "  - { name: a, algorithm: hmac-md5, secret_file: state/xfr-key.b64 }\n"
      "  - { name: b, algorithm: hmac-sha256, secret_file: missing.b64 }\n"
      "  - { name: c, algorithm: hmac-sha256, secret_file: short.b64 }\n"
      "  - { name: d, algorithm: hmac-sha256, secret_file: garbage.b64 }\n"
      "  - { name: a, algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }\n"
      "  - { name: e, algorithm: hmac-sha256, secret: abc }\n"
      "  - { algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 2, "tsig_keys[0].algorithm: expected one of hmac-sha256, hmac-sha512")) << all(r);
  EXPECT_TRUE(has(r, 3, "tsig_keys[1].secret_file: cannot read 'missing.b64'")) << all(r);
  EXPECT_TRUE(has(r, 3, "openssl rand -base64 32")) << all(r);
  EXPECT_TRUE(has(r, 4, "is 5 octets; use at least 32")) << all(r);
  EXPECT_TRUE(has(r, 5, "does not hold a base64 secret")) << all(r);
  EXPECT_TRUE(has(r, 6, "key 'a' is already defined at line 4")) << all(r);
  EXPECT_TRUE(has(r, 7, "unknown key 'tsig_keys[5].secret'")) << all(r);
  EXPECT_TRUE(has(r, 8, "tsig_keys[6]: missing 'name'")) << all(r);
}

TEST_F(TransferConfigTest, SecondaryErrors) {
  auto r = parse(
      "tsig_keys:\n"
      "  - { name: xfr-key, algorithm: hmac-sha256, secret_file: state/xfr-key.b64 }\n"
      "secondaries:\n"
      "  - { address: ns2.example.net:53 }\n"
      "  - { address: 127.0.0.1:53053, tsig: nokey }\n"
      "  - { address: 127.0.0.1:53053, tsig: xfr-key }\n"
      "  - { address: 127.0.0.1:53053, tsig: xfr-key }\n"
      "  - { tsig: xfr-key }\n"
      "  - { address: 127.0.0.1:1, port: 5 }\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 4, "secondaries[0].address: 'ns2.example.net:53': 'ns2.example.net' is not an IP address")) << all(r);
  EXPECT_TRUE(has(r, 5, "secondaries[1].tsig: no key 'nokey' in tsig_keys; known keys: xfr-key")) << all(r);
  EXPECT_TRUE(has(r, 7, "127.0.0.1:53053 is already a secondary (line 8)")) << all(r);
  EXPECT_TRUE(has(r, 8, "secondaries[4]: missing 'address'")) << all(r);
  EXPECT_TRUE(has(r, 9, "unknown key 'secondaries[5].port'")) << all(r);
}

TEST_F(TransferConfigTest, AclErrors) {
  auto r = parse(
      "allow_transfer:\n"
      "  - 192.0.2.1/24\n"
      "  - 10.0.0.0/40\n"
      "  - nokey\n"
      "  - { address: 10.0.0.0/8, key: nokey }\n"
      "  - { }\n"
      "  - [1, 2]\n"
      "  - { addr: 10.0.0.1 }\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 2, "host bits set below the /24; write 192.0.2.0/24")) << all(r);
  EXPECT_TRUE(has(r, 3, "prefix length '40' is not a number from 0 to 32")) << all(r);
  EXPECT_TRUE(has(r, 4, "'nokey' is neither an address or prefix nor a key in tsig_keys")) << all(r);
  EXPECT_TRUE(has(r, 5, "allow_transfer[3].key: no key 'nokey' in tsig_keys; add it")) << all(r);
  EXPECT_TRUE(has(r, 6, "allow_transfer[4]: give address:, key: or both")) << all(r);
  EXPECT_TRUE(has(r, 7, "allow_transfer[5]: expected an address")) << all(r);
  EXPECT_TRUE(has(r, 8, "unknown key 'allow_transfer[6].addr'; remove it (known keys here: address, key)")) << all(r);
}

TEST_F(TransferConfigTest, IxfrHistoryAndCatalogErrors) {
  auto r = parse(
      "ixfr_history: -1\n"
      "catalog: { zone: example.org }\n"
      "secondaries: 3\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 1, "ixfr_history: -1 is out of range")) << all(r);
  EXPECT_TRUE(has(r, 2, "catalog.zone: example.org. is a zone served here")) << all(r);
  EXPECT_TRUE(has(r, 3, "secondaries: expected a list")) << all(r);

  r = parse("catalog: { name: cat.invalid }\nallow_tranfser: []\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 1, "unknown key 'catalog.name'")) << all(r);
  EXPECT_TRUE(has(r, 1, "catalog: missing 'zone'")) << all(r);
  EXPECT_TRUE(has(r, 2, "unknown key 'allow_tranfser'; did you mean 'allow_transfer'?")) << all(r);
  r = parse("ixfr_history: 0\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->transfer.ixfr_history, 0u);
}

TEST_F(TransferConfigTest, TsigMaxFudge) {
  auto r = parse("tsig_max_fudge: 60\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->transfer.tsig_max_fudge, 60u);
  r = parse("tsig_max_fudge: 0\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 1, "tsig_max_fudge: 0 is out of range")) << all(r);
  r = parse("tsig_max_fudge: 65535\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 1, "tsig_max_fudge")) << all(r);
  r = parse("tsig_max_fudge: [300]\n");
  ASSERT_FALSE(r.config);
  EXPECT_TRUE(has(r, 1, "tsig_max_fudge: expected a whole number of seconds from 1 to 3600")) << all(r);
}

TEST(AddressPrefix, Contains) {
  auto p = *AddressPrefix::parse("192.0.2.128/25", nullptr);
  EXPECT_TRUE(p.contains(ip("192.0.2.200")));
  EXPECT_FALSE(p.contains(ip("192.0.2.127")));
  EXPECT_FALSE(p.contains(ip("::ffff:192.0.2.200")));  // a v6 peer never matches a v4 prefix
  auto all4 = *AddressPrefix::parse("0.0.0.0/0", nullptr);
  EXPECT_TRUE(all4.contains(ip("203.0.113.9")));
  auto v6 = *AddressPrefix::parse("2001:db8:8000::/33", nullptr);
  EXPECT_TRUE(v6.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6.contains(ip("2001:db8:7fff::1")));
  EXPECT_EQ(v6.to_string(), "2001:db8:8000::/33");
  EXPECT_EQ(AddressPrefix::parse("::1", nullptr)->to_string(), "::1");
}

TEST(Base64Secret, DecodesWithLineBreaksAndPadding) {
  EXPECT_EQ(*decode_base64_secret("YWJj\n"), (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_EQ(*decode_base64_secret("YWI=\r\n"), (std::vector<uint8_t>{'a', 'b'}));
  EXPECT_EQ(*decode_base64_secret("YQ=="), (std::vector<uint8_t>{'a'}));
  EXPECT_EQ(*decode_base64_secret("YWJj\nZGVm"), (std::vector<uint8_t>{'a', 'b', 'c', 'd', 'e', 'f'}));
  EXPECT_FALSE(decode_base64_secret("YWJ"));
  EXPECT_FALSE(decode_base64_secret("Y!Jj"));
  EXPECT_FALSE(decode_base64_secret(""));
}

}  // namespace
}  // namespace mailns::server
