// SPF (RFC 7208): the record text a declaration asks for, and counting of
// the terms that cost DNS lookups (4.6.4: at most 10).
#pragma once

#include <string>
#include <vector>

#include "synth/declaration.hpp"

namespace mailns::synth {

std::string spf_text(const SpfDecl& spf);
// "v=spf1 a -all" style record for a mail host, same qualifier and modifiers.
std::string spf_host_text(const SpfDecl& spf);

// Terms of an SPF record that need a DNS lookup (include, a, mx, ptr, exists,
// redirect), and the domains it includes or redirects to.
struct SpfTerms {
  int lookups = 0;
  std::vector<std::string> includes;  // include: and redirect= targets, lower-case, no trailing dot
  std::string all;                    // "-all", "~all", "?all", "+all" or empty
};
SpfTerms spf_terms(const std::string& record);

}  // namespace mailns::synth
