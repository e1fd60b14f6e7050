// mailns reload [ZONE...]: asks the running server (through its control
// socket, see server/control_socket.hpp) to reload its configuration, or,
// with zone names, only those zones with the configuration it has (as
// `knotc zone-reload ZONE`); waits for the reload to finish and prints the
// zones that changed or failed (--verbose: every zone) and a summary line.
// Exit 1 when the configuration or any zone failed, a zone name is not
// served, or the server cannot be reached. Only the configuration's
// `server:` section is read here (control_socket_path.hpp).
#include <cstdio>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/control_socket_path.hpp"
#include "server/control/control_socket.hpp"

namespace mailns::server {

namespace {
// What the control socket takes on one line (control_socket.cpp's kMaxCommand, less the newline).
constexpr size_t kMaxRequest = 65535;
}  // namespace

int run_reload(std::span<const std::string_view> args) {
  std::string usage;
  static constexpr std::string_view kSwitches[] = {"--verbose"};
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage, kSwitches);
  if (!opts) return usage_error("reload", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  std::string request = opts->has("--verbose") ? "reload verbose" : "reload";
  if (!opts->positional.empty()) {
    request += " zones";
    for (const std::string& zone : opts->positional) {
      if (zone.find_first_of(" \t\r\n") != std::string::npos)
        return usage_error("reload", "'" + zone + "' is not a zone name (it contains white space)");
      request += " " + zone;
    }
    if (request.size() > kMaxRequest)
      return usage_error("reload", std::to_string(opts->positional.size()) +
                                       " zone names are more than one request takes; reload them in smaller groups");
  }
  return print_control_reply("reload", opts->config, request);
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
