// handle_query: the whole answer path for one DNS message, with no sockets.
// UDP, TCP, transfers and tests all call it. Pure function of its inputs;
// returns the response length, or 0 when nothing must be sent.
#pragma once

#include <cstddef>
#include <span>

#include "zone/snapshot.hpp"

namespace mailns::zone {

enum class Transport { kUdp, kTcp };

size_t handle_query(std::span<const std::byte> in, std::span<std::byte> out, const Snapshot& snapshot,
                    Transport transport = Transport::kUdp) noexcept;

}  // namespace mailns::zone
