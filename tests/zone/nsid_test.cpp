// NSID (RFC 5001): our identifier goes in the OPT only when the query's OPT
// carries an empty NSID option, on the prepared and the resolved paths.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"
#include "zone/handle_query.hpp"
#include "zone/opt_record.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {
namespace {

using namespace test;

const std::vector<uint8_t> kAskNsid = {0, 3, 0, 0};
const std::vector<uint8_t> kCookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // a client cookie (RFC 7873)

class NsidTest : public ::testing::Test {
 protected:
  void SetUp() override { zone_ = zone_from_text("example.org", kMailZone); }

  std::vector<uint8_t> ask(const std::vector<uint8_t>& q, const std::string& nsid,
                           Transport t = Transport::kUdp) const {
    AnswerOptions o;
    o.nsid = nsid;
    const Snapshot snap({zone_}, o);
    std::vector<uint8_t> out(65535);
    out.resize(handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), snap, t));
    return out;
  }

  static std::vector<uint8_t> opt_options(const std::vector<uint8_t>& r) { return response_opt_options(r); }

  static std::vector<uint8_t> nsid_option(const std::string& nsid) {
    std::vector<uint8_t> v = {0, 3, 0, static_cast<uint8_t>(nsid.size())};
    v.insert(v.end(), nsid.begin(), nsid.end());
    return v;
  }

  std::shared_ptr<const Zone> zone_;
};

TEST_F(NsidTest, ReturnedWhenAskedOnPreparedAndResolvedAnswers) {
  for (const char* name : {"example.org", "nope.example.org"}) {  // an MX RRset; NXDOMAIN
    const auto r = ask(make_query(name, rrtype::MX, {.edns = true, .options = kAskNsid}), "ns1-fra");
    EXPECT_EQ(opt_options(r), nsid_option("ns1-fra")) << name;
  }
}

TEST_F(NsidTest, ReturnedOverTcpAndAfterOtherOptions) {
  std::vector<uint8_t> options = kCookie;
  options.insert(options.end(), kAskNsid.begin(), kAskNsid.end());
  const auto r = ask(make_query("example.org", rrtype::SOA, {.edns = true, .options = options}), "ns1-fra",
                     Transport::kTcp);
  EXPECT_EQ(opt_options(r), nsid_option("ns1-fra"));
}

TEST_F(NsidTest, NotReturnedUnlessAskedWithAnEmptyOption) {
  EXPECT_TRUE(opt_options(ask(make_query("example.org", rrtype::MX, {.edns = true}), "ns1-fra")).empty());
  EXPECT_TRUE(opt_options(ask(make_query("example.org", rrtype::MX, {.edns = true, .options = kCookie}), "ns1-fra"))
                  .empty());
  const std::vector<uint8_t> not_empty = {0, 3, 0, 1, 'x'};
  EXPECT_TRUE(
      opt_options(ask(make_query("example.org", rrtype::MX, {.edns = true, .options = not_empty}), "ns1-fra")).empty());
  // No server.nsid: nothing to send.
  EXPECT_TRUE(opt_options(ask(make_query("example.org", rrtype::MX, {.edns = true, .options = kAskNsid}), "")).empty());
}

TEST_F(NsidTest, TruncatedOptionListIsIgnoredNotAnError) {
  const std::vector<uint8_t> cut = {0, 10, 0, 8, 1, 2};  // OPTION-LENGTH runs past the RDATA
  const auto r = ask(make_query("example.org", rrtype::MX, {.edns = true, .options = cut}), "ns1-fra");
  EXPECT_EQ(r[3] & 0xF, 0);
  EXPECT_TRUE(opt_options(r).empty());
}

TEST_F(NsidTest, LongestNsidFitsAndLeavesRoomInUdp) {
  const std::string nsid(kMaxNsidSize, 'n');
  const auto r = ask(make_query("example.org", rrtype::MX, {.edns = true, .udp_size = 512, .options = kAskNsid}), nsid);
  EXPECT_LE(r.size(), 512u);
  EXPECT_EQ(opt_options(r), nsid_option(nsid));
}

}  // namespace
}  // namespace mailns::zone
