// CookieSecretStore: the DNS cookie secret kept in state_dir, created once,
// read back after a restart, rotated daily with the previous one kept, and
// replaced (never trusted) when the file is damaged.
#include "server/publish/cookie_secret_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

constexpr int64_t kNow = 1'800'000'000;

TEST(CookieSecretStore, CreatedOnceWith0600AndReadBack) {
  TestDir dir;
  const std::string path = dir.file("state/cookie_secret");
  CookieSecretStore first(path);
  std::vector<std::string> warnings;
  first.open(kNow, warnings);
  EXPECT_TRUE(warnings.empty());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(first.secrets().has_previous);
  CookieSecretStore again(path);
  again.open(kNow + 3600, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(again.secrets().current, first.secrets().current);
  EXPECT_EQ(again.created(), kNow);
}

TEST(CookieSecretStore, RotatesDailyKeepingThePrevious) {
  TestDir dir;
  const std::string path = dir.file("cookie_secret");
  CookieSecretStore store(path);
  std::vector<std::string> warnings;
  store.open(kNow, warnings);
  const auto first = store.secrets().current;
  std::string error;
  EXPECT_FALSE(store.rotate_if_due(kNow + CookieSecretStore::kLifetime - 1, &error));
  EXPECT_TRUE(store.rotate_if_due(kNow + CookieSecretStore::kLifetime, &error));
  EXPECT_EQ(error, "");
  EXPECT_NE(store.secrets().current, first);
  EXPECT_TRUE(store.secrets().has_previous);
  EXPECT_EQ(store.secrets().previous, first);
  // What a restart reads is what was rotated to.
  CookieSecretStore restarted(path);
  restarted.open(kNow + CookieSecretStore::kLifetime + 1, warnings);
  EXPECT_EQ(restarted.secrets().current, store.secrets().current);
  EXPECT_EQ(restarted.secrets().previous, first);
  // A restart after a long stop rotates at once.
  CookieSecretStore late(path);
  late.open(kNow + 5 * CookieSecretStore::kLifetime, warnings);
  EXPECT_EQ(late.secrets().previous, store.secrets().current);
}

TEST(CookieSecretStore, DamagedFileIsReplacedWithAWarning) {
  TestDir dir;
  const std::string path = dir.write("cookie_secret", "current 0011 nonsense\n");
  CookieSecretStore store(path);
  std::vector<std::string> warnings;
  store.open(kNow, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cannot read the line"), std::string::npos) << warnings[0];
  EXPECT_NE(store.secrets().current, zone::CookieSecret{});
  CookieSecretStore again(path);
  warnings.clear();
  again.open(kNow, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(again.secrets().current, store.secrets().current);
}

}  // namespace
}  // namespace mailns::server
