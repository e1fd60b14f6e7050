#include "zone/soa.hpp"

namespace mailns::zone {

namespace {
constexpr size_t kFixedFieldsSize = 20;  // SERIAL REFRESH RETRY EXPIRE MINIMUM
}  // namespace

std::optional<uint32_t> soa_minimum(std::span<const uint8_t> rdata) noexcept {
  if (rdata.size() < kFixedFieldsSize) return std::nullopt;
  const uint8_t* m = rdata.data() + rdata.size() - 4;
  return uint32_t{m[0]} << 24 | uint32_t{m[1]} << 16 | uint32_t{m[2]} << 8 | m[3];
}

}  // namespace mailns::zone
