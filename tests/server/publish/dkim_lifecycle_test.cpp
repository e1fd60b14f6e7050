// A DKIM selector walked through published -> active -> retiring -> retired
// with an injected clock: at each step the synthesized zone holds exactly
// the selectors that should be in DNS, and the zone, signed, validates
// (ldns-verify-zone).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>

#include "dnssec/signing_key.hpp"
#include "dnssec/zone_signer.hpp"
#include "synth/declaration_yaml.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "synth/mail_records.hpp"
#include "synth/mail_zone_set.hpp"
#include "synth/txt_rdata.hpp"
#include "test_dir.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {
namespace {

int64_t day(const char* date) {
  std::tm tm{};
  std::sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<synth::MailDomainDecl> declare(const std::string& yaml, synth::YamlErrors& errors) {
  return synth::read_mail_domains(YAML::Load(yaml)["mail_domains"], errors, MAILNS_SOURCE_DIR "/conf");
}

// Selector -> TXT value in the zone synthesized at `now`.
std::map<std::string, std::string> dkim_in_dns(const synth::SynthesizedZone& z) {
  std::map<std::string, std::string> out;
  for (const auto& r : z.records)
    if (r.type == zone::rrtype::TXT && r.owner.label_count() == 4 && r.owner.parent()->first_label() == "_domainkey")
      out[std::string(r.owner.first_label())] = synth::txt_value(r.rdata);
  return out;
}

bool signed_zone_validates(const synth::SynthesizedZone& z, int64_t now) {
  auto key = dnssec::SigningKey::generate(dnssec::Algorithm::kEcdsaP256Sha256, 257);
  if (!key) return false;
  dnssec::ZoneKeySet keys{dnssec::KeyUse{std::make_shared<dnssec::SigningKey>(std::move(*key)), true, true, true, true}};
  dnssec::SigningPolicy policy;
  auto s = dnssec::sign_zone(z.origin, z.records, keys, policy, now);
  if (!s) return false;
  testing::TestDir dir;
  std::string text;
  for (const auto& r : s->records) text += zone::record_to_text(r.owner, r.type, r.ttl, r.rdata) + "\n";
  dir.write("z.zone", text);
  // ldns-verify-zone checks signature times against the real clock: sign
  // with times around it (the lifecycle dates only choose the records).
  const std::string cmd = "ldns-verify-zone " + dir.file("z.zone") + " > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(DkimLifecycle, SelectorWalksPublishedActiveRetiringRetired) {
  synth::YamlErrors errors("t.yaml");
  auto decls = declare(R"(
mail_domains:
  - domain: example.org
    ttl: 3600
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
    mta_sts: { mode: testing }
    dkim:
      - { selector: old, key: keys/dkim-rsa.pem, publish_at: 2026-01-01, active_at: 2026-01-10, retire_at: 2026-12-01, remove_at: 2026-12-15, revoke: true }
      - { selector: new, key: keys/dkim-ed25519.pem, publish_at: 2026-11-20, active_at: 2026-12-01, retire_at: 2027-06-01, remove_at: 2027-06-15 }
)", errors);
  ASSERT_TRUE(errors.empty()) << errors.list().front();
  const auto& d = decls.at(0);
  struct Step {
    const char* date;
    synth::DkimState old_state, new_state;
  };
  const Step steps[] = {
      {"2026-11-10", synth::DkimState::kActive, synth::DkimState::kPending},
      {"2026-11-25", synth::DkimState::kActive, synth::DkimState::kPublished},
      {"2026-12-05", synth::DkimState::kRetiring, synth::DkimState::kActive},
      {"2026-12-20", synth::DkimState::kRetired, synth::DkimState::kActive},
  };
  for (const Step& st : steps) {
    const int64_t now = day(st.date);
    EXPECT_EQ(synth::dkim_state(d.dkim[0], now), st.old_state) << st.date;
    EXPECT_EQ(synth::dkim_state(d.dkim[1], now), st.new_state) << st.date;
    synth::Diagnostics diags;
    const auto z = synth::synthesize_mail_domain(d, synth::SynthOptions{2026112601, now}, diags);
    for (const auto& x : diags) EXPECT_NE(x.severity, synth::Diagnostic::Severity::kError) << x.str();
    const auto dns = dkim_in_dns(z);
    // old: in DNS while active or retiring; revoked (empty p=) once retired.
    ASSERT_TRUE(dns.count("old")) << st.date;
    if (st.old_state == synth::DkimState::kRetired) EXPECT_EQ(dns.at("old"), "v=DKIM1; p=") << st.date;
    else EXPECT_NE(dns.at("old").find("k=rsa"), std::string::npos) << st.date;
    // new: absent before publish_at, then published.
    EXPECT_EQ(dns.count("new"), st.new_state == synth::DkimState::kPending ? 0u : 1u) << st.date;
    EXPECT_TRUE(signed_zone_validates(z, static_cast<int64_t>(std::time(nullptr)))) << st.date;
  }
  EXPECT_EQ(synth::next_dkim_change(decls, day("2026-11-25")), day("2026-12-01"));
}

TEST(DkimLifecycle, StateUntilAndLint) {
  synth::YamlErrors errors("t.yaml");
  auto decls = declare(R"(
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
    mta_sts: { mode: testing }
    dkim:
      - { selector: a, key: keys/dkim-ed25519.pem, state: retiring, until: 2026-12-03 }
      - { selector: b, key: keys/dkim-ed25519.pem, publish_at: 2026-11-26, active_at: 2026-11-26 }
)", errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(synth::dkim_state(decls[0].dkim[0], day("2026-12-02")), synth::DkimState::kRetiring);
  EXPECT_EQ(synth::dkim_state(decls[0].dkim[0], day("2026-12-03")), synth::DkimState::kRetired);
  synth::MailZoneSet before = synth::build_mail_zones(decls, std::vector<synth::ReverseZoneDecl>{}, synth::SynthOptions{1, day("2026-11-20")});
  bool no_active = false, too_soon = false;
  for (const auto& x : before.diagnostics) {
    no_active |= x.str().find("no DKIM selector is active now") != std::string::npos;
    too_soon |= x.str().find("becomes active 0 s after it is published") != std::string::npos;
  }
  EXPECT_TRUE(no_active);
  EXPECT_TRUE(too_soon);

  auto two = declare(R"(
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
    mta_sts: { mode: testing }
    dkim:
      - { selector: a, key: keys/dkim-ed25519.pem, state: active }
      - { selector: b, key: keys/dkim-ed25519.pem, state: active }
)", errors);
  synth::MailZoneSet set = synth::build_mail_zones(two, std::vector<synth::ReverseZoneDecl>{}, synth::SynthOptions{1, day("2026-11-20")});
  bool twice = false;
  for (const auto& x : set.diagnostics) twice |= x.str().find("two active DKIM selectors use ed25519") != std::string::npos;
  EXPECT_TRUE(twice);

  synth::YamlErrors bad("t.yaml");
  declare("mail_domains:\n  - domain: example.org\n    dkim: [{ selector: a, key: k.pem, active_at: 2026-13-01 }]\n", bad);
  ASSERT_FALSE(bad.empty());
  EXPECT_NE(bad.list().front().find("is not a date; write YYYY-MM-DD"), std::string::npos);
}

}  // namespace
}  // namespace mailns::server
