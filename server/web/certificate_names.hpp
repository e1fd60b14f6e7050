// Choosing a certificate by the name a TLS client asks for (SNI, RFC 6066 3)
// among the names each certificate holds (its DNS subjectAltNames, else its
// subject CN). Matching follows RFC 6125 6.4: case-insensitive, a trailing
// dot ignored, a wildcard only as the whole left-most label ("*.example.org"
// covers "mta-sts.example.org", neither "example.org" nor "a.b.example.org").
// Pure functions: no OpenSSL, no sockets.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailns::server {

// True when the certificate name `pattern` covers the host name `host`.
bool certificate_name_matches(std::string_view pattern, std::string_view host) noexcept;

// The index of the certificate to present for `sni`: the first whose names
// cover it exactly, else the first whose wildcard covers it, else 0 (the
// default, also when the client sent no name). names holds one list per
// certificate, in configuration order; empty names: 0.
size_t select_certificate(std::span<const std::vector<std::string>> names, std::string_view sni) noexcept;

}  // namespace mailns::server
