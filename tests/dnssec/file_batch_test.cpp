// FileBatch: files added to a batch appear only at commit, complete, with
// their mode; a group whose file cannot be placed keeps its later files out
// and leaves what was there untouched; a dropped batch leaves nothing; the
// keys of many zones saved through one batch load back after it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dnssec/atomic_file.hpp"
#include "dnssec/file_batch.hpp"
#include "dnssec/file_lock.hpp"
#include "dnssec/key_store.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::mode_of;
using test::name;
using test::slurp;
namespace fs = std::filesystem;
using Step = FileBatch::Step;


// Every file below dir (relative paths), sorted.
std::vector<std::string> tree(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

size_t unfinished_below(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    n += is_unfinished_write(e.path().filename().string()) ? 1 : 0;
  return n;
}

TEST(FileBatch, FilesAppearOnlyAtCommitCompleteAndWithTheirMode) {
  test::TempDir tmp;
  const std::string a = tmp.path() + "/a.pem", b = tmp.path() + "/b.state";
  FileBatch batch;
  ASSERT_TRUE(batch.add(0, a, "key", 0600, Place::kCreateOnly, Step::kFirst).ok());
  ASSERT_TRUE(batch.add(0, b, "state", 0600, Place::kReplace, Step::kSecond).ok());
  EXPECT_FALSE(file_exists(a));
  EXPECT_FALSE(file_exists(b));
  EXPECT_TRUE(batch.pending(a));
  EXPECT_EQ(unfinished_below(tmp.path()), 2u);
  // The temporary files have the final mode from the start.
  for (const auto& e : fs::directory_iterator(tmp.path())) EXPECT_EQ(mode_of(e.path().string()), 0600u);

  EXPECT_TRUE(batch.commit().empty());
  EXPECT_EQ(slurp(a), "key");
  EXPECT_EQ(slurp(b), "state");
  EXPECT_EQ(mode_of(a), 0600u);
  EXPECT_EQ(mode_of(b), 0600u);
  EXPECT_EQ(unfinished_below(tmp.path()), 0u);
  EXPECT_FALSE(batch.pending(a));
  EXPECT_EQ(batch.size(), 0u);
}

TEST(FileBatch, ASecondAddOfAPathReplacesTheFirst) {
  test::TempDir tmp;
  const std::string p = tmp.path() + "/keys.state";
  FileBatch batch;
  ASSERT_TRUE(batch.add(3, p, "old", 0600, Place::kReplace, Step::kSecond).ok());
  ASSERT_TRUE(batch.add(3, p, "new", 0600, Place::kReplace, Step::kSecond).ok());
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_EQ(unfinished_below(tmp.path()), 1u);
  EXPECT_TRUE(batch.commit().empty());
  EXPECT_EQ(slurp(p), "new");
  EXPECT_EQ(tree(tmp.path()), std::vector<std::string>{"keys.state"});
}

TEST(FileBatch, AGroupThatCannotPlaceAFileKeepsItsLaterFilesOutOthersGoOn) {
  test::TempDir tmp;
  fs::create_directories(tmp.path() + "/z1");
  fs::create_directories(tmp.path() + "/z2");
  const std::string taken = tmp.path() + "/z1/csk.pem";
  std::ofstream(taken) << "the key that was there";
  FileBatch batch;
  ASSERT_TRUE(batch.add(1, taken, "another key", 0600, Place::kCreateOnly, Step::kFirst).ok());
  ASSERT_TRUE(batch.add(1, tmp.path() + "/z1/keys.state", "names it", 0600, Place::kReplace, Step::kSecond).ok());
  ASSERT_TRUE(batch.add(2, tmp.path() + "/z2/csk.pem", "key 2", 0600, Place::kCreateOnly, Step::kFirst).ok());
  ASSERT_TRUE(batch.add(2, tmp.path() + "/z2/keys.state", "state 2", 0600, Place::kReplace, Step::kSecond).ok());

  const auto failed = batch.commit();
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(failed.contains(1));
  EXPECT_NE(failed.at(1).find("refusing to overwrite"), std::string::npos) << failed.at(1);
  EXPECT_EQ(slurp(taken), "the key that was there");
  // Group 1's state never appears (it would name a key that is not the
  // one on disk); group 2 is complete; no temporary file is left.
  EXPECT_EQ(tree(tmp.path()), (std::vector<std::string>{"z1/csk.pem", "z2/csk.pem", "z2/keys.state"}));
  EXPECT_EQ(slurp(tmp.path() + "/z2/keys.state"), "state 2");
}

TEST(FileBatch, ADroppedBatchLeavesNothing) {
  test::TempDir tmp;
  {
    FileBatch batch;
    ASSERT_TRUE(batch.add(0, tmp.path() + "/a", "a", 0600, Place::kCreateOnly, Step::kFirst).ok());
    ASSERT_TRUE(batch.add(0, tmp.path() + "/b", "b", 0600, Place::kReplace, Step::kSecond).ok());
  }
  EXPECT_TRUE(tree(tmp.path()).empty());
}

TEST(FileBatch, AnAddThatCannotWriteLeavesNothingAndSaysWhere) {
  test::TempDir tmp;
  FileBatch batch;
  const Status s = batch.add(0, tmp.path() + "/missing/a", "a", 0600, Place::kReplace, Step::kFirst);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find(tmp.path() + "/missing/a"), std::string::npos) << s.error();
  EXPECT_EQ(batch.size(), 0u);
  EXPECT_TRUE(batch.commit().empty());
  EXPECT_TRUE(tree(tmp.path()).empty());
}

