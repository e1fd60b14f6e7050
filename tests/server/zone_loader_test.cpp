#include "server/zone_loader.hpp"

#include <gtest/gtest.h>

#include "dns_test_util.hpp"
#include "test_dir.hpp"

namespace mailns::server {
namespace {

ZoneSource source(const testing::TestDir& dir, const std::string& origin, const std::string& file) {
  ZoneSource z;
  z.origin = *zone::DnsName::from_text(origin);
  z.file = dir.file(file);
  z.file_text = file;
  return z;
}

TEST(ZoneLoaderTest, LoadsEveryZoneIntoOneSnapshot) {
  testing::TestDir dir;
  dir.write("a.zone", testing::kExampleZone);
  dir.write("b.zone",
            "$ORIGIN example.net.\n@ 300 IN SOA ns1 h 7 1 1 1 1\n@ 300 IN NS ns1.example.org.\n"
            "www 300 IN A 192.0.2.80\n");
  ServerSettings settings;
  settings.udp_payload = 1400;
  auto r = load_zones({source(dir, "example.org", "a.zone"), source(dir, "example.net", "b.zone")},
                      answer_options(settings));
  ASSERT_TRUE(r.snapshot) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ(r.snapshot->zones().size(), 2u);
  EXPECT_EQ(r.snapshot->options().max_udp_payload, 1400);
  EXPECT_NE(r.snapshot->find_zone(*zone::DnsName::from_text("www.example.net")), nullptr);
}

TEST(ZoneLoaderTest, ErrorsOfAllZonesAreCollectedWithFileAndLine) {
  testing::TestDir dir;
  dir.write("bad1.zone", "$ORIGIN example.org.\n@ 300 IN SOA ns1 h 1 1 1 1 1\nwww 300 IN A 999.1.1.1\n");
  dir.write("bad2.zone", "$ORIGIN example.net.\nwww 300 IN A 192.0.2.1\n");  // no SOA
  auto r = load_zones({source(dir, "example.org", "bad1.zone"), source(dir, "example.net", "bad2.zone")},
                      zone::AnswerOptions{});
  EXPECT_FALSE(r.snapshot);
  ASSERT_GE(r.errors.size(), 2u);
  bool saw1 = false, saw2 = false;
  for (const auto& e : r.errors) {
    if (e.rfind(dir.file("bad1.zone") + ":3:", 0) == 0) saw1 = true;
    if (e.rfind(dir.file("bad2.zone"), 0) == 0) saw2 = true;
  }
  EXPECT_TRUE(saw1 && saw2) << r.errors[0] << "\n" << r.errors[1];
}

}  // namespace
}  // namespace mailns::server
