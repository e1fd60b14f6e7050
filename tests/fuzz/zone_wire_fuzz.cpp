// libFuzzer target over the zone archive's wire form (zone/zone_wire): a
// file in state_dir/zones read back at every start, which may be damaged.
// Nothing may crash or read past the input; a zone it accepts must encode
// and decode again to the same zone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "zone/zone_wire.hpp"

using namespace mailns::zone;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const DnsName origin = *DnsName::from_text("example.org.");
  auto first = decode_zone(std::span<const uint8_t>(data, size), origin, "fuzz");
  if (!first.zone) return 0;
  const std::string again = encode_zone(*first.zone);
  auto second = decode_zone(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(again.data()), again.size()),
                            origin, "fuzz");
  if (!second.zone || encode_zone(*second.zone) != again || export_zone(*second.zone) != export_zone(*first.zone))
    std::abort();
  return 0;
}
