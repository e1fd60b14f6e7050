// Crash leftovers in state_dir (issue 19): the zone archive's index is its
// manifest (an unnamed zone file is never loaded as it is; at start a
// complete one is rolled forward into the index, the rest moved aside), and the only leftovers directly in state_dir, the temporary files
// of interrupted saves (serials, catalog), are moved aside without touching
// the stored serials.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/publish/serial_store.hpp"
#include "server/publish/state_dir_leftovers.hpp"
#include "dnssec/atomic_file.hpp"
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
  // Written in wire form (zone/zone_wire); the text versions of earlier
  // releases (example.com below) are read as well.
  EXPECT_EQ(dnssec::read_file(dir.file("state/zones/example.net.zone"))->substr(0, 8), "MLNSZON1");

  EXPECT_TRUE(archive.leftovers().empty());

  // A first version written just before a crash, never named by the index,
  // a file that does not load, and the temporary file of an interrupted write.
  std::string com = kNetZone;
  for (auto p = com.find("example.net"); p != std::string::npos; p = com.find("example.net")) com.replace(p, 11, "example.com");
  dir.write("state/zones/example.com.zone", com);
  dir.write("state/zones/broken.example.zone", "garbage\n");
  dir.write("state/zones/.index.tmp.Ab12Cd", "example.net.zone 00");
  EXPECT_FALSE(archive.has(name("example.com.")));
  std::string error;
  EXPECT_FALSE(archive.load(name("example.com."), DnssecSettings{}, 0, &error));
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_TRUE(archive.load(name("example.net."), DnssecSettings{}, 0, &error)) << error;
  const auto found = archive.leftovers();
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].file, ".index.tmp.Ab12Cd");
  EXPECT_FALSE(found[0].adopt);
  EXPECT_EQ(found[1].file, "broken.example.zone");
  EXPECT_FALSE(found[1].adopt);
  EXPECT_EQ(found[2].file, "example.com.zone");
  EXPECT_TRUE(found[2].adopt);
  const auto plan = archive.leftover_messages(found, false);
  EXPECT_NE(plan[2].find("the next start adopts it into"), std::string::npos) << plan[2];

  const auto done = archive.tidy();
  ASSERT_EQ(done.size(), 3u);
  EXPECT_NE(done[0].find("moved aside to " + dir.file("state/orphans/zones")), std::string::npos) << done[0];
  EXPECT_NE(done[2].find("adopted into"), std::string::npos) << done[2];
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/zones/broken.example.zone")));
  EXPECT_TRUE(fs::exists(dir.file("state/orphans/zones/.index.tmp.Ab12Cd")));
  EXPECT_TRUE(archive.leftovers().empty());
  EXPECT_TRUE(archive.has(name("example.net.")));
  EXPECT_TRUE(archive.has(name("example.com.")));
  EXPECT_TRUE(archive.load(name("example.com."), DnssecSettings{}, 0, &error)) << error;
}

// save() writes all changed zones through one batch (dnssec/file_batch):
// every file complete and named by the index, no temporary file left, and
// a zone whose file cannot be written is reported without keeping the
// others out.
TEST(ZoneArchive, ManyZonesSavedAtOnceAreAllNamedAndComplete) {
  TestDir dir;
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  for (int i = 0; i < 30; ++i) {
    std::string text = kNetZone;
    const std::string origin = "z" + std::to_string(i) + ".example.net";
    for (auto p = text.find("example.net"); p != std::string::npos; p = text.find("example.net", p + origin.size()))
      text.replace(p, 11, origin);
    const std::string file = dir.write(origin + ".zone", text);
    auto built = zone::load_zone_file(file, name((origin + ".").c_str()));
    ASSERT_TRUE(built.zone);
    zones.push_back(built.zone);
  }
  ZoneArchive archive(dir.file("state/zones"));
  ASSERT_TRUE(archive.save(zones).empty());
  EXPECT_TRUE(archive.leftovers().empty());  // no temporary file, nothing unnamed
  ZoneArchive again(dir.file("state/zones"));  // the index on disk, as after a restart
  std::string error;
  for (const auto& z : zones) {
    EXPECT_TRUE(again.has(z->origin())) << z->origin().to_text();
    auto back = again.load(z->origin(), DnssecSettings{}, 0, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->zone->soa_serial(), 7u);
  }
}

