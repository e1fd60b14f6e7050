// Diagnostic: one finding of the synthesizer or linter, with the place in
// the configuration it is about. Errors keep a domain from loading; warnings
// are printed and the domain is served.
#pragma once

#include <string>
#include <vector>

#include "synth/declaration.hpp"

namespace mailns::synth {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string domain;   // the mail domain (or reverse zone) it concerns
  std::string message;  // what is wrong and what to do instead

  // "file:line: error: example.org: message"
  std::string str() const {
    return loc.str() + ": " + (severity == Severity::kError ? "error" : "warning") + ": " + domain + ": " + message;
  }
};

using Diagnostics = std::vector<Diagnostic>;

inline bool has_errors(const Diagnostics& d, const std::string& domain) {
  for (const auto& x : d)
    if (x.severity == Diagnostic::Severity::kError && x.domain == domain) return true;
  return false;
}

}  // namespace mailns::synth
