#include "server/config/config.hpp"

#include <gtest/gtest.h>

#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

using testing::kZone;

// Joins all errors so a failing assertion shows every message.
std::string all(const ConfigResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e + "\n";
  return s;
}

bool has_error(const ConfigResult& r, const std::string& where, const std::string& fragment) {
  for (const auto& e : r.errors)
    if (e.rfind(where, 0) == 0 && e.find(fragment) != std::string::npos) return true;
  return false;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir.write("zones/example.org.zone", kZone); }
  ConfigResult parse(const std::string& yaml) {
    path = dir.write("mailns.yaml", yaml);
    return load_config(path);
  }
  std::string at(int line) const { return path + ":" + std::to_string(line) + ": "; }

  TestDir dir;
  std::string path;
};

TEST_F(ConfigTest, ValidConfigParses) {
  auto r = parse(
      "server:\n"
      "  listen: [127.0.0.1:5300, \"[::1]:5300\"]\n"
      "  threads: 3\n"
      "  udp_payload: 1400\n"
      "  tcp_idle_timeout: 7\n"
      "  tcp_max_connections: 99\n"
      "  log_level: debug\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n");
  ASSERT_TRUE(r.config) << all(r);
  const Config& c = *r.config;
  ASSERT_EQ(c.server.listen.size(), 2u);
  EXPECT_EQ(c.server.listen[0].to_string(), "127.0.0.1:5300");
  EXPECT_EQ(c.server.listen[1].to_string(), "[::1]:5300");
  EXPECT_TRUE(c.server.listen[1].v6);
  EXPECT_EQ(c.server.threads, 3u);
  EXPECT_EQ(c.server.udp_payload, 1400);
  EXPECT_EQ(c.server.tcp_idle_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c.server.tcp_max_connections, 99u);
  EXPECT_EQ(c.server.log_level, LogLevel::kDebug);
  ASSERT_EQ(c.zones.size(), 1u);
  EXPECT_EQ(c.zones[0].origin.to_text(), "example.org.");
  EXPECT_EQ(c.zones[0].file, dir.file("zones/example.org.zone"));
  EXPECT_EQ(c.zones[0].line, 9);
}

TEST_F(ConfigTest, DefaultsApplyWhenServerSectionIsAbsent) {
  auto r = parse("zones:\n  - {origin: example.org, file: zones/example.org.zone}\n");
  ASSERT_TRUE(r.config) << all(r);
  ASSERT_EQ(r.config->server.listen.size(), 1u);
  EXPECT_EQ(r.config->server.listen[0].to_string(), "127.0.0.1:53");
  EXPECT_GE(r.config->server.threads, 1u);
  EXPECT_EQ(r.config->server.udp_payload, 1232);
  EXPECT_EQ(r.config->server.tcp_idle_timeout, std::chrono::seconds(10));
  EXPECT_EQ(r.config->server.tcp_max_connections, 256u);
  EXPECT_EQ(r.config->server.log_level, LogLevel::kInfo);
}

TEST_F(ConfigTest, TcpLimitsParseAndAreChecked) {
  auto r = parse(
      "server:\n"
      "  tcp_io_timeout: 3\n"
      "  tcp_max_connections_per_address: 8\n"
      "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->server.tcp_io_timeout, std::chrono::seconds(3));
  EXPECT_EQ(r.config->server.tcp_max_connections_per_address, 8u);
  auto d = parse("zones:\n  - {origin: example.org, file: zones/example.org.zone}\n");
  ASSERT_TRUE(d.config) << all(d);
  EXPECT_EQ(d.config->server.tcp_io_timeout, std::chrono::seconds(2));
  EXPECT_EQ(d.config->server.tcp_max_connections_per_address, 32u);
  auto bad = parse(
      "server:\n"
      "  tcp_io_timeout: 0\n"
      "  tcp_max_connections_per_address: many\n"
      "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n");
  EXPECT_FALSE(bad.config);
  EXPECT_TRUE(has_error(bad, at(2), "server.tcp_io_timeout: 0 is out of range")) << all(bad);
  EXPECT_TRUE(has_error(bad, at(3), "server.tcp_max_connections_per_address: expected a whole number")) << all(bad);
}

TEST_F(ConfigTest, NsidIsPrintableTextUpTo128Octets) {
  const std::string zones = "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";
  auto r = parse("server:\n  nsid: ns1-fra\n" + zones);
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->server.nsid, "ns1-fra");
  auto none = parse(zones);
  ASSERT_TRUE(none.config) << all(none);
  EXPECT_EQ(none.config->server.nsid, "");
  for (const std::string& bad : std::vector<std::string>{"\"\"", std::string(129, 'n'), "\"caf\\u00e9\"", "[a]"}) {
    auto b = parse("server:\n  nsid: " + bad + "\n" + zones);
    EXPECT_FALSE(b.config) << bad;
    EXPECT_TRUE(has_error(b, at(2), "server.nsid: expected")) << all(b);
  }
}

