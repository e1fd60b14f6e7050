// TransferAcl: who may transfer zones (AXFR/IXFR). Default deny: a request
// is allowed only when one entry matches it. An entry names an address or
// prefix, a TSIG key, or both; with a key, the request must carry a valid
// TSIG signature made with that key (verified before the ACL is consulted).
// Configured secondaries become entries too (their address, with their key
// when they have one).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/net/ip_address.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

struct AclEntry {
  std::optional<AddressPrefix> prefix;  // any address when absent
  std::optional<zone::DnsName> key;     // no TSIG needed when absent
  std::string where;                    // "FILE:LINE" or "secondaries[0]", for the log
};

class TransferAcl {
 public:
  std::vector<AclEntry> entries;

  // key: the key the request's TSIG was verified with, nullptr if unsigned.
  // Returns the entry that allows the request, or nullptr.
  const AclEntry* match(const IpAddress& peer, const zone::DnsName* key) const noexcept;
};

}  // namespace mailns::server
