// Query: the parts of an incoming message a response needs (header, the one
// question, the OPT record), parsed without exceptions or allocation.
// Nothing else in the message is decoded beyond skipping it (RFC 1035 4.1,
// RFC 6891 6.1.1).
#pragma once

#include <cstdint>
#include <span>

#include "zone/opt_record.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::zone {

enum class ParseStatus {
  kOk,
  kNoQuestion,  // QDCOUNT 0, the rest well formed: a request for a server cookie only (RFC 7873 5.4)
  kDrop,     // not answerable at all: too short for a header, or a response (QR=1)
  kFormErr,  // malformed: answer FORMERR
};

struct Query {
  uint16_t id = 0;
  uint8_t opcode = 0;
  bool rd = false;
  bool cd = false;
  uint16_t qdcount = 0;
  bool has_question = false;  // the question parsed (also set for FORMERR on later sections)
  NameBuf qname;              // client's case
  uint8_t lf[kMaxNameWire];   // lookup form of qname
  uint8_t lf_len = 0;
  uint8_t label_ends[128];    // end offset in lf of each ancestor's lookup form
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool has_edns = false;
  uint16_t edns_udp_size = 0;
  uint8_t edns_version = 0;
  bool edns_do = false;
  bool nsid_requested = false;  // the OPT carries an empty NSID option (RFC 5001 2.3)
  bool cookie_malformed = false;  // the first COOKIE option has a length RFC 7873 5.2.2 forbids
  uint8_t cookie_len = 0;         // the first COOKIE option's length (0: none)
  uint8_t cookie[kMaxCookieSize];  // its value, the first cookie_len octets
};

ParseStatus parse_query(std::span<const uint8_t> msg, Query& q) noexcept;

// Computes lookup form and label ends of a name (used for qname and CNAME targets).
void fill_lookup(const uint8_t* wire, size_t len, uint8_t* lf, uint8_t& lf_len, uint8_t* label_ends,
                 uint8_t& labels) noexcept;

}  // namespace mailns::zone
