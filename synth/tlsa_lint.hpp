// The TLSA part of the linter (DANE, RFC 7671): the forms a mail host declares
// against its certificate file. A 2 x x form (DANE-TA, RFC 7671 5.2) pins the key of
// the CA certificate that issued the leaf, so it needs that issuer in the
// file (the server must send it too), and it breaks as soon as the CA issues
// a renewal from another key: that is warned about for issuers known to
// change (see why_issuer_changes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "synth/certificate_chain.hpp"
#include "synth/declaration.hpp"
#include "synth/diagnostic.hpp"

namespace mailns::synth {

// Why a renewal is likely to come from another CA key than issuer's, or
// nullopt: Let's Encrypt (O=Let's Encrypt) picks one of several intermediates
// per certificate and replaces them every few years; any other intermediate
// (not self-signed) valid for 5 years or less is replaced by its CA by the
// time it expires. A root (self-signed) or a longer-lived intermediate is
// the stable thing to pin.
std::optional<std::string> why_issuer_changes(const ChainCertificate& issuer);

void lint_tlsa(const MailDomainDecl& d, Diagnostics& diags);

}  // namespace mailns::synth
