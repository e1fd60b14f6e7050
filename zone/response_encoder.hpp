// Encodes an AnswerPlan into a response message: header, the question in the
// client's case (0x20), the planned RRsets with name compression, and the OPT
// record. An RRset that does not fit is rolled back whole; in the answer or
// authority section, or as required (in-domain) glue, that sets TC (RFC 2181 9,
// RFC 9471 3); other additional data is just left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/answer_plan.hpp"
#include "zone/opt_record.hpp"
#include "zone/query.hpp"

namespace mailns::zone {

struct EncodeParams {
  size_t limit;              // maximum message size (UDP payload or 65535)
  uint16_t our_udp_payload;  // advertised in our OPT
  std::span<const uint8_t> nsid = {};    // our NSID when the query asked for it (RFC 5001), else empty
  std::span<const uint8_t> cookie = {};  // the COOKIE option to send (RFC 7873), else empty

  // The OPT options of a response with this extended error (if any).
  OptOptions opt_options(std::optional<uint16_t> ede = std::nullopt) const noexcept { return {ede, nsid, cookie}; }
};

size_t encode_response(const Query& q, const AnswerPlan& plan, std::span<uint8_t> out,
                       const EncodeParams& params) noexcept;

}  // namespace mailns::zone
