// The mail-domain linter: checks a set of declarations and the records
// synthesized from them for the mistakes that break mail delivery or
// authentication (SPF limits, MX targets, DKIM key strength, DMARC, MTA-STS,
// names and TTLs), and explains each with the fix. An error leaves the whole
// domain unserved, so errors are only for what is certainly broken (its mail
// would fail, or the records would be invalid); advice is a warning.
#pragma once

#include <vector>

#include "synth/declaration.hpp"
#include "synth/diagnostic.hpp"
#include "synth/mail_records.hpp"

namespace mailns::synth {

// zones[i] is what synthesize_mail_domain produced for decls[i].
// now: seconds since the epoch for the DKIM lifecycle (0: the current time).
void lint_mail_domains(const std::vector<MailDomainDecl>& decls, const std::vector<SynthesizedZone>& zones,
                       Diagnostics& diags, int64_t now = 0);

}  // namespace mailns::synth
