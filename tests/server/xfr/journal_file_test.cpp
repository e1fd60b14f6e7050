// The IXFR journal on disk (server/xfr/journal_file, IxfrJournal::persist_in
// and restore): what is written reads back the same, a damaged or stale
// file is refused and removed, and a restored chain answers as before.
#include "server/xfr/journal_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/xfr/ixfr_journal.hpp"
#include "test_dir.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {
namespace {

const zone::DnsName kOrigin = *zone::DnsName::from_text("example.org");

std::shared_ptr<const zone::Zone> version(uint32_t serial, const std::string& extra) {
  const std::string text = "$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) +
                           " 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n" + extra;
  auto res = zone::load_zone_text(text, kOrigin, "t.zone");
  EXPECT_TRUE(res.zone);
  return res.zone;
}

// Versions 1..n, each adding one record.
std::vector<std::shared_ptr<const zone::Zone>> versions(uint32_t n) {
  std::vector<std::shared_ptr<const zone::Zone>> out;
  std::string extra;
  for (uint32_t s = 1; s <= n; ++s) {
    extra += "h" + std::to_string(s) + " TXT \"version " + std::to_string(s) + "\"\n";
    out.push_back(version(s, extra));
  }
  return out;
}

// A journal in dir/journal that recorded versions 1..n, as a server that stopped after them.
void write_journal(const testing::TestDir& dir, const std::vector<std::shared_ptr<const zone::Zone>>& v) {
  IxfrJournal journal(10);
  journal.persist_in(dir.file("journal"));
  for (size_t i = 1; i < v.size(); ++i) journal.record(*v[i - 1], *v[i]);
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));  // not while publishing
  journal.save_unsaved();
}

void expect_same(const ZoneDiff& a, const ZoneDiff& b) {
  EXPECT_EQ(a.from_serial, b.from_serial);
  EXPECT_EQ(a.to_serial, b.to_serial);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.zone_bytes, b.zone_bytes);
  auto same = [](const zone::Record& x, const zone::Record& y) {
    return x.owner == y.owner && x.owner.wire().size() == y.owner.wire().size() && x.type == y.type &&
           x.ttl == y.ttl && x.rdata == y.rdata;
  };
  EXPECT_TRUE(same(a.from_soa, b.from_soa));
  EXPECT_TRUE(same(a.to_soa, b.to_soa));
  ASSERT_EQ(a.removed.size(), b.removed.size());
  ASSERT_EQ(a.added.size(), b.added.size());
  for (size_t i = 0; i < a.removed.size(); ++i) EXPECT_TRUE(same(a.removed[i], b.removed[i]));
  for (size_t i = 0; i < a.added.size(); ++i) EXPECT_TRUE(same(a.added[i], b.added[i]));
}

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(JournalFile, WhatIsWrittenReadsBackTheSame) {
  const auto v = versions(3);
  const auto d1 = std::make_shared<const ZoneDiff>(diff_zones(*v[0], *v[1]));
  const auto d2 = std::make_shared<const ZoneDiff>(diff_zones(*v[1], *v[2]));
  const std::string file = encode_journal({d1, d2});
  std::string error;
  const auto back = decode_journal(bytes_of(file), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->size(), 2u);
  expect_same((*back)[0], *d1);
  expect_same((*back)[1], *d2);
}

TEST(JournalFile, EveryTruncationAndOtherBytesAreRefused) {
  const auto v = versions(3);
  const std::string file = encode_journal({std::make_shared<const ZoneDiff>(diff_zones(*v[0], *v[1]))});
  for (size_t n = 0; n < file.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_journal(bytes_of(file.substr(0, n)), &error)) << n;
    EXPECT_FALSE(error.empty());
  }
  std::string error;
  EXPECT_FALSE(decode_journal(bytes_of(file + "x"), &error));
  EXPECT_EQ(error, "octets after the last difference");
  std::string other = file;
  other[0] = 'X';
  EXPECT_FALSE(decode_journal(bytes_of(other), &error));
  // A count far beyond the file is refused before anything is reserved.
  std::string huge = file;
  huge[8] = huge[9] = huge[10] = huge[11] = '\xff';
  EXPECT_FALSE(decode_journal(bytes_of(huge), &error));
}

TEST(JournalFile, ARestoredJournalAnswersTheSameChains) {
  testing::TestDir dir;
  const auto v = versions(4);
  write_journal(dir, v);
  ASSERT_TRUE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));
  IxfrJournal after(10);
  after.persist_in(dir.file("journal"));
  const auto r = after.restore_all({{kOrigin, 4}});
  EXPECT_EQ(r.zones, 1u);
  EXPECT_EQ(r.differences, 3u);
  const auto chain = after.chain(kOrigin, 1, 4);  // a secondary three versions behind
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0]->from_serial, 1u);
  EXPECT_EQ((*chain)[2]->to_serial, 4u);
  // It goes on from there, and keeps the history bound.
  IxfrJournal small(2);
  small.persist_in(dir.file("journal"));
  EXPECT_EQ(small.restore(kOrigin, 4), 2u);
  EXPECT_FALSE(small.chain(kOrigin, 1, 4));
  EXPECT_TRUE(small.chain(kOrigin, 2, 4));
}

TEST(JournalFile, AJournalThatDoesNotEndAtTheServedSerialIsRemoved) {
  testing::TestDir dir;
  write_journal(dir, versions(3));
  IxfrJournal after(10);
  after.persist_in(dir.file("journal"));
  std::string why;
  EXPECT_EQ(after.restore(kOrigin, 7, &why), 0u);  // served 7 before: the file is stale
  EXPECT_NE(why.find("does not end at serial 7"), std::string::npos) << why;
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));
  EXPECT_EQ(after.size(kOrigin), 0u);
}

TEST(JournalFile, DamagedAndStaleFilesAreNotUsed) {
  testing::TestDir dir;
  write_journal(dir, versions(2));
  dir.write("journal/gone.example.ixfr", "whatever");
  {
    std::ofstream f(dir.file("journal/example.org.ixfr"), std::ios::binary | std::ios::app);
    f << "trailing";
  }
  IxfrJournal after(10);
  after.persist_in(dir.file("journal"));
  const auto r = after.restore_all({{kOrigin, 2}});
  EXPECT_EQ(r.zones, 0u);
  EXPECT_EQ(r.refused, 1u);
  EXPECT_NE(r.first_refusal.find("octets after the last difference"), std::string::npos) << r.first_refusal;
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal/gone.example.ixfr")));  // no such zone served
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));
}

TEST(JournalFile, AForgottenZoneLeavesNoFile) {
  testing::TestDir dir;
  write_journal(dir, versions(2));
  ASSERT_TRUE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));
  IxfrJournal journal(10);
  journal.persist_in(dir.file("journal"));
  journal.forget(kOrigin);
  EXPECT_TRUE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));  // not while publishing
  journal.save_unsaved();
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal/example.org.ixfr")));
}

}  // namespace
}  // namespace mailns::server
