// AnswerPlan: what a response says, decided before any byte is written:
// rcode, AA, and which RRsets (with which owner names) go in which section.
// Fixed capacity, no allocation; tests inspect it without decoding bytes.
// Owner names point into the zone, the parsed Query (the client's case) and
// the plan's own `synthesized` storage, so a resolved plan is used where it
// was filled and not copied: a copy would still point at the original.
#pragma once

#include <cstddef>
#include <cstdint>

#include "zone/record.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace rcode {
inline constexpr uint8_t kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5,
                         kYxDomain = 6, kNotAuth = 9;
inline constexpr uint16_t kBadVers = 16;    // extended, needs OPT
inline constexpr uint16_t kBadCookie = 23;  // RFC 7873 8, extended, needs OPT
}  // namespace rcode

// Extended DNS Error info codes (RFC 8914 4), sent in OPT when the query has EDNS.
namespace ede {
inline constexpr uint16_t kNone = 0xFFFF;
inline constexpr uint16_t kNotAuthoritative = 20;  // RFC 8914 4.21
}  // namespace ede

// An owner name to write: uncompressed wire octets that outlive the encoding.
struct NameRef {
  const uint8_t* wire;
  uint8_t len;
};

// Stands for a CNAME synthesised from a DNAME (RFC 6672 3.2): it has no
// RDATA of its own, PlannedRRset::synth_target holds the one target.
inline const RRset kSynthesizedCname = [] {
  RRset s;
  s.type = rrtype::CNAME;
  return s;
}();

// Trivially constructible on purpose: a plan holds 72 of them and is made
// per query; only the entries below AnswerPlan::counts are ever read.
struct PlannedRRset {
  NameRef owner;
  const RRset* rrset;
  uint32_t ttl;       // may differ from rrset->ttl (negative answers)
  bool required;      // additional only: in-domain glue of a referral; not fitting sets TC (RFC 9471 3)
  NameRef synth_target;  // rrset == &kSynthesizedCname: the CNAME's target (in AnswerPlan::synthesized)
};

enum class Section : uint8_t { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

struct AnswerPlan {
  static constexpr size_t kMaxPerSection = 24;

  static constexpr size_t kMaxSynthesized = 6;

  uint16_t rcode = 0;  // may exceed 15: extended rcode (BADVERS) goes into OPT
  uint16_t ede = ede::kNone;
  bool aa = false;
  bool wildcard = false;  // some of the answer was synthesised from a wildcard (RFC 4592)
  PlannedRRset sections[3][kMaxPerSection];  // uninitialised beyond counts
  uint8_t counts[3] = {0, 0, 0};
  // Storage for names synthesised while resolving (DNAME substitution),
  // referenced by NameRefs in the sections; left uninitialised until used.
  uint8_t synthesized[kMaxSynthesized][kMaxNameWire];
  uint8_t synthesized_count = 0;

  bool add(Section s, NameRef owner, const RRset* set, uint32_t ttl, bool required = false,
           NameRef synth_target = {}) noexcept {
    auto i = static_cast<size_t>(s);
    if (counts[i] >= kMaxPerSection) return false;
    sections[i][counts[i]++] = PlannedRRset{owner, set, ttl, required, synth_target};
    return true;
  }
  bool add(Section s, NameRef owner, const RRset* set) noexcept { return add(s, owner, set, set->ttl); }
  size_t count(Section s) const noexcept { return counts[static_cast<size_t>(s)]; }
  const PlannedRRset& at(Section s, size_t i) const noexcept { return sections[static_cast<size_t>(s)][i]; }
};

}  // namespace mailns::zone
