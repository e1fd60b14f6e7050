// config_subset (the zones `mailns reload ZONE` loads) and
// control_socket_path (the client reads only the server: section).
#include "server/config/config_subset.hpp"

#include <gtest/gtest.h>

#include "server/config/control_socket_path.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

using testing::kZone;

zone::DnsName name(const char* text) { return *zone::DnsName::from_text(text); }

class ConfigSubsetTest : public ::testing::Test {
 protected:
  Config load(const std::string& yaml) {
    dir.write("a.zone", kZone);
    dir.write("b.zone", kZone);
    ConfigResult r = load_config(dir.write("mailns.yaml", yaml));
    for (const auto& e : r.errors) ADD_FAILURE() << e;
    return r.config ? *r.config : Config{};
  }
  TestDir dir;
};

constexpr const char* kConfig = R"(server: { state_dir: st }
zones:
  - { origin: a.example, file: a.zone }
  - { origin: b.example, file: b.zone, dnssec: { enabled: true, algorithm: ecdsap256sha256, keys: csk, denial: nsec, key_dir: k } }
mail_domains:
  - domain: example.org
    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]
  - domain: example.com
    nameservers: [{ name: ns1.example.com, ipv4: 192.0.2.53 }]
    mail_hosts: [{ name: mail.example.com, ipv4: 192.0.2.11 }]
reverse_zones: [2.0.192.in-addr.arpa]
)";

TEST_F(ConfigSubsetTest, KeepsOnlyTheZonesAskedFor) {
  const Config c = load(kConfig);
  const std::vector<zone::DnsName> want{name("B.example"), name("example.com"), name("nosuch.example")};
  std::vector<zone::DnsName> missing;
  const Config s = config_subset(c, want, &missing);
  ASSERT_EQ(s.zones.size(), 1u);
  EXPECT_EQ(s.zones[0].origin, name("b.example"));
  EXPECT_EQ(s.zones[0].file, c.zones[1].file);
  ASSERT_EQ(s.mail_domains.size(), 1u);
  EXPECT_EQ(s.mail_domains[0].domain, name("example.com"));
  EXPECT_TRUE(s.reverse_zones.empty());
  EXPECT_EQ(missing, std::vector<zone::DnsName>{name("nosuch.example")});
  // Its own DNSSEC settings come along, the others' do not.
  EXPECT_TRUE(s.dnssec_for(name("b.example")).enabled);
  EXPECT_EQ(s.dnssec_overrides.size(), 1u);
  EXPECT_EQ(s.server.state_dir, c.server.state_dir);
  EXPECT_EQ(s.entry_texts.zones.size(), 1u);
  EXPECT_EQ(s.entry_texts.mail_domains.size(), 1u);
}

TEST_F(ConfigSubsetTest, AReverseZoneKeepsEveryMailDomain) {
  const Config c = load(kConfig);
  const std::vector<zone::DnsName> want{name("2.0.192.in-addr.arpa")};
  std::vector<zone::DnsName> missing;
  const Config s = config_subset(c, want, &missing);
  EXPECT_TRUE(missing.empty());
  EXPECT_TRUE(s.zones.empty());
  EXPECT_EQ(s.reverse_zones.size(), 1u);
  EXPECT_EQ(s.mail_domains.size(), 2u);
  EXPECT_EQ(s.dnssec_overrides.size(), c.dnssec_overrides.size());
}

TEST(ControlSocketPathTest, ReadsOnlyTheServerSection) {
  TestDir dir;
  // The zones after server: do not even parse: they are never read.
  const std::string path = dir.write("mailns.yaml",
                                     "# comment\nserver:\n  listen: [127.0.0.1:53]\n\n  # a comment\n"
                                     "  state_dir: run\nzones: [ { origin: \"unterminated\n");
  EXPECT_EQ(control_socket_path(path), dir.file("run") + "/mailns.sock");
  const std::string explicit_socket =
      dir.write("b.yaml", "zones: []\nserver: { control_socket: /tmp/x.sock, state_dir: s }\ndnssec: {}\n");
  EXPECT_EQ(control_socket_path(explicit_socket), "/tmp/x.sock");
  const std::string none = dir.write("c.yaml", "zones: []\n");
  EXPECT_EQ(control_socket_path(none), dir.file("state") + "/mailns.sock");
}

TEST(ControlSocketPathTest, AnAliasReadsTheWholeDocument) {
  TestDir dir;
  const std::string path =
      dir.write("mailns.yaml", "defaults: &d run2\nserver:\n  state_dir: *d\nzones: []\n");
  EXPECT_EQ(control_socket_path(path), dir.file("run2") + "/mailns.sock");
  ServerBlockReader r;
  for (const char* line : {"a: 1", "server:", "  x: 1", "", "# c", "  y: 2", "zones:", "server: again"}) r.add_line(line);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.block(), std::optional<std::string>("server:\n  x: 1\n\n# c\n  y: 2\n"));
}

}  // namespace
}  // namespace mailns::server
