// Prepared answers (zone/answer_cache) must be byte for byte what resolving
// and encoding the same query gives, with and without EDNS and DO, in an
// unsigned and a signed zone; a signed zone prepares only its DO=1 answers,
// and answers that are the RRset alone are written from it, not copied.
#include "zone/answer_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"
#include "zone/resolver.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

// RRSIG RDATA that parses (covered type, algorithm 13, labels, TTL, times,
// key tag, signer, 64 octets of signature); answers only copy it.
std::string rrsig(const std::string& owner, const std::string& type, int labels) {
  return owner + " RRSIG " + type + " 13 " + std::to_string(labels) +
         " 3600 20270101000000 20261101000000 12345 example.org. "
         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n";
}

struct Counts {
  size_t prepared = 0;
  size_t queries = 0;
};

// Every name and type of the zone, asked with the given EDNS options:
// each prepared answer equals the resolved one.
Counts check_every_rrset(const Zone& zone, const Snapshot& snap, test::QueryOpts opts) {
  Counts c;
  const EncodeParams params{65535, 1232};
  std::vector<uint8_t> prepared(65535), resolved(65535);
  zone.for_each_node([&](const Node& n) {
    for (const RRset& s : n.rrsets()) {
      const auto msg = test::make_query(n.name().to_text(), s.type, opts);
      Query q;
      if (parse_query(msg, q) != ParseStatus::kOk) {
        ADD_FAILURE() << n.name().to_text();
        continue;
      }
      ++c.queries;
      const size_t np = answer_prepared(q, snap, prepared, params);
      if (np == 0) continue;
      ++c.prepared;
      AnswerPlan plan;
      resolve(q, snap, plan);
      const size_t nr = encode_response(q, plan, resolved, params);
      EXPECT_EQ(std::vector<uint8_t>(prepared.begin(), prepared.begin() + np),
                std::vector<uint8_t>(resolved.begin(), resolved.begin() + nr))
          << n.name().to_text() << " " << type_to_text(s.type) << " edns=" << opts.edns << " do=" << opts.do_bit;
    }
  });
  return c;
}

TEST(AnswerCache, UnsignedAnswersEqualResolvedOnesWithAndWithoutDo) {
  const auto zone = test::zone_from_text("example.org.", test::kMailZone);
  ASSERT_TRUE(zone);
  const auto snap = test::snapshot_of({zone});
  const Counts plain = check_every_rrset(*zone, *snap, {});
  const Counts edns = check_every_rrset(*zone, *snap, {.edns = true});
  const Counts with_do = check_every_rrset(*zone, *snap, {.edns = true, .do_bit = true});
  EXPECT_GE(plain.prepared, 10u);
  EXPECT_EQ(edns.prepared, plain.prepared);
  EXPECT_EQ(with_do.prepared, plain.prepared);  // one prepared answer serves both
}

TEST(AnswerCache, SignedZonesPrepareOnlyTheirDnssecAnswers) {
  std::string text = test::kMailZone;
  // An NSEC makes it a signed zone (its chain is not needed for positive answers).
  text += "@ NSEC mail.example.org. NS SOA MX TXT RRSIG NSEC\n";
  text += rrsig("@", "SOA", 2) + rrsig("@", "MX", 2) + rrsig("@", "TXT", 2) + rrsig("@", "NS", 2) +
          rrsig("mail", "A", 3) + rrsig("mail", "AAAA", 3) + rrsig("_25._tcp.mail", "TLSA", 5) +
          rrsig("_submission._tcp", "SRV", 4);
  const auto zone = test::zone_from_text("example.org.", text);
  ASSERT_TRUE(zone);
  const auto snap = test::snapshot_of({zone});
  const Counts with_do = check_every_rrset(*zone, *snap, {.edns = true, .do_bit = true});
  const Counts without_do = check_every_rrset(*zone, *snap, {.edns = true});
  const Counts plain = check_every_rrset(*zone, *snap, {});
  EXPECT_GE(with_do.prepared, 10u);
  EXPECT_EQ(without_do.prepared, 0u);
  EXPECT_EQ(plain.prepared, 0u);
}

const RRset& rrset_at(const Zone& zone, const std::string& name, uint16_t type) {
  const Node* n = zone.find(*DnsName::from_text(name));
  EXPECT_TRUE(n) << name;
  const RRset* s = n ? n->find(type) : nullptr;
  EXPECT_TRUE(s) << name;
  static const RRset none;
  return s ? *s : none;
}

TEST(AnswerCache, AnswersThatAreTheRRsetAloneKeepNoCopy) {
  const auto zone = test::zone_from_text("example.org.", test::kMailZone);
  ASSERT_TRUE(zone);
  // TXT, TLSA, AAAA: the answer is the records under the qname, nothing added.
  for (const auto& [name, type] : {std::pair{"example.org.", rrtype::TXT}, std::pair{"_25._tcp.mail.example.org.", rrtype::TLSA},
                                   std::pair{"mail.example.org.", rrtype::AAAA}}) {
    const RRset& s = rrset_at(*zone, name, type);
    EXPECT_EQ(s.whole_answers, RRset::kWholePlain) << name;
    EXPECT_TRUE(s.prepared.empty()) << name;
  }
  // MX: its exchange is compressed and its addresses are added; kept encoded.
  const RRset& mx = rrset_at(*zone, "example.org.", rrtype::MX);
  EXPECT_EQ(mx.whole_answers, 0);
  EXPECT_EQ(mx.prepared.size(), 1u);

  std::string text = test::kMailZone;
  text += "@ NSEC mail.example.org. NS SOA MX TXT RRSIG NSEC\n" + rrsig("@", "TXT", 2) + rrsig("@", "MX", 2);
  const auto signed_zone = test::zone_from_text("example.org.", text);
  ASSERT_TRUE(signed_zone);
  const RRset& txt = rrset_at(*signed_zone, "example.org.", rrtype::TXT);
  EXPECT_EQ(txt.whole_answers, RRset::kWholeSigned);
  EXPECT_TRUE(txt.prepared.empty());
  EXPECT_EQ(rrset_at(*signed_zone, "example.org.", rrtype::MX).prepared.size(), 2u);
  // And every one of them is still what resolving gives, byte for byte.
  const auto snap = test::snapshot_of({signed_zone});
  EXPECT_GE(check_every_rrset(*signed_zone, *snap, {.edns = true, .do_bit = true}).prepared, 10u);
  EXPECT_EQ(check_every_rrset(*signed_zone, *snap, {.edns = true}).prepared, 0u);
}

}  // namespace
}  // namespace mailns::zone
