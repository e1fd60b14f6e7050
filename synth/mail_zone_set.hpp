// Builds servable zones from all mail-domain declarations: synthesize every
// domain and reverse zone, lint them together, and turn each domain without
// errors into a zone::Zone. A domain with errors is left out (the rest still
// serve); every finding is returned as a diagnostic. The caller may rewrite
// the records between synthesis and building (the server signs them there),
// without synth/ knowing what it does.
#pragma once

#include <functional>
#include <map>
#include <span>
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
  // Domains that declare mta_sts: (no trailing dot) -> policy text.
  std::map<std::string, std::string> mta_sts_policies;
  Diagnostics diagnostics;
  std::vector<std::string> failed_domains;  // declared but not loaded because of errors
};

// One zone's records after synthesis and lint, before zone::ZoneBuilder.
struct ZoneRecords {
  zone::DnsName origin;
  std::vector<zone::Record> records;  // SOA first; a hook may replace them
  std::string error;                  // set by a hook: the zone is left out with this error
  std::vector<std::string> warnings;  // set by a hook: reported as warnings of the zone
  // Set by a hook that built the zone itself (from the records it made,
  // e.g. signed ones, as soon as they were made): served as it is.
  std::shared_ptr<const zone::Zone> built;
};

struct BuildHooks {
  // Called once with every zone that passed lint (mail domains, then reverse
  // zones), so that the caller can work on all of them at once, e.g. sign
  // them on several threads.
  std::function<void(std::span<ZoneRecords>)> before_build;
};

MailZoneSet build_mail_zones(const std::vector<MailDomainDecl>& decls, const std::vector<ReverseZoneDecl>& reverse,
                             const SynthOptions& options, const BuildHooks& hooks = {});

}  // namespace mailns::synth
