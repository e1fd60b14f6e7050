// The MTA-STS endpoint's routing (server/web/policy_route): only GET/HEAD of
// /.well-known/mta-sts.txt on mta-sts.<served zone> with a policy is 200.
#include "server/web/policy_route.hpp"

#include <gtest/gtest.h>

#include "dns_test_util.hpp"

namespace mailns::server {
namespace {

constexpr const char* kPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 86400\r\n";

std::shared_ptr<const zone::Snapshot> snapshot_with_policy() {
  auto snap = testing::make_snapshot();
  auto docs = std::make_shared<zone::Zone::Documents>();
  (*docs)["mta-sts.example.org/.well-known/mta-sts.txt"] = kPolicy;
  snap->zones().front()->attach_documents(std::move(docs));
  return snap;
}

TEST(PolicyRouteTest, ServesThePolicyOfTheZone) {
  auto snap = snapshot_with_policy();
  const WebResponse r = route_request("GET", "mta-sts.example.org", "/.well-known/mta-sts.txt", *snap);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, kPolicy);
  EXPECT_FALSE(r.head);
}

TEST(PolicyRouteTest, HostIsCaseInsensitiveWithPortAndFinalDot) {
  auto snap = snapshot_with_policy();
  EXPECT_EQ(route_request("GET", "MTA-STS.Example.ORG:8443", "/.well-known/mta-sts.txt", *snap).status, 200u);
  EXPECT_EQ(route_request("GET", "mta-sts.example.org.", "/.well-known/mta-sts.txt", *snap).status, 200u);
}

TEST(PolicyRouteTest, HeadHasTheBodyToMeasureButSaysHead) {
  auto snap = snapshot_with_policy();
  const WebResponse r = route_request("HEAD", "mta-sts.example.org", "/.well-known/mta-sts.txt", *snap);
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.head);
  EXPECT_EQ(r.body.size(), std::string(kPolicy).size());
}

TEST(PolicyRouteTest, OtherPathsAndHostsAreNotFound) {
  auto snap = snapshot_with_policy();
  EXPECT_EQ(route_request("GET", "mta-sts.example.org", "/", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "mta-sts.example.org", "/.well-known/mta-sts.txt?x=1", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "mta-sts.example.org", "/.well-known/../mta-sts.txt", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "www.example.org", "/.well-known/mta-sts.txt", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "example.org", "/.well-known/mta-sts.txt", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "mta-sts.other.example", "/.well-known/mta-sts.txt", *snap).status, 404u);
  // A name below the zone is not the zone: mta-sts.sub.example.org is not example.org's.
  EXPECT_EQ(route_request("GET", "mta-sts.sub.example.org", "/.well-known/mta-sts.txt", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "", "/.well-known/mta-sts.txt", *snap).status, 404u);
  EXPECT_EQ(route_request("GET", "mta-sts.example.org/x", "/.well-known/mta-sts.txt", *snap).status, 404u);
}

TEST(PolicyRouteTest, ZoneWithoutPolicyIsNotFound) {
  auto snap = testing::make_snapshot();
  EXPECT_EQ(route_request("GET", "mta-sts.example.org", "/.well-known/mta-sts.txt", *snap).status, 404u);
}

TEST(PolicyRouteTest, OtherMethodsAreNotAllowed) {
  auto snap = snapshot_with_policy();
  for (const char* m : {"POST", "PUT", "DELETE", "OPTIONS", "get", ""})
    EXPECT_EQ(route_request(m, "mta-sts.example.org", "/.well-known/mta-sts.txt", *snap).status, 405u) << m;
}

TEST(PolicyRouteTest, HostileHostsNeverThrow) {
  auto snap = snapshot_with_policy();
  const std::string big(100000, 'a');
  for (const std::string& h : {big, std::string("mta-sts."), std::string("mta-sts..org"), std::string(":::"),
                               std::string("mta-sts.") + big, std::string("\0\xff", 2)})
    EXPECT_EQ(route_request("GET", h, "/.well-known/mta-sts.txt", *snap).status, 404u);
}

}  // namespace
}  // namespace mailns::server
