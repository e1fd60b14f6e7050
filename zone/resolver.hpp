// Query resolution against a snapshot (RFC 1034 4.3.2, RFC 4592 wildcards,
// RFC 6604 CNAME rcodes, RFC 8482 ANY): produces an AnswerPlan, writes no bytes.
#pragma once

#include "zone/answer_plan.hpp"
#include "zone/query.hpp"
#include "zone/snapshot.hpp"

namespace mailns::zone {

// Resolves an IN-class QUERY whose qtype is a data type or ANY.
void resolve(const Query& q, const Snapshot& snapshot, AnswerPlan& plan) noexcept;

}  // namespace mailns::zone
