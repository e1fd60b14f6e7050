#include "server/dnstap/dnstap_encoder.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "dns_test_util.hpp"
#include "dnstap.pb-c.h"

namespace mailns::server {
namespace {

using testing::make_query;

struct Unpacked {
  void operator()(Dnstap__Dnstap* d) const { dnstap__dnstap__free_unpacked(d, nullptr); }
};
using DnstapPtr = std::unique_ptr<Dnstap__Dnstap, Unpacked>;

// Encodes, frees the frame, and returns what a reader decodes from it.
DnstapPtr round_trip(const DnstapEncoder& enc, const LoggedQuery& e, DnstapKind kind) {
  const DnstapFrame f = enc.encode(e, kind);
  EXPECT_NE(f.data, nullptr);
  DnstapPtr d(dnstap__dnstap__unpack(nullptr, f.size, f.data));
  if (d) {
    EXPECT_EQ(f.size, dnstap__dnstap__get_packed_size(d.get()));  // all of it, nothing more
  }
  std::free(f.data);
  return d;
}

std::string text(const ProtobufCBinaryData& b) { return {reinterpret_cast<const char*>(b.data), b.len}; }
std::vector<std::byte> bytes(const ProtobufCBinaryData& b) {
  const auto* p = reinterpret_cast<const std::byte*>(b.data);
  return {p, p + b.len};
}

class DnstapEncoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    entry.transport = QueryTransport::kTcp;
    entry.peer = {*IpAddress::parse("192.0.2.7"), 40000};
    entry.local = {*IpAddress::parse("198.51.100.1"), 53};
    entry.query = query;
    entry.response = response;
    entry.query_time = {1700000000, 123456789};
    entry.response_time = {1700000001, 5};
  }
  DnstapEncoder enc{"ns1.example", "mailns 0.1.0"};
  std::vector<std::byte> query = make_query(7, "example.org", 15);
  std::vector<std::byte> response = std::vector<std::byte>(40, std::byte{0xab});
  LoggedQuery entry;
};

TEST_F(DnstapEncoderTest, AuthQueryCarriesTheQueryEndpointsAndTime) {
  const DnstapPtr d = round_trip(enc, entry, DnstapKind::kAuthQuery);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
  EXPECT_EQ(text(d->identity), "ns1.example");
  EXPECT_EQ(text(d->version), "mailns 0.1.0");
  ASSERT_NE(d->message, nullptr);
  const Dnstap__Message& m = *d->message;
  EXPECT_EQ(m.type, DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
  EXPECT_EQ(m.socket_family, DNSTAP__SOCKET_FAMILY__INET);
  EXPECT_EQ(m.socket_protocol, DNSTAP__SOCKET_PROTOCOL__TCP);
  EXPECT_EQ(bytes(m.query_address), (std::vector<std::byte>{std::byte{192}, std::byte{0}, std::byte{2}, std::byte{7}}));
  EXPECT_EQ(m.query_port, 40000u);
  EXPECT_EQ(bytes(m.response_address).size(), 4u);
  EXPECT_EQ(m.response_port, 53u);
  EXPECT_EQ(m.query_time_sec, 1700000000u);
  EXPECT_EQ(m.query_time_nsec, 123456789u);
  EXPECT_EQ(bytes(m.query_message), query);
  EXPECT_FALSE(m.has_response_message);
  EXPECT_FALSE(m.has_response_time_sec);
}

TEST_F(DnstapEncoderTest, AuthResponseCarriesTheResponseAndBothTimes) {
  entry.transport = QueryTransport::kUdp;
  entry.peer = {*IpAddress::parse("2001:db8::7"), 5353};
  entry.local = {*IpAddress::parse("2001:db8::1"), 53};
  const DnstapPtr d = round_trip(enc, entry, DnstapKind::kAuthResponse);
  ASSERT_TRUE(d && d->message);
  const Dnstap__Message& m = *d->message;
  EXPECT_EQ(m.type, DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
  EXPECT_EQ(m.socket_family, DNSTAP__SOCKET_FAMILY__INET6);
  EXPECT_EQ(m.socket_protocol, DNSTAP__SOCKET_PROTOCOL__UDP);
  EXPECT_EQ(bytes(m.query_address).size(), 16u);
  EXPECT_EQ(bytes(m.response_address).size(), 16u);
  EXPECT_EQ(m.query_port, 5353u);
  EXPECT_EQ(m.query_time_sec, 1700000000u);
  EXPECT_EQ(m.response_time_sec, 1700000001u);
  EXPECT_EQ(m.response_time_nsec, 5u);
  EXPECT_EQ(bytes(m.response_message), response);
  EXPECT_FALSE(m.has_query_message);
}

TEST_F(DnstapEncoderTest, LargestMessagesAndLongIdentityFitTheBuffer) {
  const std::vector<std::byte> big(65535, std::byte{0x5a});
  entry.query = big;
  entry.response = big;
  entry.peer = {*IpAddress::parse("2001:db8::7"), 65535};
  entry.local = {*IpAddress::parse("2001:db8::1"), 65535};
  entry.query_time = entry.response_time = {INT64_MAX, 999999999};
  const DnstapEncoder long_names(std::string(300, 'i'), std::string(300, 'v'));
  for (DnstapKind kind : {DnstapKind::kAuthQuery, DnstapKind::kAuthResponse}) {
    const DnstapPtr d = round_trip(long_names, entry, kind);
    ASSERT_TRUE(d && d->message);
    EXPECT_EQ(bytes(kind == DnstapKind::kAuthQuery ? d->message->query_message : d->message->response_message), big);
  }
}

TEST_F(DnstapEncoderTest, MismatchedFamiliesLeaveOutOurAddressAndEmptyIdentityIsAbsent) {
  entry.local = {*IpAddress::parse("::1"), 53};
  const DnstapEncoder anonymous("", "");
  const DnstapPtr d = round_trip(anonymous, entry, DnstapKind::kAuthQuery);
  ASSERT_TRUE(d && d->message);
  EXPECT_FALSE(d->has_identity);
  EXPECT_FALSE(d->has_version);
  EXPECT_FALSE(d->message->has_response_address);
  EXPECT_FALSE(d->message->has_response_port);
  EXPECT_TRUE(d->message->has_query_address);
}

}  // namespace
}  // namespace mailns::server