// The index keeps the stamp of the master file each unsigned version was
// built from: a start finds the version again by that stamp alone.
TEST(ZoneArchive, AnUnsignedZoneIsFoundAgainByItsMasterFilesStamp) {
  TestDir dir;
  auto built = zone::load_zone_file(dir.write("example.net.zone", kNetZone), name("example.net."));
  ASSERT_TRUE(built.zone);
  {
    ZoneArchive archive(dir.file("state/zones"));
    ASSERT_TRUE(archive.save(std::vector<ArchiveEntry>{{built.zone, "1:2:3"}}).empty());
  }
  ZoneArchive again(dir.file("state/zones"));  // the index on disk, as after a restart
  auto kept = again.load_unchanged(name("example.net."), "1:2:3");
  ASSERT_TRUE(kept);
  EXPECT_EQ(zone::export_zone(*kept), zone::export_zone(*built.zone));
  EXPECT_FALSE(again.load_unchanged(name("example.net."), "1:2:4"));  // the file changed since
  EXPECT_FALSE(again.load_unchanged(name("example.net."), ""));       // a stamp not trusted
  EXPECT_FALSE(again.load_unchanged(name("example.com."), "1:2:3"));  // not archived
  // Saved again without a stamp (e.g. served from the archive): forgotten.
  ASSERT_TRUE(again.save(std::vector<ArchiveEntry>{{built.zone, ""}}).empty());
  EXPECT_FALSE(ZoneArchive(dir.file("state/zones")).load_unchanged(name("example.net."), "1:2:3"));
}

namespace {
std::vector<std::shared_ptr<const zone::Zone>> numbered_zones(TestDir& dir, int n) {
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  for (int i = 0; i < n; ++i) {
    std::string text = kNetZone;
    const std::string origin = "z" + std::to_string(i) + ".example.net";
    for (auto p = text.find("example.net"); p != std::string::npos; p = text.find("example.net", p + origin.size()))
      text.replace(p, 11, origin);
    auto built = zone::load_zone_file(dir.write(origin + ".zone", text), name((origin + ".").c_str()));
    if (built.zone) zones.push_back(built.zone);
  }
  return zones;
}
}  // namespace

// A save that changes a few zones among many appends their index lines to
// index.log (the index itself is not rewritten); a restart reads both. A log
// the whole index has since folded in (a later generation) is never read
// again, and a line a crash cut short is cut off at the next append.
TEST(ZoneArchive, AFewChangesAreAppendedToTheIndexLog) {
  TestDir dir;
  const auto zones = numbered_zones(dir, 40);
  ASSERT_EQ(zones.size(), 40u);
  const std::string index = dir.file("state/zones/index");
  const std::string log = index + ".log";
  std::vector<ArchiveEntry> all;
  for (const auto& z : zones) all.push_back({z, "s0"});
  ZoneArchive archive(dir.file("state/zones"));
  ASSERT_TRUE(archive.save(all).empty());
  EXPECT_FALSE(fs::exists(log));
  const std::string whole = *dnssec::read_file(index);
  ASSERT_TRUE(archive.save(std::vector<ArchiveEntry>{{zones[0], "s1"}}).empty());
  EXPECT_EQ(*dnssec::read_file(index), whole);  // untouched
  ASSERT_TRUE(fs::exists(log));
  EXPECT_TRUE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[0]->origin(), "s1"));
  EXPECT_FALSE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[0]->origin(), "s0"));
  EXPECT_TRUE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[1]->origin(), "s0"));
  const std::string old_log = *dnssec::read_file(log);

  // The whole index written (a start's zones), then a crash brings the log back.
  ASSERT_TRUE(archive.save(std::vector<ArchiveEntry>{{zones[0], "s2"}}, /*index_later=*/true).empty());
  ASSERT_EQ(archive.write_pending_index(), "");
  EXPECT_FALSE(fs::exists(log));
  dir.write("state/zones/index.log", old_log);
  EXPECT_TRUE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[0]->origin(), "s2"));
  EXPECT_FALSE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[0]->origin(), "s1"));

  // The next append replaces that old log; a torn line after it is cut off.
  ZoneArchive again(dir.file("state/zones"));
  ASSERT_TRUE(again.save(std::vector<ArchiveEntry>{{zones[1], "s3"}}).empty());
  { std::ofstream(log, std::ios::app) << "z2.example.net.zone 00ab"; }
  ASSERT_TRUE(again.save(std::vector<ArchiveEntry>{{zones[2], "s4"}}).empty());
  ZoneArchive third(dir.file("state/zones"));
  EXPECT_TRUE(third.load_unchanged(zones[0]->origin(), "s2"));
  EXPECT_TRUE(third.load_unchanged(zones[1]->origin(), "s3"));
  EXPECT_TRUE(third.load_unchanged(zones[2]->origin(), "s4"));
  EXPECT_TRUE(third.load_unchanged(zones[3]->origin(), "s0"));
  EXPECT_TRUE(third.leftovers().empty());  // the log is not a leftover
  EXPECT_EQ(dnssec::read_file(log)->find("00ab"), std::string::npos);

  // Past an eighth of the zones (5 lines here), the log is folded into the index.
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(third.save(std::vector<ArchiveEntry>{{zones[4 + i], "s5"}}).empty());
  EXPECT_FALSE(fs::exists(log));
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(ZoneArchive(dir.file("state/zones")).load_unchanged(zones[4 + i]->origin(), "s5")) << i;
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

