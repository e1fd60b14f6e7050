// An ECDSA P-256 signature as OpenSSL returns it (DER, RFC 3279 2.2.3:
// SEQUENCE { r INTEGER, s INTEGER }) turned into the DNSSEC wire form,
// r || s with each integer left-padded to 32 octets (RFC 6605 4), without
// d2i_ECDSA_SIG's three allocations and BIGNUM conversions: a cold start
// with 1,000 signed zones makes 53,000 signatures.
#pragma once

#include <cstdint>
#include <span>

namespace mailns::dnssec {

// The DER encoding is read strictly (a SEQUENCE of exactly two INTEGERs,
// short-form lengths, non-negative integers in their shortest form of at
// most 32 octets, nothing after); false for anything else, with out unchanged.
bool p256_signature_from_der(std::span<const uint8_t> der, std::span<uint8_t, 64> out) noexcept;

}  // namespace mailns::dnssec
