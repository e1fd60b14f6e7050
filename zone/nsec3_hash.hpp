// NSEC3 owner-name hashing (RFC 5155 5): SHA-1 over the canonical (lower-
// cased) wire name and salt, iterated. noexcept and allocation-free after the
// first call on a thread, so the query path can hash names for denial proofs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mailns::zone {

using Nsec3Hash = std::array<uint8_t, 20>;

// wire: an uncompressed wire name (any case).
Nsec3Hash nsec3_hash_wire(const uint8_t* wire, size_t len, std::span<const uint8_t> salt,
                          uint16_t iterations) noexcept;

}  // namespace mailns::zone
