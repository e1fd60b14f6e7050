// Rollovers with an injected clock: ZSK pre-publication, KSK
// double-signature waiting for the parent's DS, CSK rollover, manual
// triggers, restart in the middle, and each intermediate zone must still
// pass ldns-verify-zone.
#include <gtest/gtest.h>

#include <ctime>

#include "dnssec/key_store.hpp"
#include "dnssec/rollover.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::name;
constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'800'000'000;

const RolloverTtls kTtls{3600, 86400};
// Ipub = 3600 + 3600; Iret = 3600 + 86400; Ids = 3600 + 86400.
constexpr int64_t kIpub = 7200, kIret = 90000, kIds = 90000;

const char* kZone =
    "example.org. 3600 IN SOA ns1.example.org. h.example.org. 1 2 3 4 300\n"
    "example.org. 3600 IN NS ns1.example.org.\n"
    "example.org. 3600 IN MX 10 mail.example.org.\n"
    "ns1.example.org. 3600 IN A 192.0.2.1\n"
    "mail.example.org. 86400 IN A 192.0.2.2\n";

size_t count(const ZoneKeys& z, KeyRole role, KeyState state) {
  size_t n = 0;
  for (const auto& k : z.keys) n += k.role == role && k.state == state;
  return n;
}

// Sign with the keys of this state (at the real time, for ldns) and verify.
void expect_valid_zone(const ZoneKeys& z, const SigningPolicy& policy, const std::string& step) {
  auto s = sign_zone(name("example.org."), test::records_from_text("example.org.", kZone), key_set(z), policy,
                     static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(s.ok()) << step << ": " << s.error();
  const auto v = test::ldns_verify(s->records, "roll");
  EXPECT_EQ(v.status, 0) << step << "\n" << v.output;
}

ZoneKeys step(ZoneKeys z, int64_t now, const SigningPolicy& policy, bool expect_change, const std::string& what) {
  auto r = advance(std::move(z), now, kTtls, policy);
  EXPECT_TRUE(r.ok()) << what << ": " << (r.ok() ? "" : r.error());
  EXPECT_EQ(r->changed, expect_change) << what;
  return std::move(r->keys);
}

TEST(Rollover, ZskPrePublicationByLifetimeAcrossARestart) {
  test::TempDir tmp;
  SigningPolicy policy;
  policy.keys = KeyScheme::kKskZsk;
  policy.zsk_lifetime = 30 * kDay;
  auto created = load_or_create(tmp.path(), name("example.org."), policy, kT0);
  ASSERT_TRUE(created.ok()) << created.error();
  const uint16_t old_zsk = created->keys[1].tag;

  auto r0 = advance(*created, kT0 + kDay, kTtls, policy);
  ASSERT_TRUE(r0.ok());
  EXPECT_FALSE(r0->changed);
  EXPECT_EQ(r0->next_event, kT0 + 30 * kDay);

  // Lifetime reached: a new ZSK is published, the old one still signs.
  auto r1 = advance(*created, kT0 + 30 * kDay, kTtls, policy);
  ASSERT_TRUE(r1.ok());
  EXPECT_TRUE(r1->changed);
  EXPECT_EQ(r1->next_event, kT0 + 30 * kDay + kIpub);
  EXPECT_EQ(count(r1->keys, KeyRole::kZsk, KeyState::kPublished), 1u);
  ASSERT_FALSE(r1->events.empty());
  auto set = key_set(r1->keys);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_TRUE(set[1].sign_zone);   // old ZSK
  EXPECT_FALSE(set[2].sign_zone);  // new ZSK, published only
  expect_valid_zone(r1->keys, policy, "new ZSK published");

  // Restart: persist, load again, carry on.
  ASSERT_TRUE(save_keys(r1->keys).ok());
  auto reloaded = load_keys(tmp.path(), name("example.org."));
  ASSERT_TRUE(reloaded.ok()) << reloaded.error();
  EXPECT_EQ(format_key_state(*reloaded), format_key_state(r1->keys));

  ZoneKeys z = step(*reloaded, kT0 + 30 * kDay + kIpub - 1, policy, false, "before Ipub");
  z = step(std::move(z), kT0 + 30 * kDay + kIpub, policy, true, "Ipub passed");
  EXPECT_EQ(count(z, KeyRole::kZsk, KeyState::kActive), 1u);
  EXPECT_EQ(count(z, KeyRole::kZsk, KeyState::kRetired), 1u);
  set = key_set(z);
  for (const auto& u : set)
    if (u.key->tag() == old_zsk) {
      EXPECT_TRUE(u.publish && !u.sign_zone);
    }
  expect_valid_zone(z, policy, "new ZSK active, old retired");

  z = step(std::move(z), kT0 + 30 * kDay + kIpub + kIret - 1, policy, false, "before Iret");
  z = step(std::move(z), kT0 + 30 * kDay + kIpub + kIret, policy, true, "Iret passed");
  EXPECT_EQ(count(z, KeyRole::kZsk, KeyState::kRemoved), 1u);
  EXPECT_EQ(key_set(z).size(), 2u);
  expect_valid_zone(z, policy, "old ZSK removed");
  ASSERT_TRUE(save_keys(z).ok());
  auto final_state = load_keys(tmp.path(), name("example.org."));
  ASSERT_TRUE(final_state.ok()) << final_state.error();  // removed key's file is not needed
}

TEST(Rollover, KskDoubleSignatureWaitsForTheParentDs) {
  test::TempDir tmp;
  SigningPolicy policy;
  policy.keys = KeyScheme::kKskZsk;
  auto created = load_or_create(tmp.path(), name("example.org."), policy, kT0);
  ASSERT_TRUE(created.ok());
  ZoneKeys z = std::move(*created);
  const uint16_t old_ksk = z.keys[0].tag;

  ASSERT_TRUE(request_rollover(z, KeyRole::kKsk, kT0 + 10).ok());
  z = step(std::move(z), kT0 + 10, policy, true, "requested");
  ASSERT_EQ(count(z, KeyRole::kKsk, KeyState::kPublished), 1u);
  EXPECT_FALSE(request_rollover(z, KeyRole::kKsk, kT0 + 11).ok()) << "already rolling";
  const uint16_t new_ksk = z.keys.back().tag;
  auto set = key_set(z);
  size_t keyset_signers = 0;
  for (const auto& u : set) {
    keyset_signers += u.sign_keyset;
    if (u.key->tag() == old_ksk) {
      EXPECT_TRUE(u.publish_cds);
    }
    if (u.key->tag() == new_ksk) {
      EXPECT_FALSE(u.publish_cds);
    }
  }
  EXPECT_EQ(keyset_signers, 2u) << "double signature of the DNSKEY RRset";
  expect_valid_zone(z, policy, "new KSK published");

  z = step(std::move(z), kT0 + 10 + kIpub, policy, true, "ready");
  EXPECT_EQ(count(z, KeyRole::kKsk, KeyState::kReady), 1u);
  for (const auto& u : key_set(z)) {
    if (u.key->tag() == old_ksk) {
      EXPECT_FALSE(u.publish_cds);
    }
    if (u.key->tag() == new_ksk) {
      EXPECT_TRUE(u.publish_cds) << "CDS now points at the new KSK";
    }
  }

  // Without the DS at the parent nothing moves, however long we wait.
  auto waiting = advance(z, kT0 + 100 * kDay, kTtls, policy);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->changed);
  EXPECT_FALSE(waiting->next_event.has_value());

  EXPECT_FALSE(confirm_ds(z, old_ksk, kT0 + kDay).ok());
  ASSERT_TRUE(confirm_ds(z, new_ksk, kT0 + kDay).ok());
  z = step(std::move(z), kT0 + kDay + kIds - 1, policy, false, "DS TTL not yet passed");
  z = step(std::move(z), kT0 + kDay + kIds, policy, true, "DS TTL passed");
  EXPECT_EQ(count(z, KeyRole::kKsk, KeyState::kActive), 1u);
  EXPECT_EQ(count(z, KeyRole::kKsk, KeyState::kRemoved), 1u);
  set = key_set(z);
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0].key->tag() == new_ksk || set[1].key->tag() == new_ksk, true);
  expect_valid_zone(z, policy, "old KSK removed");
}