TEST_F(ConfigTest, RateLimitAndCookies) {
  const std::string zones = "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";
  auto off = parse(zones);
  ASSERT_TRUE(off.config) << all(off);
  EXPECT_FALSE(off.config->server.rate_limit);
  EXPECT_TRUE(off.config->server.cookies);
  auto r = parse("server:\n  cookies: false\n  rate_limit: { responses_per_second: 20, slip: 3, ipv4_prefix: 28, "
                 "ipv6_prefix: 48, exempt: [10.0.0.0/8, \"2001:db8::/32\"] }\n" + zones);
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_FALSE(r.config->server.cookies);
  ASSERT_TRUE(r.config->server.rate_limit);
  const RateLimitConfig& rl = *r.config->server.rate_limit;
  EXPECT_EQ(rl.responses_per_second, 20u);
  EXPECT_EQ(rl.slip, 3u);
  EXPECT_EQ(rl.ipv4_prefix, 28);
  EXPECT_EQ(rl.ipv6_prefix, 48);
  ASSERT_EQ(rl.exempt.size(), 2u);
  EXPECT_EQ(rl.exempt[1].to_string(), "2001:db8::/32");
  auto defaults = parse("server:\n  rate_limit: { responses_per_second: 5 }\n" + zones);
  ASSERT_TRUE(defaults.config) << all(defaults);
  EXPECT_EQ(defaults.config->server.rate_limit->slip, 2u);
  EXPECT_EQ(defaults.config->server.rate_limit->ipv4_prefix, 24);
  EXPECT_EQ(defaults.config->server.rate_limit->ipv6_prefix, 56);
  const std::pair<std::string, std::string> bad[] = {
      {"{ slip: 2 }", "server.rate_limit: missing 'responses_per_second'"},
      {"{ responses_per_second: 0 }", "server.rate_limit.responses_per_second"},
      {"{ responses_per_second: 5, slip: 11 }", "server.rate_limit.slip"},
      {"{ responses_per_second: 5, ipv4_prefix: 33 }", "server.rate_limit.ipv4_prefix"},
      {"{ responses_per_second: 5, exempt: [10.0.0.1/8] }", "server.rate_limit.exempt[0]"},
      {"{ responses_per_second: 5, burst: 3 }", "burst"},
      {"20", "server.rate_limit: expected a mapping"},
  };
  for (const auto& [text, error] : bad) {
    auto b = parse("server:\n  rate_limit: " + text + "\n" + zones);
    EXPECT_FALSE(b.config) << text;
    EXPECT_TRUE(has_error(b, at(2), error)) << text << ": " << all(b);
  }
}

