// The one resource the MTA-STS endpoint serves (RFC 8461 3.3): GET or HEAD
// https://mta-sts.<domain>/.well-known/mta-sts.txt, answered with the policy
// document that the zone <domain> carries in the given snapshot
// (zone::Zone::document, key "mta-sts.<domain>/.well-known/mta-sts.txt"), so
// the policy and the _mta-sts TXT id always come from the same publication.
// Every other host or path is 404, every other method 405. Pure: no sockets.
#pragma once

#include <string>
#include <string_view>

#include "server/web/web_response.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

inline constexpr std::string_view kMtaStsPolicyPath = "/.well-known/mta-sts.txt";

// method and target as in the request line; host: the Host header (a port
// and a final dot are ignored, case too). Never throws on any input.
WebResponse route_request(std::string_view method, std::string_view host, std::string_view target,
                          const zone::Snapshot& snapshot);

}  // namespace mailns::server
