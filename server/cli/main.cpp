// mailns: authoritative DNS server for mail domains. The commands live in
// the mailns_server library (commands.hpp); main only hands them argv.
#include <string_view>
#include <vector>

#include "server/cli/commands.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  return mailns::server::run_command_line(args);
}