// Issue 15: server.user/server.group name an existing, unprivileged user.
TEST_F(ConfigTest, RunAsUserAndGroup) {
  const std::string zones = "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";
  auto none = parse(zones);
  ASSERT_TRUE(none.config) << all(none);
  EXPECT_FALSE(none.config->server.run_as);
  auto r = parse("server:\n  user: nobody\n" + zones);
  ASSERT_TRUE(r.config) << all(r);
  ASSERT_TRUE(r.config->server.run_as);
  EXPECT_EQ(r.config->server.run_as->user, "nobody");
  EXPECT_NE(r.config->server.run_as->uid, 0u);
  auto bad = parse("server:\n  user: no-such-user-mailns\n  group: no-such-group-mailns\n" + zones);
  EXPECT_TRUE(has_error(bad, at(2), "server.user: there is no user 'no-such-user-mailns'")) << all(bad);
  bad = parse("server:\n  user: root\n" + zones);
  EXPECT_TRUE(has_error(bad, at(2), "server.user: 'root' is root (uid 0)")) << all(bad);
  bad = parse("server:\n  group: nogroup\n" + zones);
  EXPECT_TRUE(has_error(bad, at(2), "server.group: given without server.user")) << all(bad);
  bad = parse("server:\n  user: nobody\n  group: no-such-group-mailns\n" + zones);
  EXPECT_TRUE(has_error(bad, at(3), "server.group: there is no group 'no-such-group-mailns'")) << all(bad);
}

TEST_F(ConfigTest, AbsoluteZonePathIsKept) {
  auto r = parse("zones:\n  - origin: example.org\n    file: " + dir.file("zones/example.org.zone") + "\n");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->zones[0].file, dir.file("zones/example.org.zone"));
}

