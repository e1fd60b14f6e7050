// Key store: first start creates keys and directories with the right modes,
// later starts reuse them, and anything damaged is an error that leaves the
// files as they were.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dnssec/atomic_file.hpp"
#include "dnssec/key_store.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::mode_of;
using test::name;
using test::slurp;
namespace fs = std::filesystem;


std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(KeyStore, ZoneDirectoryNamesCannotEscape) {
  EXPECT_EQ(zone_directory_name(name("Example.ORG.")), "example.org");
  EXPECT_EQ(zone_directory_name(name(".")), "@root");
  EXPECT_EQ(zone_directory_name(name("a\\/b.\\.\\..example.")), "a%2fb.%2e%2e.example");
  EXPECT_EQ(zone_directory_name(name("_x-1.example.")), "_x-1.example");
}

TEST(KeyStore, FirstStartCreatesKeysLaterStartsReuseThem) {
  test::TempDir tmp;
  const std::string key_dir = tmp.path() + "/var/keys";  // missing parents too
  SigningPolicy policy;
  auto first = load_or_create(key_dir, name("example.org."), policy, 1000);
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_EQ(first->keys.size(), 1u);
  const KeyEntry& k = first->keys[0];
  EXPECT_EQ(k.role, KeyRole::kCsk);
  EXPECT_EQ(k.state, KeyState::kActive);
  EXPECT_EQ(k.algorithm, Algorithm::kEcdsaP256Sha256);
  EXPECT_EQ(k.key->flags(), 257);
  EXPECT_EQ(k.active, 1000);

  const std::string zdir = key_dir + "/example.org";
  EXPECT_EQ(mode_of(key_dir), 0700u);
  EXPECT_EQ(mode_of(zdir), 0700u);
  EXPECT_EQ(files_in(zdir), (std::vector<std::string>{k.file, "keys.state"})) << "no temporary files left";
  EXPECT_EQ(mode_of(zdir + "/" + k.file), 0600u);
  EXPECT_EQ(mode_of(zdir + "/keys.state"), 0600u);
  const std::string pem_before = slurp(zdir + "/" + k.file);

  auto again = load_or_create(key_dir, name("example.org."), policy, 5000);
  ASSERT_TRUE(again.ok()) << again.error();
  ASSERT_EQ(again->keys.size(), 1u);
  EXPECT_EQ(again->keys[0].tag, k.tag);
  EXPECT_EQ(again->keys[0].key->dnskey_rdata(), k.key->dnskey_rdata());
  EXPECT_EQ(again->keys[0].active, 1000);
  EXPECT_EQ(slurp(zdir + "/" + k.file), pem_before);
  EXPECT_TRUE(again->warnings.empty());

  // A different policy later: existing keys stay, with a warning.
  SigningPolicy other;
  other.algorithm = Algorithm::kEd25519;
  other.keys = KeyScheme::kKskZsk;
  auto changed = load_or_create(key_dir, name("example.org."), other, 6000);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->keys[0].tag, k.tag);
  EXPECT_EQ(changed->warnings.size(), 2u);
}

TEST(KeyStore, KskZskSchemeAndSignedZoneVerifies) {
  test::TempDir tmp;
  SigningPolicy policy;
  policy.keys = KeyScheme::kKskZsk;
  policy.algorithm = Algorithm::kEd25519;
  auto z = load_or_create(tmp.path(), name("example.org."), policy, 1000);
  ASSERT_TRUE(z.ok()) << z.error();
  ASSERT_EQ(z->keys.size(), 2u);
  EXPECT_EQ(z->keys[0].role, KeyRole::kKsk);
  EXPECT_EQ(z->keys[1].role, KeyRole::kZsk);
  EXPECT_EQ(z->keys[1].key->flags(), 256);
  const auto set = key_set(*z);
  ASSERT_EQ(set.size(), 2u);
  EXPECT_TRUE(set[0].sign_keyset && !set[0].sign_zone && set[0].publish_cds);
  EXPECT_TRUE(!set[1].sign_keyset && set[1].sign_zone && !set[1].publish_cds);

  auto reloaded = load_keys(tmp.path(), name("example.org."));
  ASSERT_TRUE(reloaded.ok()) << reloaded.error();
  const auto recs = test::records_from_text("example.org.",
                                            "example.org. 3600 IN SOA ns1.example.org. h.example.org. 1 2 3 4 300\n"
                                            "example.org. 3600 IN NS ns1.example.org.\n"
                                            "ns1.example.org. 3600 IN A 192.0.2.1\n");
  auto signed_zone =
      sign_zone(name("example.org."), recs, key_set(*reloaded), policy, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(signed_zone.ok()) << signed_zone.error();
  EXPECT_EQ(test::ldns_verify(signed_zone->records, "store").status, 0);
}

TEST(KeyStore, CorruptKeyFileIsAnErrorAndIsNeverOverwritten) {
  test::TempDir tmp;
  auto z = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 1000);
  ASSERT_TRUE(z.ok());
  const std::string pem = z->dir + "/" + z->keys[0].file;
  const std::string state = z->dir + "/keys.state";
  {
    std::ofstream(pem, std::ios::trunc) << "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n";
  }
  const std::string state_before = slurp(state);
  auto r = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 2000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find(z->keys[0].file), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("example.org."), std::string::npos) << r.error();
  EXPECT_EQ(slurp(pem), "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ(slurp(state), state_before);
  EXPECT_EQ(files_in(z->dir).size(), 2u);

  // Unreadable (here: missing) key file: error too, nothing generated.
  fs::remove(pem);
  auto missing = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 3000);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(files_in(z->dir), (std::vector<std::string>{"keys.state"}));
}

