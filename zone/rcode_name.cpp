#include "zone/rcode_name.hpp"

#include <iterator>

namespace mailns::zone {

std::string rcode_name(unsigned rcode) {
  static const char* const kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                       "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  if (rcode == 16) return "BADVERS";  // also BADSIG in TSIG records (RFC 8945)
  return "RCODE" + std::to_string(rcode);
}

}  // namespace mailns::zone
