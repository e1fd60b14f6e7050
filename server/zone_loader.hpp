// Loading everything a configuration serves into one Snapshot: the plain
// master-file zones and the zones synthesized from mail-domain declarations.
// Every zone is loaded even when an earlier one fails, so the operator sees
// all errors at once. A broken master file stops the start (errors); a mail
// domain with lint or key errors is left out and the rest is served
// (domain_errors), as the synthesizer's contract says.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/config.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

struct ZoneSetResult {
  std::shared_ptr<const zone::Snapshot> snapshot;  // nullptr when errors is non-empty
  std::vector<std::string> errors;                 // "file:line: message": nothing is served
  std::vector<std::string> domain_errors;          // "file:line: error: domain: message": that domain is left out
  std::vector<std::string> warnings;
  std::vector<std::string> sources;                // per snapshot zone: where it came from
  std::map<std::string, std::string> mta_sts_policies;  // mail domain -> policy file text
};

// Loads config.zones and synthesizes config.mail_domains / reverse_zones.
// serial is the SOA serial given to synthesized zones.
ZoneSetResult load_zones(const Config& config, uint32_t serial);

// The serial for synthesized zones loaded now: YYYYMMDD01 of today (UTC).
uint32_t serial_for_today();

// The answer options a config asks for.
zone::AnswerOptions answer_options(const ServerSettings& settings);

}  // namespace mailns::server
