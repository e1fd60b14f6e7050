#include "zone/dns_name.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace mailns::zone {
namespace {

DnsName N(const char* s) { return *DnsName::from_text(s); }

TEST(DnsName, ParsesAbsoluteAndImplicitlyAbsolute) {
  auto a = DnsName::from_text("mail.example.org.");
  auto b = DnsName::from_text("Mail.Example.ORG");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->label_count(), 3u);
  EXPECT_EQ(b->to_text(), "Mail.Example.ORG.");  // case kept for output
  EXPECT_EQ(a->wire().size(), 18u);
}

TEST(DnsName, RootIsValidAndDefault) {
  DnsName r;
  EXPECT_TRUE(r.is_root());
  EXPECT_EQ(r.to_text(), ".");
  EXPECT_EQ(*DnsName::from_text("."), r);
  EXPECT_FALSE(r.parent().has_value());
}

TEST(DnsName, RejectsInvalid) {
  std::string err;
  EXPECT_FALSE(DnsName::from_text("", &err));
  EXPECT_FALSE(DnsName::from_text("a..b", &err));
  EXPECT_FALSE(DnsName::from_text(std::string(64, 'a') + ".org", &err));
  EXPECT_NE(err.find("invalid domain name"), std::string::npos);
  EXPECT_TRUE(DnsName::from_text(std::string(63, 'a') + ".org"));
  // 4 x 63-octet labels = 256 octets of wire: too long.
  const std::string l(63, 'x');
  EXPECT_FALSE(DnsName::from_text(l + "." + l + "." + l + "." + l));
  // 255 exactly: 3 x 63 + one 61-octet label = 64*3 + 62 + 1 root = 255.
  EXPECT_TRUE(DnsName::from_text(l + "." + l + "." + l + "." + std::string(61, 'y')));
  EXPECT_FALSE(DnsName::from_text(l + "." + l + "." + l + "." + std::string(62, 'y')));
}

TEST(DnsName, FromWireValidates) {
  const uint8_t ok[] = {3, 'o', 'r', 'g', 0};
  EXPECT_TRUE(DnsName::from_wire(ok));
  const uint8_t no_root[] = {3, 'o', 'r', 'g'};
  EXPECT_FALSE(DnsName::from_wire(no_root));
  const uint8_t trailing[] = {3, 'o', 'r', 'g', 0, 1};
  EXPECT_FALSE(DnsName::from_wire(trailing));
  const uint8_t pointer[] = {0xC0, 0x0C};
  EXPECT_FALSE(DnsName::from_wire(pointer));
}

TEST(DnsName, EscapesRoundTrip) {
  auto n = DnsName::from_text("a\\.b.ex\\032ample.org");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->label_count(), 3u);
  EXPECT_EQ(n->first_label(), "a.b");
  EXPECT_EQ(n->to_text(), "a\\.b.ex\\032ample.org.");
  EXPECT_EQ(*DnsName::from_text(n->to_text()), *n);
}

TEST(DnsName, RelativeToOrigin) {
  const DnsName origin = N("example.org");
  EXPECT_EQ(*DnsName::from_text_relative("www", origin), N("www.example.org"));
  EXPECT_EQ(*DnsName::from_text_relative("@", origin), origin);
  EXPECT_EQ(*DnsName::from_text_relative("other.net.", origin), N("other.net"));
}

TEST(DnsName, SubdomainAndParent) {
  EXPECT_TRUE(N("a.b.example.org").is_subdomain_of(N("example.org")));
  EXPECT_TRUE(N("example.org").is_subdomain_of(N("example.org")));
  EXPECT_TRUE(N("example.org").is_subdomain_of(DnsName()));
  EXPECT_FALSE(N("badexample.org").is_subdomain_of(N("example.org")));
  EXPECT_FALSE(N("example.org").is_subdomain_of(N("a.example.org")));
  EXPECT_EQ(*N("a.b.org").parent(), N("b.org"));
  EXPECT_EQ(*N("b.org").prepend("_dmarc"), N("_dmarc.b.org"));
  EXPECT_FALSE(N("b.org").prepend(std::string(64, 'x')));
}

