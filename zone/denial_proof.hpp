// DNSSEC denial-of-existence proofs for the authority section of answers to
// DO=1 queries (RFC 4035 3.1.3 for NSEC, RFC 5155 7.2 for NSEC3): which
// NSEC/NSEC3 RRsets prove a name or type absent, or a wildcard expansion
// legitimate. They only add to the plan; the encoder writes each with its
// RRSIGs. Nothing is added for an unsigned zone.
#pragma once

#include "zone/answer_plan.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

// A name being resolved, in the client's spelling and in lookup form.
struct NameView {
  NameRef owner;
  const uint8_t* lf;
  uint8_t lf_len;
  const uint8_t* label_ends;  // end offset in lf of each ancestor's lookup form
  uint8_t labels;
};

// NXDOMAIN: the name does not exist and no wildcard at its closest encloser.
void prove_nxdomain(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce) noexcept;
// NODATA at an existing name (an empty non-terminal included).
void prove_nodata(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& node) noexcept;
// An answer synthesised from the wildcard child of ce: the name itself does not exist.
void prove_wildcard_answer(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce) noexcept;
// NODATA from a wildcard: no name, and the wildcard lacks the type.
void prove_wildcard_nodata(AnswerPlan& plan, const Zone& zone, const NameView& name, const Node& ce,
                           const Node& wildcard) noexcept;
// A delegation without DS (insecure referral, or NODATA for DS at the cut).
void prove_no_ds(AnswerPlan& plan, const Zone& zone, const Node& cut) noexcept;

}  // namespace mailns::zone
