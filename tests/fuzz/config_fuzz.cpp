// libFuzzer target over the whole configuration: any text goes through
// parse_config (YAML, the server: section with listen addresses, limits,
// rate_limit, dnstap, user/group; zones:, mail_domains:, reverse_zones:,
// dnssec:, tsig_keys:, secondaries:, allow_transfer:, catalog:,
// mta_sts_server:) as `mailns check-config` and a reload read it. It must
// end in a Config or in errors with their lines, never in a crash or an
// exception. Files it names are looked up under a directory that does not
// exist, so they fail cleanly; nothing is written.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "server/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const mailns::server::ConfigResult r = mailns::server::parse_config(text, "/nonexistent-mailns-fuzz/mailns.yaml");
    if (!r.config && r.errors.empty()) {
      std::fprintf(stderr, "config_fuzz: no configuration and no error\n");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "config_fuzz: exception escaped parse_config: %s\n", e.what());
    std::abort();
  }
  return 0;
}
