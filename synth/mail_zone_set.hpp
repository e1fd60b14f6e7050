// Builds servable zones from all mail-domain declarations: synthesize every
// domain and reverse zone, lint them together, and turn each domain without
// errors into a zone::Zone. A domain with errors is left out (the rest still
// serve); every finding is returned as a diagnostic.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "synth/diagnostic.hpp"
#include "synth/mail_records.hpp"
#include "zone/zone.hpp"

namespace mailns::synth {

struct MailZoneSet {
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  std::map<std::string, std::string> mta_sts_policies;  // domain (no trailing dot) -> policy text
  Diagnostics diagnostics;
  std::vector<std::string> failed_domains;  // declared but not loaded because of errors
};

MailZoneSet build_mail_zones(const std::vector<MailDomainDecl>& decls, const std::vector<ReverseZoneDecl>& reverse,
                             const SynthOptions& options);

}  // namespace mailns::synth
