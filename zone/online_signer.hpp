// OnlineSigner: signs an RRset while a query is being answered. Only compact
// denial of existence (RFC 9824) needs it: its NSEC records for names that do
// not exist, and wildcard expansions signed as the name asked for, cannot be
// made in advance. dnssec/ implements it with the zone's signing key; zone/
// only knows this interface, so the query core stays free of key handling.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "zone/answer_plan.hpp"

namespace mailns::zone {

class OnlineSigner {
 public:
  virtual ~OnlineSigner() = default;
  // Appends the RRSIG RDATA (one per signing key) covering the RRset
  // owner/type/ttl/rdatas to out. False when signing failed.
  virtual bool sign(NameRef owner, uint16_t type, uint32_t ttl, const RdataList& rdatas,
                    RdataList& out) const noexcept = 0;
};

}  // namespace mailns::zone
