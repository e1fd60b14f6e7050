// Crash recovery of the key store (issue 19): what a kill between a key file
// and the keys.state that names it leaves is adopted (complete and valid,
// and needed by the interrupted change) or moved aside, never a reason to
// leave the zone out; plan_key_recovery decides without writing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "dnssec/atomic_file.hpp"
#include "dnssec/key_recovery.hpp"
#include "dnssec/key_store.hpp"
#include "dnssec/rollover.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::name;
namespace fs = std::filesystem;

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

SigningPolicy ksk_zsk() {
  SigningPolicy p;
  p.keys = KeyScheme::kKskZsk;
  return p;
}

bool contains(const std::vector<std::string>& lines, const std::string& what) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
}

// A key file as new_key_entry names it, written as save_keys writes it.
std::string write_key_file(const std::string& dir, KeyRole role) {
  auto key = SigningKey::generate(Algorithm::kEcdsaP256Sha256, role_flags(role));
  EXPECT_TRUE(key.ok());
  const std::string file = std::string(role_name(role)) + "-13-" + std::to_string(key->tag()) + ".pem";
  EXPECT_TRUE(key->save_pem_file_new(dir + "/" + file).ok());
  return file;
}

TEST(KeyRecovery, InterruptedFirstCreationIsAdoptedAsTheFirstKeys) {
  test::TempDir tmp;
  auto first = load_or_create(tmp.path(), name("mail0.test."), ksk_zsk(), 1000);
  ASSERT_TRUE(first.ok()) << first.error();
  fs::remove(first->dir + "/keys.state");  // killed before keys.state was renamed into place

  // check-config's view: nothing written, both files adopted.
  auto plan = plan_key_recovery(tmp.path(), name("mail0.test."), nullptr, ksk_zsk(), 2000);
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->leftovers.size(), 2u);
  EXPECT_TRUE(plan->to_create.empty());
  EXPECT_TRUE(contains(plan->messages(name("mail0.test."), false), "the next start adopts it as KSK"));
  EXPECT_EQ(files_in(first->dir).size(), 2u);

  auto again = load_or_create(tmp.path(), name("mail0.test."), ksk_zsk(), 2000);
  ASSERT_TRUE(again.ok()) << again.error();
  ASSERT_EQ(again->keys.size(), 2u);
  EXPECT_EQ(again->keys[0].role, KeyRole::kKsk);
  EXPECT_EQ(again->keys[0].tag, first->keys[0].tag);
  EXPECT_EQ(again->keys[1].tag, first->keys[1].tag);
  for (const auto& k : again->keys) EXPECT_EQ(k.state, KeyState::kActive);
  EXPECT_EQ(again->events.size(), 2u);
  EXPECT_TRUE(contains(again->events, "adopted as ZSK"));
  EXPECT_TRUE(fs::exists(again->dir + "/keys.state"));
  auto reread = load_keys(tmp.path(), name("mail0.test."));
  ASSERT_TRUE(reread.ok()) << reread.error();
  EXPECT_EQ(reread->keys.size(), 2u);
}

