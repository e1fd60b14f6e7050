// libFuzzer target over the IXFR journal file (server/xfr/journal_file):
// decode_journal reads a file from state_dir that may be damaged. Nothing
// may crash or read past the input, and what it accepts must encode back
// to exactly the same octets (the format has one form for each journal).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "server/xfr/journal_file.hpp"

using namespace mailns::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto diffs = decode_journal(std::span<const uint8_t>(data, size));
  if (!diffs) return 0;
  std::vector<std::shared_ptr<const ZoneDiff>> shared;
  for (const ZoneDiff& d : *diffs) shared.push_back(std::make_shared<const ZoneDiff>(d));
  const std::string again = encode_journal(shared);
  if (again.size() != size || (size && std::memcmp(again.data(), data, size) != 0)) std::abort();
  return 0;
}
