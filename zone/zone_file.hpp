// Reading RFC 1035 master files into a Zone (through ldns's parser, which
// handles $ORIGIN, $TTL, parentheses, escapes and every RR type it knows),
// and printing a Zone back as master-file text in canonical order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "zone/rr_type.hpp"
#include "zone/zone.hpp"

namespace mailns::zone {

struct ZoneLoadResult {
  std::shared_ptr<const Zone> zone;   // nullptr when errors is non-empty
  std::vector<std::string> errors;    // "file:line: message"
  std::vector<std::string> warnings;
};

ZoneLoadResult load_zone_file(const std::string& path, const DnsName& origin,
                              PreparedAnswers prepared = PreparedAnswers::kYes);
// Builds a zone from records given as text lines (same syntax as a zone file).
ZoneLoadResult load_zone_text(const std::string& text, const DnsName& origin, const std::string& source_name);

std::string export_zone(const Zone& zone);

// Every RRset of zone in the order a master file lists them: the SOA first,
// then each node's RRsets in canonical order, then the NSEC3 nodes';
// f(const Node&, const RRset&).
template <class F>
void for_each_rrset_in_file_order(const Zone& zone, F&& f) {
  f(zone.apex(), zone.soa());
  zone.for_each_node([&](const Node& n) {
    for (const RRset& s : n.rrsets())
      if (&n != &zone.apex() || s.type != rrtype::SOA) f(n, s);
  });
  zone.for_each_nsec3_node([&](const Node& n) {
    for (const RRset& s : n.rrsets()) f(n, s);
  });
}

}  // namespace mailns::zone