TEST(KeyRecovery, HalfACreationIsCompletedAndJunkMovedAside) {
  test::TempDir tmp;
  auto first = load_or_create(tmp.path(), name("mail1.test."), ksk_zsk(), 1000);
  ASSERT_TRUE(first.ok());
  const std::string dir = first->dir;
  fs::remove(dir + "/keys.state");
  fs::remove(dir + "/" + first->keys[1].file);  // the ZSK was never written
  { std::ofstream(dir + "/.zsk-13-1.pem.tmp.AbC123") << "-----BEGIN PRIV"; }
  { std::ofstream(dir + "/zsk-13-2.pem") << "garbage"; }
  ::chmod((dir + "/zsk-13-2.pem").c_str(), 0600);

  auto z = load_or_create(tmp.path(), name("mail1.test."), ksk_zsk(), 2000);
  ASSERT_TRUE(z.ok()) << z.error();
  ASSERT_EQ(z->keys.size(), 2u);
  EXPECT_EQ(z->keys[0].tag, first->keys[0].tag);
  EXPECT_EQ(z->keys[1].role, KeyRole::kZsk);
  EXPECT_NE(z->keys[1].tag, first->keys[1].tag);
  EXPECT_EQ(z->warnings.size(), 2u);
  EXPECT_TRUE(contains(z->warnings, "temporary file"));
  const std::string orphans = orphan_directory(tmp.path(), name("mail1.test."));
  EXPECT_EQ(files_in(orphans), (std::vector<std::string>{".zsk-13-1.pem.tmp.AbC123", "zsk-13-2.pem"}));
  struct stat st {};
  ASSERT_EQ(::stat(orphans.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(files_in(dir).size(), 3u);  // two keys and keys.state
}

TEST(KeyRecovery, KeyFileWithWrongModeIsMovedAsideAndReplaced) {
  test::TempDir tmp;
  auto first = load_or_create(tmp.path(), name("mail2.test."), SigningPolicy{}, 1000);
  ASSERT_TRUE(first.ok());
  fs::remove(first->dir + "/keys.state");
  ::chmod((first->dir + "/" + first->keys[0].file).c_str(), 0644);
  auto z = load_or_create(tmp.path(), name("mail2.test."), SigningPolicy{}, 2000);
  ASSERT_TRUE(z.ok()) << z.error();
  ASSERT_EQ(z->keys.size(), 1u);
  EXPECT_NE(z->keys[0].tag, first->keys[0].tag);
  EXPECT_TRUE(contains(z->warnings, "mode is not 0600"));
}

TEST(KeyRecovery, InterruptedRolloverStartIsAdoptedAsPublished) {
  test::TempDir tmp;
  const auto zone = name("mail3.test.");
  auto z = load_or_create(tmp.path(), zone, ksk_zsk(), 1000);
  ASSERT_TRUE(z.ok());
  ASSERT_TRUE(request_rollover(*z, KeyRole::kZsk, 1500).ok());
  ASSERT_TRUE(save_keys(*z).ok());
  // The server's rollover step wrote the new ZSK, then was killed.
  const std::string file = write_key_file(z->dir, KeyRole::kZsk);

  auto r = load_or_create(tmp.path(), zone, ksk_zsk(), 2000);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->keys.size(), 3u);
  const KeyEntry& k = r->keys[2];
  EXPECT_EQ(k.file, file);
  EXPECT_EQ(k.state, KeyState::kPublished);
  EXPECT_EQ(k.published, 2000);
  EXPECT_EQ(r->zsk_roll_requested, 0);  // fulfilled by the adopted key
  // Published, not signing: pre-publication before it signs (RFC 7583 3.2.1).
  const auto set = key_set(*r);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_TRUE(set[2].publish && !set[2].sign_zone && !set[2].sign_keyset);
  auto reread = load_keys(tmp.path(), zone);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->keys.size(), 3u);
  // advance() carries the rollover on from there, no second new key.
  auto step = advance(*reread, 2001, RolloverTtls{}, ksk_zsk());
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(step->changed);
}

TEST(KeyRecovery, KeyNoRolloverAskedForIsMovedAside) {
  test::TempDir tmp;
  const auto zone = name("mail4.test.");
  auto z = load_or_create(tmp.path(), zone, ksk_zsk(), 1000);
  ASSERT_TRUE(z.ok());
  const std::string file = write_key_file(z->dir, KeyRole::kKsk);
  auto r = load_or_create(tmp.path(), zone, ksk_zsk(), 2000);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->keys.size(), 2u);  // a KSK nobody asked for would change the DS
  EXPECT_TRUE(contains(r->warnings, "no KSK rollover is requested or due"));
  EXPECT_TRUE(fs::exists(orphan_directory(tmp.path(), zone) + "/" + file));
  EXPECT_FALSE(fs::exists(z->dir + "/" + file));
}

TEST(KeyRecovery, OrphanDirectoryCannotBeAZoneDirectory) {
  EXPECT_EQ(orphan_directory("/k", name("orphans.")), "/k/@orphans/orphans");
  EXPECT_NE(zone_directory_name(name("@orphans.")), kOrphanDirName);
}

TEST(AtomicFile, UnfinishedWritesAreRecognised) {
  EXPECT_TRUE(is_unfinished_write(".keys.state.tmp.x1Y2z3"));
  EXPECT_TRUE(is_unfinished_write(".ksk-13-1.pem.tmp.AAAAAA"));
  EXPECT_FALSE(is_unfinished_write("keys.state"));
  EXPECT_FALSE(is_unfinished_write(".keys.state.tmp.short"));
}

}  // namespace
}  // namespace mailns::dnssec
