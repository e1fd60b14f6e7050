// mailns status -c FILE [--json]: asks the running server (through its
// control socket) what it serves and how it is doing: uptime, per zone the
// serial, signatures' expiry, keys and DKIM selectors, the next scheduled
// event, the last reload, query counters and the secondaries' last NOTIFY
// and transfer. Exit 1 when the server cannot be reached.
#include <cstdio>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"

namespace mailns::server {

int run_status(std::span<const std::string_view> args) {
  std::string usage;
  static constexpr std::string_view kSwitches[] = {"--json"};
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage, kSwitches);
  if (!opts) return usage_error("status", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (!opts->positional.empty()) return usage_error("status", "unexpected argument '" + opts->positional[0] + "'");
  return print_control_reply("status", opts->config, opts->has("--json") ? "status json" : "status");
}

}  // namespace mailns::server
