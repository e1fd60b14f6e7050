// Command-line options shared by the mailns commands, parsed by hand:
// "-c FILE" / "--config FILE" / "--config=FILE", "--listen ADDR:PORT"
// (repeatable, only where the command allows it), on/off switches a command
// names ("--signed", "--ksk"), "-h" / "--help", and positional words.
// Anything else is bad usage (exit 2).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailns::server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CliOptions {
  std::string config;
  std::vector<std::string> listen;
  std::vector<std::string> positional;
  std::vector<std::string> switches;  // the ones given, as written ("--signed")
  bool help = false;

  bool has(std::string_view name) const noexcept {
    for (const auto& s : switches)
      if (s == name) return true;
    return false;
  }
};

// Parses args (the words after the command). Sets *error and returns
// nullopt on bad usage. A missing -c is reported unless help was asked for.
// allowed_switches: the on/off options this command accepts.
std::optional<CliOptions> parse_cli_options(std::span<const std::string_view> args, bool allow_listen,
                                            std::string* error,
                                            std::span<const std::string_view> allowed_switches = {});

// The usage text printed by --help and on bad usage.
const char* usage_text() noexcept;
const char* version_text() noexcept;
// Prints "mailns COMMAND: message" and the usage text to stderr; returns kExitUsage.
int usage_error(std::string_view command, std::string_view message);

}  // namespace mailns::server
