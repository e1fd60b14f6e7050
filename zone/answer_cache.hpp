// Pre-encoded answers: for every authoritative name and each RRset type it
// holds, the response sections are resolved and encoded once when the zone is
// built (unsigned zones: without DNSSEC records; signed zones: with them, for
// queries with DO=1 only). An answer that is the RRset alone (TXT, TLSA, A,
// ... with nothing added) is not copied: it is marked on the RRset and
// written from its RDATA, each record owned by a pointer to the qname; the
// others (names compressed in RDATA, additional records) are kept encoded.
// A query for such a name and type
// is then answered with a hash lookup and a few memcpys: the header and the
// question are the client's (id, flags, the qname in its case at offset 12,
// which the prepared names point at), the rest is copied. Anything else
// (NXDOMAIN, NODATA, wildcards, referrals, ANY, CNAME chasing, answers that
// would not fit) goes through resolve + encode as before.
#pragma once

#include <cstddef>
#include <span>

#include "zone/query.hpp"
#include "zone/response_encoder.hpp"
#include "zone/snapshot.hpp"

namespace mailns::zone {

class Zone;

// Fills RRset::prepared for every cacheable RRset of the zone.
void prepare_answers(const Zone& zone);

// Answers from the prepared sections; 0 when the query is not covered (the
// caller then resolves). q must be a parsed IN-class QUERY with EDNS version 0.
size_t answer_prepared(const Query& q, const Snapshot& snapshot, std::span<uint8_t> out,
                       const EncodeParams& params) noexcept;

}  // namespace mailns::zone