TEST(KeyStore, KeyFileOfAnotherKeyIsAnError) {
  test::TempDir tmp;
  auto z = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 1000);
  ASSERT_TRUE(z.ok());
  auto other = SigningKey::generate(Algorithm::kEcdsaP256Sha256, 257);
  ASSERT_TRUE(other.ok());
  const std::string pem = z->dir + "/" + z->keys[0].file;
  fs::remove(pem);
  ASSERT_TRUE(other->save_pem_file(pem).ok());
  auto r = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 2000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("says"), std::string::npos) << r.error();
}

TEST(KeyStore, CorruptStateFileIsAnError) {
  test::TempDir tmp;
  auto z = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 1000);
  ASSERT_TRUE(z.ok());
  const std::string state = z->dir + "/keys.state";
  std::string text = slurp(state);
  text.replace(text.find("state=active"), 12, "state=sleepy");
  { std::ofstream(state, std::ios::trunc) << text; }
  auto r = load_or_create(tmp.path(), name("example.org."), SigningPolicy{}, 2000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("keys.state:"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("sleepy"), std::string::npos) << r.error();
  EXPECT_EQ(slurp(state), text);
  // (Key files without keys.state: key_recovery_test.cpp.)
}

TEST(KeyStore, StateTextRoundTrips) {
  ZoneKeys z;
  z.zone = name("example.org.");
  z.zsk_roll_requested = 77;
  KeyEntry k;
  k.tag = 4242;
  k.algorithm = Algorithm::kEd25519;
  k.role = KeyRole::kKsk;
  k.state = KeyState::kReady;
  k.file = "ksk-15-4242.pem";
  k.created = 1;
  k.published = 2;
  k.ready = 3;
  k.ds_seen = 4;
  z.keys.push_back(k);
  auto back = parse_key_state(format_key_state(z), "test");
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(format_key_state(*back), format_key_state(z));
  EXPECT_EQ(back->zsk_roll_requested, 77);
  EXPECT_EQ(back->keys[0].ds_seen, 4);

  auto bad = parse_key_state("mailns-keys 1\nzone example.org.\nkey tag=1 file=../../etc/passwd\n", "s");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("s:3:"), std::string::npos) << bad.error();
  EXPECT_FALSE(parse_key_state("", "s").ok());
  EXPECT_FALSE(parse_key_state("mailns-keys 2\n", "s").ok());
}

TEST(AtomicFile, WriteNewNeverReplaces) {
  test::TempDir tmp;
  const std::string p = tmp.path() + "/f";
  ASSERT_TRUE(write_new_file_atomic(p, "one", 0600).ok());
  auto again = write_new_file_atomic(p, "two", 0600);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("refusing"), std::string::npos);
  EXPECT_EQ(slurp(p), "one");
  ASSERT_TRUE(write_file_atomic(p, "three", 0640).ok());
  EXPECT_EQ(slurp(p), "three");
  EXPECT_EQ(mode_of(p), 0640u);
  EXPECT_EQ(files_in(tmp.path()), (std::vector<std::string>{"f"}));
}

}  // namespace
}  // namespace mailns::dnssec
