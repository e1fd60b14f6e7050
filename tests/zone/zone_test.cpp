#include "zone/zone.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

using test::kMailZone;
using test::zone_from_text;

const Node* find(const Zone& z, const char* name) { return z.find(*DnsName::from_text(name)); }

TEST(Zone, BuildsTreeWithFlags) {
  auto z = zone_from_text("example.org", kMailZone);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->soa_serial(), 2026112601u);
  EXPECT_EQ(z->negative_ttl(), 300u);  // min(SOA TTL 3600, minimum 300)
  EXPECT_TRUE(z->apex().has(node_flag::kApex));

  const Node* dk = find(*z, "_domainkey.example.org");
  ASSERT_NE(dk, nullptr);  // empty non-terminal exists as a node
  EXPECT_TRUE(dk->has(node_flag::kEmptyNonTerminal));
  EXPECT_TRUE(dk->has(node_flag::kWildcardChild));
  ASSERT_NE(dk->wildcard_child(), nullptr);
  size_t dk_children = 0;
  z->for_each_node([&](const Node& n) { dk_children += n.parent() == dk; });
  EXPECT_EQ(dk_children, 2u);

  const Node* tcp = find(*z, "_tcp.mail.example.org");
  ASSERT_NE(tcp, nullptr);
  EXPECT_TRUE(tcp->has(node_flag::kEmptyNonTerminal));

  const Node* sub = find(*z, "sub.example.org");
  ASSERT_NE(sub, nullptr);
  EXPECT_TRUE(sub->has(node_flag::kDelegation));
  EXPECT_FALSE(sub->has(node_flag::kNonAuth));
  EXPECT_EQ(sub->cut(), sub);
  const Node* glue = find(*z, "ns.sub.example.org");
  ASSERT_NE(glue, nullptr);
  EXPECT_TRUE(glue->has(node_flag::kNonAuth));
  EXPECT_EQ(glue->cut(), sub);
  EXPECT_EQ(find(*z, "mail.example.org")->cut(), nullptr);
  EXPECT_EQ(z->apex().cut(), nullptr);  // apex NS is not a cut
}

TEST(Zone, ChildrenInCanonicalOrder) {
  auto z = zone_from_text("example.org", kMailZone);
  ASSERT_TRUE(z);
  std::vector<DnsName> order;
  z->for_each_node([&](const Node& n) { order.push_back(n.name()); });
  EXPECT_EQ(order.front(), z->origin());
  // Siblings are sorted; a depth-first walk of sorted children is canonical order.
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(order.size(), z->node_count());
}

TEST(Zone, RejectsCnameWithOtherData) {
  auto res = load_zone_text("@ 300 IN SOA ns hm 1 2 3 4 5\nx 300 IN CNAME a\nx 300 IN A 192.0.2.1\n",
                            *DnsName::from_text("example.org"), "t.zone");
  EXPECT_FALSE(res.zone);
  ASSERT_FALSE(res.errors.empty());
  EXPECT_NE(res.errors[0].find("CNAME and A"), std::string::npos) << res.errors[0];
}

TEST(Zone, RequiresExactlyOneSoa) {
  auto none = load_zone_text("@ 300 IN NS ns\n", *DnsName::from_text("example.org"), "t.zone");
  EXPECT_FALSE(none.zone);
  auto two = load_zone_text("@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN SOA ns hm 2 2 3 4 5\n",
                            *DnsName::from_text("example.org"), "t.zone");
  EXPECT_FALSE(two.zone);
}

TEST(Zone, ReportsFileAndLine) {
  auto res = load_zone_text("@ 300 IN SOA ns hm 1 2 3 4 5\n\nwww 300 IN A 999.1.1.1\n",
                            *DnsName::from_text("example.org"), "t.zone");
  ASSERT_FALSE(res.errors.empty());
  EXPECT_EQ(res.errors[0].rfind("t.zone:3:", 0), 0u) << res.errors[0];
}

TEST(Zone, OutOfZoneIgnoredWithWarningAndDuplicatesMerged) {
  auto res = load_zone_text(
      "@ 300 IN SOA ns hm 1 2 3 4 5\n@ 300 IN NS ns\nwww.other.net. 300 IN A 192.0.2.1\n"
      "www 300 IN A 192.0.2.1\nwww 600 IN A 192.0.2.1\nwww 600 IN A 192.0.2.2\n",
      *DnsName::from_text("example.org"), "t.zone");
  ASSERT_TRUE(res.zone);
  EXPECT_EQ(res.warnings.size(), 2u);  // out of zone, TTL mismatch
  const Node* www = res.zone->find(*DnsName::from_text("www.example.org"));
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->find(rrtype::A)->size(), 2u);
  EXPECT_EQ(www->find(rrtype::A)->ttl, 300u);
  EXPECT_EQ(res.zone->find(*DnsName::from_text("www.other.net")), nullptr);
}

TEST(Zone, ExportRoundTrips) {
  auto z = zone_from_text("example.org", kMailZone);
  ASSERT_TRUE(z);
  const std::string text = export_zone(*z);
  EXPECT_EQ(text.rfind("example.org.\t3600\tIN\tSOA", 0), 0u);
  auto again = zone_from_text("example.org", text);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->record_count(), z->record_count());
  EXPECT_EQ(export_zone(*again), text);
}

}  // namespace
}  // namespace mailns::zone