TEST(FileBatch, HeldLocksAreReleasedAtCommit) {
  test::TempDir tmp;
  const std::string lock_path = tmp.path() + "/keys.lock";
  FileBatch batch;
  auto lock = FileLock::acquire(lock_path, 0600, std::chrono::milliseconds(0));
  ASSERT_TRUE(lock.ok()) << lock.error();
  batch.hold(7, std::move(*lock));
  EXPECT_FALSE(FileLock::acquire(lock_path, 0600, std::chrono::milliseconds(0)).ok());
  EXPECT_TRUE(batch.commit().empty());
  EXPECT_TRUE(FileLock::acquire(lock_path, 0600, std::chrono::milliseconds(0)).ok());
}

TEST(FileLock, ADirectoryIsLockedItselfAndItsHolderNamed) {
  test::TempDir tmp;
  {
    auto lock = FileLock::acquire_directory(tmp.path(), std::chrono::milliseconds(0));
    ASSERT_TRUE(lock.ok()) << lock.error();
    // flock: another open of the directory conflicts, even in this process.
    auto again = FileLock::acquire_directory(tmp.path(), std::chrono::milliseconds(30));
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().find(tmp.path() + " is locked by another process (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << again.error();
    EXPECT_NE(again.error().find("gave up after 30 ms"), std::string::npos) << again.error();
    EXPECT_TRUE(tree(tmp.path()).empty());  // nothing written to lock it
  }
  EXPECT_TRUE(FileLock::acquire_directory(tmp.path(), std::chrono::milliseconds(0)).ok());  // released with it
  const auto missing = FileLock::acquire_directory(tmp.path() + "/nope", std::chrono::milliseconds(0));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("cannot open the directory"), std::string::npos) << missing.error();
}

TEST(FileLock, NoHolderForAnUnlockedInode) {
  test::TempDir tmp;
  struct stat st {};
  ASSERT_EQ(::stat(tmp.path().c_str(), &st), 0);
  EXPECT_EQ(flock_holder(st.st_dev, st.st_ino), 0);
  auto lock = FileLock::acquire_directory(tmp.path(), std::chrono::milliseconds(0));
  ASSERT_TRUE(lock.ok()) << lock.error();
  EXPECT_EQ(flock_holder(st.st_dev, st.st_ino), ::getpid());
}

TEST(FileBatch, SyncFilesystemsNamesADirectoryItCannotOpen) {
  test::TempDir tmp;
  EXPECT_TRUE(sync_filesystems({tmp.path(), tmp.path()}).ok());
  const Status s = sync_filesystems({tmp.path() + "/nope"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find(tmp.path() + "/nope"), std::string::npos) << s.error();
}

TEST(FileBatch, KeysOfManyZonesSavedInOneBatchLoadBackAfterTheCommit) {
  test::TempDir tmp;
  const std::string key_dir = tmp.path() + "/keys";
  SigningPolicy policy;
  FileBatch batch;
  std::vector<ZoneKeys> made;
  for (size_t i = 0; i < 20; ++i) {
    auto z = load_or_create(key_dir, name("z" + std::to_string(i) + ".example."), policy, 1000, BatchSlot{&batch, i});
    ASSERT_TRUE(z.ok()) << z.error();
    made.push_back(std::move(*z));
  }
  // Nothing named before the commit: a crash now leaves only temporary files.
  EXPECT_EQ(unfinished_below(key_dir), 40u);  // a key file and keys.state per zone
  for (const ZoneKeys& z : made) EXPECT_FALSE(file_exists(z.dir + "/" + kStateFileName));

  EXPECT_TRUE(batch.commit().empty());
  EXPECT_EQ(unfinished_below(key_dir), 0u);
  for (const ZoneKeys& z : made) {
    auto back = load_keys(key_dir, z.zone);
    ASSERT_TRUE(back.ok()) << back.error();
    ASSERT_EQ(back->keys.size(), 1u);
    EXPECT_EQ(back->keys[0].tag, z.keys[0].tag);
    EXPECT_EQ(mode_of(z.dir + "/" + z.keys[0].file), 0600u);
    EXPECT_EQ(mode_of(z.dir + "/" + kStateFileName), 0600u);
  }
}

}  // namespace
}  // namespace mailns::dnssec
