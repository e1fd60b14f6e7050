// The mnemonic of a DNS RCODE (RFC 1035 4.1.1, RFC 2136, RFC 6891, RFC 8945):
// "NOERROR", "NXDOMAIN", ...; "RCODE11" for one without a name.
#pragma once

#include <string>

namespace mailns::zone {

std::string rcode_name(unsigned rcode);

}  // namespace mailns::zone