// `mailns reload ZONE`: a few serials appended to serials.log; a restart
// reads the file, then the log's complete lines, never going back; save()
// folds the log in and removes it.
TEST(StateDir, SerialLogAppendsAndIsFoldedIn) {
  TestDir dir;
  const std::string path = dir.file("state/serials");
  SerialStore store(path);
  store.set(name("a.example."), 2026111801);
  store.set(name("b.example."), 2026111801);
  ASSERT_EQ(store.save(), "");
  store.set(name("a.example."), 2026111802);
  ASSERT_EQ(store.append({name("a.example.")}), "");
  store.set(name("a.example."), 2026111803);
  ASSERT_EQ(store.append({name("a.example.")}), "");
  EXPECT_TRUE(fs::exists(path + ".log"));
  // A crash in the middle of an append: its line is cut short.
  {
    std::ofstream log(path + ".log", std::ios::app);
    log << "b.example. 20261118";
  }
  SerialStore again(path);
  std::vector<std::string> warnings;
  again.load(warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(again.get(name("a.example.")), 2026111803u);
  EXPECT_EQ(again.get(name("b.example.")), 2026111801u);
  // The next append is not glued to the line cut short.
  again.set(name("c.example."), 2026111807);
  ASSERT_EQ(again.append({name("c.example.")}), "");
  SerialStore after_crash(path);
  after_crash.load(warnings);
  EXPECT_EQ(after_crash.get(name("c.example.")), 2026111807u);
  ASSERT_EQ(again.save(), "");
  EXPECT_FALSE(fs::exists(path + ".log"));
  SerialStore third(path);
  third.load(warnings);
  EXPECT_EQ(third.get(name("a.example.")), 2026111803u);
}

TEST(StateDir, SerialLogNeverGoesBack) {
  TestDir dir;
  const std::string path = dir.file("state/serials");
  dir.write("state/serials", "# mailns\na.example. 2026111805\nb.example. 99999999999\n");
  dir.write("state/serials.log", "a.example. 2026111803\nc.example. 2026111801\nd.example. 4294967296\n");
  SerialStore store(path);
  std::vector<std::string> warnings;
  store.load(warnings);
  EXPECT_EQ(store.get(name("a.example.")), 2026111805u);
  EXPECT_EQ(store.get(name("c.example.")), 2026111801u);
  // A serial past 32 bits is no serial (not 0): the line is ignored, with a warning.
  EXPECT_EQ(store.get(name("b.example.")), std::nullopt);
  EXPECT_EQ(store.get(name("d.example.")), std::nullopt);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("serials:3:"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace mailns::server
