// Small helpers for server tests: a snapshot from zone text, a query in
// wire form, and the header fields of an answer.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "zone/snapshot.hpp"
#include "zone/zone_file.hpp"

namespace mailns::server::testing {

inline constexpr const char* kExampleZone =
    "$ORIGIN example.org.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2024040101 7200 3600 1209600 300\n"
    "@ IN NS ns1\n"
    "@ IN MX 10 mail\n"
    "ns1 IN A 192.0.2.53\n"
    "mail IN A 192.0.2.25\n";

inline std::shared_ptr<const zone::Snapshot> make_snapshot(const std::string& text = kExampleZone,
                                                           const std::string& origin = "example.org") {
  auto res = zone::load_zone_text(text, *zone::DnsName::from_text(origin), "test.zone");
  EXPECT_TRUE(res.errors.empty()) << (res.errors.empty() ? "" : res.errors.front());
  std::vector<std::shared_ptr<const zone::Zone>> zones{res.zone};
  return std::make_shared<const zone::Snapshot>(std::move(zones), zone::AnswerOptions{});
}

// A standard query (RD clear, no EDNS) for name/qtype with the given id.
inline std::vector<std::byte> make_query(uint16_t id, const std::string& name, uint16_t qtype) {
  std::vector<std::byte> q;
  auto u8 = [&](unsigned v) { q.push_back(static_cast<std::byte>(v)); };
  auto u16 = [&](unsigned v) {
    u8(v >> 8);
    u8(v & 0xff);
  };
  u16(id);
  u16(0);  // flags
  u16(1);  // QDCOUNT
  u16(0);
  u16(0);
  u16(0);
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    u8(static_cast<unsigned>(dot - start));
    for (size_t i = start; i < dot; ++i) u8(static_cast<unsigned char>(name[i]));
    start = dot + 1;
  }
  u8(0);
  u16(qtype);
  u16(1);  // IN
  return q;
}

inline uint16_t answer_id(const std::byte* msg) {
  return static_cast<uint16_t>(std::to_integer<unsigned>(msg[0]) << 8 | std::to_integer<unsigned>(msg[1]));
}
inline unsigned answer_rcode(const std::byte* msg) { return std::to_integer<unsigned>(msg[3]) & 0x0f; }
inline bool answer_aa(const std::byte* msg) { return (std::to_integer<unsigned>(msg[2]) & 0x04) != 0; }
inline bool answer_qr(const std::byte* msg) { return (std::to_integer<unsigned>(msg[2]) & 0x80) != 0; }
inline unsigned answer_ancount(const std::byte* msg) {
  return std::to_integer<unsigned>(msg[6]) << 8 | std::to_integer<unsigned>(msg[7]);
}

}  // namespace mailns::server::testing
