#include <cstdio>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"

namespace mailns::server {

int run_command_line(std::span<const std::string_view> args) {
  if (args.empty()) {
    std::fputs(usage_text(), stderr);
    return kExitUsage;
  }
  const std::string_view cmd = args[0];
  const auto rest = args.subspan(1);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (cmd == "--version" || cmd == "-V" || cmd == "version") {
    std::fputs(version_text(), stdout);
    return kExitOk;
  }
  if (cmd == "serve") return run_serve(rest);
  if (cmd == "check-config") return run_check_config(rest);
  if (cmd == "reload") return run_reload(rest);
  if (cmd == "status") return run_status(rest);
  if (cmd == "zone") {
    if (!rest.empty() && rest[0] == "export") return run_zone_export(rest.subspan(1));
    std::fprintf(stderr, "mailns zone: expected 'export'\n\n%s", usage_text());
    return kExitUsage;
  }
  if (cmd == "dnssec") return run_dnssec(rest);
  if (cmd == "tlsa") {
    if (!rest.empty() && rest[0] == "status") return run_tlsa_status(rest.subspan(1));
    std::fprintf(stderr, "mailns tlsa: expected 'status'\n\n%s", usage_text());
    return kExitUsage;
  }
  if (cmd == "dkim") {
    if (!rest.empty() && rest[0] == "status") return run_dkim_status(rest.subspan(1));
    std::fprintf(stderr, "mailns dkim: expected 'status'\n\n%s", usage_text());
    return kExitUsage;
  }
  if (cmd == "mta-sts") {
    if (!rest.empty() && rest[0] == "policy") return run_mta_sts_policy(rest.subspan(1));
    std::fprintf(stderr, "mailns mta-sts: expected 'policy'\n\n%s", usage_text());
    return kExitUsage;
  }
  std::fprintf(stderr, "mailns: unknown command '%.*s'\n\n%s", static_cast<int>(cmd.size()), cmd.data(),
               usage_text());
  return kExitUsage;
}

}  // namespace mailns::server
