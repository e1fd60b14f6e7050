// Loading the configured zones into one Snapshot. Every zone is loaded even
// when an earlier one fails, so the operator sees all errors at once; any
// error means no snapshot (the server does not start with a partial set).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/config.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

struct ZoneSetResult {
  std::shared_ptr<const zone::Snapshot> snapshot;  // nullptr when errors is non-empty
  std::vector<std::string> errors;                 // "zonefile:line: message" from the loader
  std::vector<std::string> warnings;
};

ZoneSetResult load_zones(const std::vector<ZoneSource>& zones, const zone::AnswerOptions& options);

// The answer options a config asks for.
zone::AnswerOptions answer_options(const ServerSettings& settings);

}  // namespace mailns::server
