// Certificate choice by SNI (server/web/certificate_names): exact names
// first, then wildcards (one whole left-most label), else the first.
#include "server/web/certificate_names.hpp"

#include <gtest/gtest.h>

namespace mailns::server {
namespace {

TEST(CertificateNamesTest, ExactNamesIgnoreCaseAndFinalDot) {
  EXPECT_TRUE(certificate_name_matches("mta-sts.example.org", "MTA-STS.example.org."));
  EXPECT_FALSE(certificate_name_matches("mta-sts.example.org", "mta-sts.example.net"));
  EXPECT_FALSE(certificate_name_matches("", ""));
}

TEST(CertificateNamesTest, WildcardIsOneWholeLabel) {
  EXPECT_TRUE(certificate_name_matches("*.example.org", "mta-sts.example.org"));
  EXPECT_FALSE(certificate_name_matches("*.example.org", "example.org"));
  EXPECT_FALSE(certificate_name_matches("*.example.org", "a.mta-sts.example.org"));
  EXPECT_FALSE(certificate_name_matches("*.example.org", ".example.org"));
  EXPECT_FALSE(certificate_name_matches("mta*.example.org", "mta-sts.example.org"));
  EXPECT_FALSE(certificate_name_matches("*", "org"));
}

TEST(CertificateNamesTest, SelectsExactBeforeWildcardElseTheDefault) {
  const std::vector<std::vector<std::string>> names = {
      {"mta-sts.example.org"}, {"*.example.net"}, {"mta-sts.example.net", "mta-sts.example.com"}};
  EXPECT_EQ(select_certificate(names, "mta-sts.example.org"), 0u);
  EXPECT_EQ(select_certificate(names, "mta-sts.example.net"), 2u);  // exact wins over the earlier wildcard
  EXPECT_EQ(select_certificate(names, "other.example.net"), 1u);
  EXPECT_EQ(select_certificate(names, "MTA-STS.EXAMPLE.COM"), 2u);
  EXPECT_EQ(select_certificate(names, "unknown.example"), 0u);
  EXPECT_EQ(select_certificate(names, ""), 0u);
  EXPECT_EQ(select_certificate({}, "mta-sts.example.org"), 0u);
}

}  // namespace
}  // namespace mailns::server