TEST(DnsName, LookupFormIsReversedLowerCasedAndPrefixOfDescendants) {
  const DnsName a = N("Mail.Example.org");
  EXPECT_EQ(a.lookup_form(), std::string("\3org\7example\4mail", 17));
  EXPECT_EQ(a.lookup_form().substr(0, N("example.org").lookup_form().size()), N("EXAMPLE.org").lookup_form());
}

TEST(DnsName, CanonicalOrderRfc4034Section61) {
  // The example list from RFC 4034 6.1, in canonical order.
  std::vector<DnsName> want = {N("example"),       N("a.example"),       N("yljkjljk.a.example"),
                               N("Z.a.example"),   N("zABC.a.EXAMPLE"),  N("z.example"),
                               N("\\001.z.example"), N("*.z.example"),   N("\\200.z.example")};
  std::vector<DnsName> got = want;
  std::reverse(got.begin(), got.end());
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << i << " " << got[i].to_text();
  EXPECT_TRUE(N("a.example") < N("b.example"));
  EXPECT_TRUE((N("A.example") <=> N("a.EXAMPLE")) == 0);
  EXPECT_TRUE(N("example") < N("a.example"));
  EXPECT_TRUE(DnsName() < N("com"));
}

TEST(DnsName, CopiesAndMovesKeepEveryNameValid) {
  DnsName a = N("Mail.Example.org.");
  DnsName copy = a;
  EXPECT_EQ(copy, a);
  EXPECT_EQ(copy.to_text(), "Mail.Example.org.");
  DnsName moved = std::move(a);
  EXPECT_EQ(moved, copy);
  EXPECT_TRUE(a.is_root());  // NOLINT(bugprone-use-after-move): a moved-from name is the root, still valid
  EXPECT_EQ(a.wire().size(), 1u);
  EXPECT_EQ(a.lookup_form().size(), 0u);
  a = copy;
  EXPECT_EQ(a.lookup_form(), copy.lookup_form());
  a = DnsName();
  EXPECT_TRUE(a.is_root());
  copy = copy;  // self-assignment keeps it
  EXPECT_EQ(copy.to_text(), "Mail.Example.org.");
  EXPECT_EQ(copy.lookup_form(), std::string_view("\3org\7example\4mail", 17));
}

TEST(DnsName, Wildcard) {
  EXPECT_TRUE(N("*._domainkey.example.org").is_wildcard());
  EXPECT_FALSE(N("a*._domainkey.example.org").is_wildcard());
}

TEST(DnsName, PackedIntoABlockTheCallerOwns) {
  std::vector<char> arena(N("Mail.Example.ORG").block_size() + 4, 'x');  // outlives the name packed in it
  DnsName name = N("Mail.Example.ORG");
  name.move_block_to(arena.data());
  EXPECT_EQ(name.to_text(), "Mail.Example.ORG.");
  EXPECT_EQ(name.label_count(), 3u);
  EXPECT_EQ(name, N("mail.example.org"));
  EXPECT_EQ(arena[name.block_size()], 'x');
  DnsName copy = name;  // owns its block
  DnsName assigned;
  assigned = name;
  name = DnsName();  // lets go of the packed block without freeing it
  EXPECT_TRUE(name.is_root());
  std::fill(arena.begin(), arena.end(), '\0');  // the packed block is gone
  EXPECT_EQ(copy.to_text(), "Mail.Example.ORG.");
  EXPECT_EQ(copy.label_count(), 3u);
  EXPECT_EQ(assigned, N("mail.example.org"));
  DnsName root;
  EXPECT_EQ(root.block_size(), 0u);
  root.move_block_to(nullptr);
  EXPECT_TRUE(root.is_root());
}

}  // namespace
}  // namespace mailns::zone
