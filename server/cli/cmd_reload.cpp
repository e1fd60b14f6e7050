// mailns reload: asks the running server (through its control socket, see
// server/control_socket.hpp) to reload its configuration, waits for the
// reload to finish and prints the zones that changed or failed (--verbose:
// every zone) and a summary line. Exit 1 when the
// configuration or any zone failed, or the server cannot be reached.
#include <cstdio>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/control/control_socket.hpp"

namespace mailns::server {

int run_reload(std::span<const std::string_view> args) {
  std::string usage;
  static constexpr std::string_view kSwitches[] = {"--verbose"};
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage, kSwitches);
  if (!opts) return usage_error("reload", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (!opts->positional.empty()) return usage_error("reload", "unexpected argument '" + opts->positional[0] + "'");
  return print_control_reply("reload", opts->config, opts->has("--verbose") ? "reload verbose" : "reload");
}

int print_control_reply(const std::string& command, const std::string& config, const std::string& request) {
  std::string error;
  const ControlReply reply = send_control_command(control_socket_path(config), request, &error);
  std::fputs(reply.text.c_str(), stdout);
  if (!error.empty()) {
    std::fprintf(stderr, "mailns %s: %s\n", command.c_str(), error.c_str());
    return kExitFailure;
  }
  return reply.ok ? kExitOk : kExitFailure;
}

}  // namespace mailns::server
