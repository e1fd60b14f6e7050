// The DKIM selector lifecycle: published (in DNS before anything signs with
// it, so the key has propagated), active (signing), retiring (still in DNS
// after signing stopped, so late messages verify), retired (removed, or
// published as revoked "p=" per RFC 6376 3.6.1). From an explicit state
// (retiring until a date) or from dates; time is passed in (injectable).
#pragma once

#include <cstdint>
#include <optional>

#include "synth/declaration.hpp"

namespace mailns::synth {

const char* to_string(DkimState s) noexcept;
DkimState dkim_state(const DkimDecl& k, int64_t now) noexcept;
// Whether the selector's key is published (published, active, retiring).
bool dkim_published(DkimState s) noexcept;
// The next moment the state of k changes after now, if any.
std::optional<int64_t> next_dkim_change(const DkimDecl& k, int64_t now) noexcept;
// The earliest such moment over every selector of every domain.
std::optional<int64_t> next_dkim_change(const std::vector<MailDomainDecl>& domains, int64_t now) noexcept;

}  // namespace mailns::synth
