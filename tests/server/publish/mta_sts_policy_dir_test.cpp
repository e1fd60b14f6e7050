// policy_dir (server/publish/mta_sts_policy_dir): the policy a snapshot
// carries is written to DIR/mta-sts.<domain>/.well-known/mta-sts.txt, only
// when it differs, and only for the domains that ask for it.
#include "server/publish/mta_sts_policy_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "server/publish/zone_loader.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

std::string config_text(const std::string& mode) {
  return "mail_domains:\n"
         "  - domain: example.org\n"
         "    nameservers: [{ name: ns1.example.org, ipv4: 192.0.2.53 }]\n"
         "    mail_hosts: [{ name: mail.example.org, ipv4: 192.0.2.10 }]\n"
         "    mta_sts: { mode: " + mode + ", policy_dir: www }\n"
         "  - domain: example.net\n"
         "    nameservers: [{ name: ns1.example.net, ipv4: 192.0.2.54 }]\n"
         "    mail_hosts: [{ name: mail.example.net, ipv4: 192.0.2.20 }]\n"
         "    mta_sts: { mode: testing }\n";
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(MtaStsPolicyDirTest, WritesThePublishedPolicyWhenItChanges) {
  testing::TestDir dir;
  auto cfg = load_config(dir.write("mailns.yaml", config_text("testing")));
  ASSERT_TRUE(cfg.config) << cfg.errors.front();
  EXPECT_EQ(cfg.config->mail_domains[0].mta_sts->policy_dir, dir.file("www"));
  auto zones = load_zones(*cfg.config, 2026010101);
  ASSERT_TRUE(zones.snapshot);
  const std::string file = dir.file("www/mta-sts.example.org/.well-known/mta-sts.txt");
  EXPECT_EQ(write_mta_sts_policy_dirs(cfg.config->mail_domains, *zones.snapshot), std::vector<std::string>{file});
  EXPECT_EQ(read(file), zones.mta_sts_policies.at("example.org"));
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // Unchanged: nothing written. example.net has no policy_dir: never written.
  EXPECT_TRUE(write_mta_sts_policy_dirs(cfg.config->mail_domains, *zones.snapshot).empty());
  EXPECT_FALSE(std::filesystem::exists(dir.file("www/mta-sts.example.net")));

  cfg = load_config(dir.write("mailns.yaml", config_text("none")));
  ASSERT_TRUE(cfg.config);
  zones = load_zones(*cfg.config, 2026010102);
  EXPECT_EQ(write_mta_sts_policy_dirs(cfg.config->mail_domains, *zones.snapshot).size(), 1u);
  EXPECT_NE(read(file).find("mode: none\r\n"), std::string::npos);
}

TEST(MtaStsPolicyDirTest, UnwritableDirectoryIsLoggedNotThrown) {
  testing::TestDir dir;
  dir.write("www", "a file where the directory should be\n");
  auto cfg = load_config(dir.write("mailns.yaml", config_text("testing")));
  ASSERT_TRUE(cfg.config);
  auto zones = load_zones(*cfg.config, 2026010101);
  EXPECT_TRUE(write_mta_sts_policy_dirs(cfg.config->mail_domains, *zones.snapshot).empty());
}

}  // namespace
}  // namespace mailns::server
