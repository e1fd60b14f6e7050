// Record: one resource record with its RDATA in uncompressed wire form, and
// RRset: the records of one owner and type, sharing one TTL (RFC 2181 5.2),
// with the signatures that cover it once the zone is signed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "zone/dns_name.hpp"
#include "zone/rdata_list.hpp"

namespace mailns::zone {

struct Record {
  DnsName owner;
  uint16_t type = 0;
  uint16_t rclass = 1;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;
};

// A copy of RDATA held elsewhere (an RdataList entry), for a Record.
inline std::vector<uint8_t> rdata_copy(std::span<const uint8_t> rd) { return {rd.begin(), rd.end()}; }

struct RRset {
  uint16_t type = 0;
  // Answers whose sections are exactly this RRset's records under the qname
  // (answer_cache.hpp): bit kWholePlain, the answer without DNSSEC records;
  // bit kWholeSigned, with them (then the RRSIGs follow). These are written
  // from rdatas and sigs at query time instead of being kept as a copy.
  static constexpr uint8_t kWholePlain = 1, kWholeSigned = 2;
  uint8_t whole_answers = 0;
  uint32_t ttl = 0;
  RdataList rdatas;  // distinct, in load order
  // RRSIG RDATA covering this RRset (DNSSEC), sent with it when DO=1.
  RdataList sigs;
  uint32_t sig_ttl = 0;
  // The whole answer to a query for this owner and type, pre-encoded at load
  // (answer_cache.hpp): entry [0] without DNSSEC records, [1] with them (no
  // [1]: the zone is unsigned, [0] serves both). Each entry is the three
  // section counts (2 octets each) and then answer+authority+additional, names
  // compressed against the qname at offset 12; an empty entry: not prepared
  // (or, when whole_answers has its bit, written from the RRset itself).
  RdataList prepared;
  bool has_prepared() const noexcept { return whole_answers != 0 || !prepared.empty(); }

  std::span<const uint8_t> rdata(size_t i) const noexcept { return rdatas[i]; }  // walks: small i
  size_t size() const noexcept { return rdatas.size(); }
};

}  // namespace mailns::zone
