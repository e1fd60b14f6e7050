// Crash leftovers in state_dir (issue 19): the zone archive's index is its
// manifest (an unnamed zone file is never loaded and is moved aside at
// start), and the only leftovers directly in state_dir, the temporary files
// of interrupted saves (serials, catalog), are moved aside without touching
// the stored serials.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/publish/serial_store.hpp"
#include "server/publish/state_dir_leftovers.hpp"
#include "server/publish/zone_archive.hpp"
#include "test_dir.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;
namespace fs = std::filesystem;

constexpr const char* kNetZone =
    "$ORIGIN example.net.\n"
    "@ 3600 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1\n"
    "ns1 3600 IN A 192.0.2.53\n";

zone::DnsName name(const char* text) { return *zone::DnsName::from_text(text); }

TEST(ZoneArchive, TheIndexIsTheManifest) {
  TestDir dir;
  const std::string net = dir.write("example.net.zone", kNetZone);
  auto built = zone::load_zone_file(net, name("example.net."));
  ASSERT_TRUE(built.zone);
  ZoneArchive archive(dir.file("state/zones"));
  ASSERT_TRUE(archive.save({built.zone}).empty());
  EXPECT_TRUE(archive.has(name("example.net.")));
  EXPECT_TRUE(archive.unnamed_files().empty());

  // A first version written just before a crash, never named by the index,
  // and the temporary file of an interrupted write.
  dir.write("state/zones/example.com.zone", std::string(kNetZone));
  dir.write("state/zones/.index.tmp.Ab12Cd", "example.net.zone 00");
  EXPECT_FALSE(archive.has(name("example.com.")));
  std::string error;
  EXPECT_FALSE(archive.load(name("example.com."), DnssecSettings{}, 0, &error));
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_TRUE(archive.load(name("example.net."), DnssecSettings{}, 0, &error)) << error;
  EXPECT_EQ(archive.unnamed_files(), (std::vector<std::string>{".index.tmp.Ab12Cd", "example.com.zone"}));

  const auto moved = archive.tidy();
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_NE(moved[0].find("moved aside to " + dir.file("state/orphans/zones")), std::string::npos) << moved[0];
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/zones/example.com.zone")));
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/zones/.index.tmp.Ab12Cd")));
  EXPECT_TRUE(archive.unnamed_files().empty());
  EXPECT_TRUE(archive.has(name("example.net.")));
}

TEST(StateDir, InterruptedSavesAreMovedAsideAndTheStoreKept) {
  TestDir dir;
  SerialStore store(dir.file("state/serials"));
  store.set(name("example.net."), 2026111801);
  ASSERT_EQ(store.save(), "");
  dir.write("state/.serials.tmp.Zz9Yy8", "# mailns: last SOA");
  dir.write("state/.catalog.tmp.Qq1Ww2", "20261118");
  dir.write("state/notes.txt", "not ours");
  EXPECT_EQ(state_dir_leftovers(dir.file("state")),
            (std::vector<std::string>{dir.file("state/.catalog.tmp.Qq1Ww2"), dir.file("state/.serials.tmp.Zz9Yy8")}));
  EXPECT_EQ(tidy_state_dir(dir.file("state")).size(), 2u);
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/.serials.tmp.Zz9Yy8")));
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/.catalog.tmp.Qq1Ww2")));
  EXPECT_TRUE(fs::exists(dir.file("state/notes.txt")));
  EXPECT_TRUE(state_dir_leftovers(dir.file("state")).empty());
  SerialStore again(dir.file("state/serials"));
  std::vector<std::string> warnings;
  again.load(warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(again.get(name("example.net.")), 2026111801u);
}

}  // namespace
}  // namespace mailns::server
