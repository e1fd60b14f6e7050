// IxfrJournal: differences between versions, the history bound, and chains.
#include "server/xfr/ixfr_journal.hpp"

#include <gtest/gtest.h>

#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server {
namespace {

std::shared_ptr<const zone::Zone> version(uint32_t serial, const std::string& extra) {
  const std::string text = "$ORIGIN example.org.\n$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) +
                           " 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n" + extra;
  auto res = zone::load_zone_text(text, *zone::DnsName::from_text("example.org"), "t.zone");
  EXPECT_TRUE(res.zone) << (res.errors.empty() ? "" : res.errors.front());
  return res.zone;
}

std::vector<std::string> texts(const std::vector<zone::Record>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(zone::record_to_text(r.owner, r.type, r.ttl, r.rdata));
  return out;
}

const zone::DnsName kOrigin = *zone::DnsName::from_text("example.org");

TEST(IxfrJournal, DiffHasRemovedAndAddedRecordsButNotTheSoa) {
  auto a = version(1, "www A 192.0.2.1\nwww A 192.0.2.2\nold TXT \"x\"\n");
  auto b = version(2, "www A 192.0.2.1\nwww A 192.0.2.3\nnew TXT \"y\"\nttl 60 A 192.0.2.9\n");
  auto c = version(3, "www A 192.0.2.1\nwww A 192.0.2.3\nnew TXT \"y\"\nttl 120 A 192.0.2.9\n");
  const ZoneDiff d = diff_zones(*a, *b);
  EXPECT_EQ(d.from_serial, 1u);
  EXPECT_EQ(d.to_serial, 2u);
  EXPECT_EQ(texts(d.removed), (std::vector<std::string>{"old.example.org.\t3600\tIN\tTXT\t\"x\"",
                                                        "www.example.org.\t3600\tIN\tA\t192.0.2.2"}));
  EXPECT_EQ(texts(d.added), (std::vector<std::string>{"new.example.org.\t3600\tIN\tTXT\t\"y\"",
                                                      "ttl.example.org.\t60\tIN\tA\t192.0.2.9",
                                                      "www.example.org.\t3600\tIN\tA\t192.0.2.3"}));
  // A TTL change is a removal and an addition.
  const ZoneDiff e = diff_zones(*b, *c);
  ASSERT_EQ(e.removed.size(), 1u);
  ASSERT_EQ(e.added.size(), 1u);
  EXPECT_EQ(e.removed[0].ttl, 60u);
  EXPECT_EQ(e.added[0].ttl, 120u);
  // No difference but the serial.
  const ZoneDiff f = diff_zones(*c, *version(4, "www A 192.0.2.1\nwww A 192.0.2.3\nnew TXT \"y\"\nttl 120 A 192.0.2.9\n"));
  EXPECT_TRUE(f.removed.empty());
  EXPECT_TRUE(f.added.empty());
}

TEST(IxfrJournal, KeepsTheLastVersionsAndFindsChains) {
  IxfrJournal j(3);
  std::vector<std::shared_ptr<const zone::Zone>> v;
  for (uint32_t s = 1; s <= 6; ++s) v.push_back(version(s, "n" + std::to_string(s) + " A 192.0.2.1\n"));
  for (size_t i = 1; i < v.size(); ++i) j.record(*v[i - 1], *v[i]);
  EXPECT_EQ(j.size(kOrigin), 3u);  // 3->4, 4->5, 5->6
  EXPECT_FALSE(j.chain(kOrigin, 2, 6));
  auto c = j.chain(kOrigin, 3, 6);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0]->from_serial, 3u);
  EXPECT_EQ((*c)[2]->to_serial, 6u);
  c = j.chain(kOrigin, 4, 5);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size(), 1u);
  EXPECT_FALSE(j.chain(kOrigin, 5, 7));
  EXPECT_FALSE(j.chain(*zone::DnsName::from_text("example.net"), 3, 6));
  // The records of the IXFR answer.
  const auto recs = ixfr_records(*v[5], *j.chain(kOrigin, 4, 6));
  ASSERT_EQ(recs.size(), 2u + 2 * (2 + 2));  // SOA, (old SOA, -n, new SOA, +n) x2, SOA
  EXPECT_EQ(recs.front().type, zone::rrtype::SOA);
  EXPECT_EQ(recs.back().type, zone::rrtype::SOA);
  // A smaller history drops the oldest.
  j.set_history(1);
  EXPECT_EQ(j.size(kOrigin), 1u);
  EXPECT_TRUE(j.chain(kOrigin, 5, 6));
  j.forget(kOrigin);
  EXPECT_EQ(j.size(kOrigin), 0u);
}

TEST(IxfrJournal, KeepsAboutOneCopyOfTheZoneInBytes) {
  // Versions that each replace most of the zone: after a few, the oldest
  // differences go although the history allows 20 versions.
  IxfrJournal j(20);
  auto body = [](uint32_t s) {
    std::string t;
    for (int i = 0; i < 200; ++i) t += "h" + std::to_string(i) + " TXT \"value " + std::to_string(s) + "\"\n";
    return t;
  };
  std::vector<std::shared_ptr<const zone::Zone>> v;
  for (uint32_t s = 1; s <= 10; ++s) v.push_back(version(s, body(s)));
  for (size_t i = 1; i < v.size(); ++i) j.record(*v[i - 1], *v[i]);
  EXPECT_LE(j.size(kOrigin), 1u);  // each difference is twice the changed half: larger than the zone with another
  EXPECT_TRUE(j.chain(kOrigin, 9, 10));
  EXPECT_FALSE(j.chain(kOrigin, 8, 10));  // an AXFR is smaller than that chain
  // Small differences: all kept, up to the history.
  IxfrJournal small(20);
  std::vector<std::shared_ptr<const zone::Zone>> w;
  for (uint32_t s = 1; s <= 10; ++s) w.push_back(version(s, body(0) + "n A 192.0.2." + std::to_string(s) + "\n"));
  for (size_t i = 1; i < w.size(); ++i) small.record(*w[i - 1], *w[i]);
  EXPECT_EQ(small.size(kOrigin), 9u);
  EXPECT_TRUE(small.chain(kOrigin, 1, 10));
}

TEST(IxfrJournal, ABreakInTheSerialsStartsTheHistoryAgain) {
  IxfrJournal j(10);
  auto v1 = version(1, ""), v2 = version(2, "a A 192.0.2.1\n"), v5 = version(5, "b A 192.0.2.1\n"),
       v6 = version(6, "c A 192.0.2.1\n");
  j.record(*v1, *v2);
  j.record(*v5, *v6);  // 2 -> 5 was never seen
  EXPECT_EQ(j.size(kOrigin), 1u);
  EXPECT_FALSE(j.chain(kOrigin, 1, 6));
  // Going back is no version for IXFR either.
  j.record(*v6, *v2);
  EXPECT_EQ(j.size(kOrigin), 0u);
  IxfrJournal none(0);
  none.record(*v1, *v2);
  EXPECT_EQ(none.size(kOrigin), 0u);
}

}  // namespace
}  // namespace mailns::server