TEST_F(ConfigTest, UnknownKeysAreRejectedWithLineAndSuggestion) {
  auto r = parse(
      "server:\n"
      "  thread: 2\n"
      "mail_domain: []\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n"
      "    ttl: 5\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(2), "unknown key 'server.thread'; did you mean 'threads'")) << all(r);
  EXPECT_TRUE(has_error(r, at(3), "unknown key 'mail_domain'; did you mean 'mail_domains'")) << all(r);
  EXPECT_TRUE(has_error(r, at(7), "unknown key 'zones[0].ttl'")) << all(r);
  EXPECT_EQ(r.errors.size(), 3u) << all(r);
}

TEST_F(ConfigTest, WrongTypesAreRejected) {
  auto r = parse(
      "server:\n"
      "  threads: two\n"
      "  udp_payload: [1232]\n"
      "  tcp_idle_timeout: 0\n"
      "  log_level: verbose\n"
      "  listen: 127.0.0.1:53\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(2), "server.threads: expected a whole number from 1 to 256, got 'two'")) << all(r);
  EXPECT_TRUE(has_error(r, at(3), "server.udp_payload: expected a whole number of octets from 512 to 4096, got a list"))
      << all(r);
  EXPECT_TRUE(has_error(r, at(4), "server.tcp_idle_timeout: 0 is out of range")) << all(r);
  EXPECT_TRUE(has_error(r, at(5), "server.log_level: expected one of trace, debug, info, warn, error, got 'verbose'"))
      << all(r);
  EXPECT_TRUE(has_error(r, at(6), "server.listen: expected a list of addresses")) << all(r);
  EXPECT_EQ(r.errors.size(), 5u) << all(r);
}

TEST_F(ConfigTest, BadAddressesAreRejectedEachWithItsLine) {
  auto r = parse(
      "server:\n"
      "  listen:\n"
      "    - 127.0.0.1\n"
      "    - 1.2.3.4:99999\n"
      "    - localhost:53\n"
      "    - [::1]\n"
      "    - \"::1:53\"\n"
      "    - 127.0.0.1:0\n"
      "    - 300.1.1.1:53\n"
      "    - 127.0.0.1:5300\n"
      "    - 127.0.0.1:5300\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(3), "has no port; write 127.0.0.1:53")) << all(r);
  EXPECT_TRUE(has_error(r, at(4), "port '99999' is not a number from 1 to 65535")) << all(r);
  EXPECT_TRUE(has_error(r, at(5), "'localhost' is not an IP address (host names are not resolved)")) << all(r);
  EXPECT_TRUE(has_error(r, at(6), "quote IPv6 addresses")) << all(r);
  EXPECT_TRUE(has_error(r, at(7), "IPv6 address without brackets")) << all(r);
  EXPECT_TRUE(has_error(r, at(8), "port '0' is not a number from 1 to 65535")) << all(r);
  EXPECT_TRUE(has_error(r, at(9), "'300.1.1.1' is not an IPv4 address")) << all(r);
  EXPECT_TRUE(has_error(r, at(11), "127.0.0.1:5300 is listed twice (first at line 10)")) << all(r);
  EXPECT_EQ(r.errors.size(), 8u) << all(r);
}

TEST_F(ConfigTest, UnquotedIpv6IsASyntaxErrorThatSaysToQuote) {
  auto r = parse(
      "server:\n"
      "  listen:\n"
      "    - 127.0.0.1:53\n"
      "    - [::1]:53\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_NE(r.errors[0].find("YAML syntax error"), std::string::npos) << all(r);
  EXPECT_NE(r.errors[0].find("IPv6 addresses need quotes: \"[::1]:53\""), std::string::npos) << all(r);
}

TEST_F(ConfigTest, MissingZoneFileIsReportedAtItsLine) {
  auto r = parse(
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n"
      "  - origin: example.net\n"
      "    file: zones/missing.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(5), "zones[1].file: zone file 'zones/missing.zone' does not exist (looked for " +
                                      dir.file("zones/missing.zone") + ")"))
      << all(r);
  EXPECT_EQ(r.errors.size(), 1u) << all(r);
}

TEST_F(ConfigTest, DuplicateOriginIsAnError) {
  auto r = parse(
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n"
      "  - origin: Example.ORG.\n"
      "    file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(4), "zones[1].origin: zone Example.ORG. is already defined at line 2")) << all(r);
}

TEST_F(ConfigTest, MissingRequiredKeys) {
  auto r = parse("server:\n  threads: 1\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(1), "nothing to serve")) << all(r);

  r = parse("zones:\n  - origin: example.org\n  - file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(2), "zones[0]: missing 'file'")) << all(r);
  EXPECT_TRUE(has_error(r, at(3), "zones[1]: missing 'origin'")) << all(r);
}

TEST_F(ConfigTest, BadOriginAndRepeatedKey) {
  auto r = parse(
      "server:\n"
      "  threads: 1\n"
      "  threads: 2\n"
      "zones:\n"
      "  - origin: bad..name\n"
      "    file: zones/example.org.zone\n");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(3), "'server.threads' is given twice (first at line 2)")) << all(r);
  EXPECT_TRUE(has_error(r, at(5), "zones[0].origin: 'bad..name' is not a valid domain name")) << all(r);
}

TEST_F(ConfigTest, YamlSyntaxErrorHasALine) {
  auto r = parse("server:\n  threads: 1\n   listen: [\n");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_NE(r.errors[0].find("YAML syntax error"), std::string::npos) << all(r);
  EXPECT_EQ(r.errors[0].rfind(path + ":", 0), 0u) << all(r);
}

TEST_F(ConfigTest, EmptyAndMissingFile) {
  auto r = parse("");
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(1), "the configuration is empty")) << all(r);

  r = load_config(dir.file("nope.yaml"));
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find(dir.file("nope.yaml") + ":1: cannot open the configuration file"), std::string::npos);
}

const std::string kOneZone = "zones:\n  - {origin: example.org, file: zones/example.org.zone}\n";

TEST_F(ConfigTest, DnstapIsOffByDefaultAndItsSocketIsRelativeToTheConfig) {
  auto off = parse(kOneZone);
  ASSERT_TRUE(off.config) << all(off);
  EXPECT_FALSE(off.config->server.dnstap.enabled());
  auto r = parse(
      "server:\n"
      "  dnstap: { socket: run/dnstap.sock, responses: false }\n"
      + kOneZone);
  ASSERT_TRUE(r.config) << all(r);
  const DnstapSettings& d = r.config->server.dnstap;
  EXPECT_TRUE(d.enabled());
  EXPECT_EQ(d.socket, dir.file("run/dnstap.sock"));
  EXPECT_TRUE(d.queries);
  EXPECT_FALSE(d.responses);
}

TEST_F(ConfigTest, DnstapErrorsNameTheLineAndWhatToWrite) {
  auto r = parse(
      "server:\n"
      "  dnstap:\n"
      "    sockets: /run/x.sock\n"
      "    queries: maybe\n"
      + kOneZone);
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(has_error(r, at(3), "unknown key 'server.dnstap.sockets'; did you mean 'socket'")) << all(r);
  EXPECT_TRUE(has_error(r, at(4), "server.dnstap.queries: expected true or false")) << all(r);
  EXPECT_TRUE(has_error(r, at(3), "server.dnstap: missing 'socket'")) << all(r);
  auto both = parse(
      "server:\n"
      "  dnstap: { socket: /run/x.sock, queries: false, responses: false }\n"
      + kOneZone);
  EXPECT_TRUE(has_error(both, at(2), "queries and responses are both false")) << all(both);
  auto list = parse("server:\n  dnstap: [/run/x.sock]\n" + kOneZone);
  EXPECT_TRUE(has_error(list, at(2), "server.dnstap: expected a mapping")) << all(list);
  auto too_long = parse("server:\n  dnstap: { socket: /" + std::string(120, 'x') +
                        " }\n" + kOneZone);
  EXPECT_TRUE(has_error(too_long, at(2), "too long for a unix socket")) << all(too_long);
}

TEST_F(ConfigTest, ListenOverrideReplacesTheConfiguredList) {
  auto r = parse(
      "server:\n"
      "  listen: [127.0.0.1:5300, 127.0.0.2:5300]\n"
      "zones:\n"
      "  - origin: example.org\n"
      "    file: zones/example.org.zone\n");
  ASSERT_TRUE(r.config) << all(r);
  Config c = *r.config;
  EXPECT_TRUE(apply_listen_override(c, {"127.0.0.1:15353", "[::1]:15353"}).empty());
  ASSERT_EQ(c.server.listen.size(), 2u);
  EXPECT_EQ(c.server.listen[0].to_string(), "127.0.0.1:15353");
  EXPECT_EQ(c.server.listen[1].to_string(), "[::1]:15353");

  // No override: the config's list stays.
  Config unchanged = *r.config;
  EXPECT_TRUE(apply_listen_override(unchanged, {}).empty());
  EXPECT_EQ(unchanged.server.listen.size(), 2u);

  // A bad value is an error naming the option and changes nothing.
  Config bad = *r.config;
  auto errors = apply_listen_override(bad, {"127.0.0.1:1", "localhost:53"});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("--listen localhost:53: 'localhost:53': 'localhost' is not an IP address"),
            std::string::npos)
      << errors[0];
  EXPECT_EQ(bad.server.listen[0].to_string(), "127.0.0.1:5300");
}

TEST(ListenAddressTest, ParsesAndPrintsBothFamilies) {
  std::string err;
  auto a = ListenAddress::parse("192.0.2.1:53", &err);
  ASSERT_TRUE(a) << err;
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->port, 53);
  EXPECT_EQ(a->to_string(), "192.0.2.1:53");
  EXPECT_FALSE(a->is_wildcard());

  auto b = ListenAddress::parse("[2001:DB8::1]:5300", &err);
  ASSERT_TRUE(b) << err;
  EXPECT_TRUE(b->v6);
  EXPECT_EQ(b->to_string(), "[2001:db8::1]:5300");

  EXPECT_TRUE(ListenAddress::parse("0.0.0.0:53", &err)->is_wildcard());
  EXPECT_TRUE(ListenAddress::parse("[::]:53", &err)->is_wildcard());

  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536", "[::1]", "[::1]53",
                          "[::1:53", "[127.0.0.1]:53", "example.org:53", "1.2.3:53", " 127.0.0.1:53"}) {
    EXPECT_FALSE(ListenAddress::parse(bad, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

}  // namespace
}  // namespace mailns::server
