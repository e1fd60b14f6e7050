// libFuzzer target over the master-file parser (zone/zone_file, through
// ldns): any text must load or fail with errors, never crash; a zone that
// loads is served by handle_query for its apex SOA without trouble.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "zone/handle_query.hpp"
#include "zone/zone_file.hpp"

using namespace mailns::zone;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;  // master files are parsed record by record; more adds nothing
  static const DnsName origin = *DnsName::from_text("example.org");
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto res = load_zone_text(text, origin, "fuzz.zone");
  if (res.zone) {
    Snapshot snap({res.zone}, AnswerOptions{});
    // A query for the apex SOA: id 1, RD, one question.
    std::vector<uint8_t> q = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    for (uint8_t b : origin.wire()) q.push_back(b);
    q.insert(q.end(), {0, 6, 0, 1});
    std::vector<uint8_t> out(65535);
    (void)handle_query(std::as_bytes(std::span(q)), std::as_writable_bytes(std::span(out)), snap, Transport::kTcp);
  }
  return 0;
}