TEST(Rollover, CskRollover) {
  test::TempDir tmp;
  SigningPolicy policy;  // CSK
  policy.ksk_lifetime = 365 * kDay;
  auto created = load_or_create(tmp.path(), name("example.org."), policy, kT0);
  ASSERT_TRUE(created.ok());
  ZoneKeys z = std::move(*created);
  const uint16_t old_csk = z.keys[0].tag;
  const int64_t t1 = kT0 + 365 * kDay;
  z = step(std::move(z), t1, policy, true, "lifetime");
  const uint16_t new_csk = z.keys.back().tag;
  expect_valid_zone(z, policy, "new CSK published");

  z = step(std::move(z), t1 + kIpub, policy, true, "new CSK ready");
  for (const auto& u : key_set(z)) {
    if (u.key->tag() == old_csk) {
      EXPECT_TRUE(u.sign_keyset && !u.sign_zone && !u.publish_cds);
    }
    if (u.key->tag() == new_csk) {
      EXPECT_TRUE(u.sign_keyset && u.sign_zone && u.publish_cds);
    }
  }
  expect_valid_zone(z, policy, "new CSK signs the zone");

  ASSERT_TRUE(confirm_ds(z, new_csk, t1 + kIpub).ok());
  z = step(std::move(z), t1 + kIpub + kIds, policy, true, "swap");
  EXPECT_EQ(count(z, KeyRole::kCsk, KeyState::kActive), 1u);
  ASSERT_EQ(key_set(z).size(), 1u);
  EXPECT_EQ(key_set(z)[0].key->tag(), new_csk);
  expect_valid_zone(z, policy, "old CSK removed");
  // Next lifetime is scheduled from the new key's activation.
  auto next = advance(z, t1 + kIpub + kIds + 1, kTtls, policy);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->next_event, t1 + kIpub + kIds + 365 * kDay);
}

TEST(Rollover, ManualZskRolloverWithoutLifetime) {
  test::TempDir tmp;
  SigningPolicy policy;
  policy.keys = KeyScheme::kKskZsk;  // zsk_lifetime 0: manual only
  auto created = load_or_create(tmp.path(), name("example.org."), policy, kT0);
  ASSERT_TRUE(created.ok());
  ZoneKeys z = std::move(*created);
  auto idle = advance(z, kT0 + 1000 * kDay, kTtls, policy);
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(idle->changed);
  EXPECT_FALSE(idle->next_event.has_value());
  EXPECT_FALSE(request_rollover(z, KeyRole::kCsk, kT0).ok()) << "no CSK in this zone";
  ASSERT_TRUE(request_rollover(z, KeyRole::kZsk, kT0 + 5).ok());
  z = step(std::move(z), kT0 + 5, policy, true, "manual");
  EXPECT_EQ(count(z, KeyRole::kZsk, KeyState::kPublished), 1u);
  EXPECT_EQ(z.zsk_roll_requested, 0);
}

}  // namespace
}  // namespace mailns::dnssec
