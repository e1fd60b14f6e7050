// Reading RFC 1035 master files into a Zone (through ldns's parser, which
// handles $ORIGIN, $TTL, parentheses, escapes and every RR type it knows),
// and printing a Zone back as master-file text in canonical order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "zone/zone.hpp"

namespace mailns::zone {

struct ZoneLoadResult {
  std::shared_ptr<const Zone> zone;   // nullptr when errors is non-empty
  std::vector<std::string> errors;    // "file:line: message"
  std::vector<std::string> warnings;
};

ZoneLoadResult load_zone_file(const std::string& path, const DnsName& origin);
// Builds a zone from records given as text lines (same syntax as a zone file).
ZoneLoadResult load_zone_text(const std::string& text, const DnsName& origin, const std::string& source_name);

std::string export_zone(const Zone& zone);

}  // namespace mailns::zone
