// Helpers for the zone-transfer tests: TSIG keys, signed queries, and
// answers decoded with ldns (an implementation independent of ours).
#pragma once

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/xfr/transfer_settings.hpp"
#include "server/xfr/tsig.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server::testing {

// 32 octets: "secret-secret-secret-secret-secr".
inline constexpr const char* kSecretB64 = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";

inline TsigKey make_key(const std::string& name = "xfr-key", TsigAlgorithm alg = TsigAlgorithm::kHmacSha256,
                        const char* secret_b64 = kSecretB64) {
  return TsigKey{*zone::DnsName::from_text(name), alg, *decode_base64_secret(secret_b64)};
}

inline std::vector<uint8_t> to_u8(const std::vector<std::byte>& v) {
  return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(v.data()),
                              reinterpret_cast<const uint8_t*>(v.data()) + v.size());
}

// A query for name/qtype; for IXFR, an SOA with `serial` in authority.
// With edns, an OPT record (payload 1232).
inline std::vector<uint8_t> build_query(uint16_t id, const std::string& name, uint16_t qtype,
                                        std::optional<uint32_t> ixfr_serial = std::nullopt, bool edns = false) {
  std::vector<uint8_t> q;
  auto u8 = [&](unsigned v) { q.push_back(static_cast<uint8_t>(v)); };
  auto u16 = [&](unsigned v) {
    u8(v >> 8);
    u8(v & 0xff);
  };
  auto u32 = [&](uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  };
  u16(id);
  u16(0);
  u16(1);
  u16(0);
  u16(ixfr_serial ? 1 : 0);
  u16(edns ? 1 : 0);
  const auto n = *zone::DnsName::from_text(name);
  q.insert(q.end(), n.wire().begin(), n.wire().end());
  u16(qtype);
  u16(1);
  if (ixfr_serial) {
    u16(0xC00C);  // the zone name
    u16(6);
    u16(1);
    u32(0);
    u16(1 + 1 + 20);
    u8(0);  // MNAME "."
    u8(0);  // RNAME "."
    u32(*ixfr_serial);
    for (int i = 0; i < 4; ++i) u32(0);
  }
  if (edns) {
    u8(0);
    u16(41);
    u16(1232);
    u32(0);
    u16(0);
  }
  return q;
}

// Signs a request in place with our signer (tests of verification use ldns
// for signing too).
inline std::vector<uint8_t> sign_request(std::vector<uint8_t> q, const TsigKey& key, uint64_t time_signed,
                                         std::vector<uint8_t>* mac_out = nullptr) {
  const uint16_t id = static_cast<uint16_t>(q[0] << 8 | q[1]);
  TsigSigner s(key, {}, id);
  const size_t n = q.size();
  q.resize(n + 512);
  const size_t m = s.sign(q, n, time_signed);
  EXPECT_GT(m, 0u);
  q.resize(m);
  if (mac_out) mac_out->assign(s.mac().begin(), s.mac().end());
  return q;
}

// One decoded message.
struct Decoded {
  bool ok = false;
  unsigned rcode = 0;  // header RCODE (4 bits)
  bool aa = false, tc = false;
  unsigned qdcount = 0;
  std::vector<std::string> answer;  // each record as ldns prints it, without the final newline
  std::string tsig;                 // the TSIG record, or empty
  uint16_t tsig_error = 0;
  size_t tsig_mac_size = 0;
  bool has_opt = false;
};

inline std::string rr_text(const ldns_rr* rr) {
  char* s = ldns_rr2str(rr);
  std::string t = s ? s : "";
  free(s);
  while (!t.empty() && (t.back() == '\n')) t.pop_back();
  for (char& c : t)
    if (c == '\t') c = ' ';
  return t;
}

inline Decoded decode(std::span<const uint8_t> msg) {
  Decoded d;
  ldns_pkt* p = nullptr;
  if (ldns_wire2pkt(&p, msg.data(), msg.size()) != LDNS_STATUS_OK) return d;
  d.ok = true;
  d.rcode = msg[3] & 0xF;
  d.aa = ldns_pkt_aa(p);
  d.tc = ldns_pkt_tc(p);
  d.qdcount = ldns_pkt_qdcount(p);
  const ldns_rr_list* an = ldns_pkt_answer(p);
  for (size_t i = 0; i < ldns_rr_list_rr_count(an); ++i) d.answer.push_back(rr_text(ldns_rr_list_rr(an, i)));
  if (const ldns_rr* t = ldns_pkt_tsig(p)) {
    d.tsig = rr_text(t);
    d.tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
    d.tsig_mac_size = ldns_rdf_size(ldns_rr_rdf(t, 3)) - 2;
  }
  d.has_opt = ldns_pkt_edns(p);
  ldns_pkt_free(p);
  return d;
}

// ldns's verdict on a response to a request whose MAC was request_mac
// (prior: the MAC of the previous message of the same response, for the
// later messages, with timers_only).
inline bool ldns_verifies(std::span<const uint8_t> msg, const std::string& key_name, const char* secret_b64,
                          std::span<const uint8_t> prior_mac, bool timers_only) {
  ldns_pkt* p = nullptr;
  if (ldns_wire2pkt(&p, msg.data(), msg.size()) != LDNS_STATUS_OK) return false;
  std::vector<uint8_t> mac_rdf_data;
  mac_rdf_data.push_back(static_cast<uint8_t>(prior_mac.size() >> 8));
  mac_rdf_data.push_back(static_cast<uint8_t>(prior_mac.size()));
  mac_rdf_data.insert(mac_rdf_data.end(), prior_mac.begin(), prior_mac.end());
  ldns_rdf* mac = prior_mac.empty()
                      ? nullptr
                      : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, mac_rdf_data.size(), mac_rdf_data.data());
  const bool ok =
      ldns_pkt_tsig_verify_next(p, msg.data(), msg.size(), key_name.c_str(), secret_b64, mac, timers_only ? 1 : 0);
  if (mac) ldns_rdf_deep_free(mac);
  ldns_pkt_free(p);
  return ok;
}

// The MAC of a message's TSIG record.
inline std::vector<uint8_t> mac_of(std::span<const uint8_t> msg) {
  TsigRecord rec;
  if (find_tsig(msg, rec) != TsigFind::kFound) return {};
  return std::vector<uint8_t>(rec.mac.begin(), rec.mac.end());
}

}  // namespace mailns::server::testing
