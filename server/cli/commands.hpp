// The mailns commands. Each takes the words after its name, prints what the
// user asked for on stdout and problems on stderr, and returns the process
// exit code (kExitOk, kExitFailure, or kExitUsage for bad usage).
#pragma once

#include <span>
#include <string_view>

namespace mailns::server {

// Dispatches "serve", "check-config", "zone export", "mta-sts policy",
// "dnssec ds|keys|rollover|confirm-ds", "help", --help, --version.
int run_command_line(std::span<const std::string_view> args);

int run_serve(std::span<const std::string_view> args);
int run_check_config(std::span<const std::string_view> args);
int run_reload(std::span<const std::string_view> args);
int run_status(std::span<const std::string_view> args);
// Sends request to the control socket the configuration names, prints the
// reply and returns the exit status (1 when the server cannot be reached or
// says it failed). command: for messages ("reload").
int print_control_reply(const std::string& command, const std::string& config, const std::string& request);
int run_zone_export(std::span<const std::string_view> args);
int run_mta_sts_policy(std::span<const std::string_view> args);
int run_dkim_status(std::span<const std::string_view> args);
int run_tlsa_status(std::span<const std::string_view> args);
// The words after "dnssec": ds, keys, rollover, confirm-ds (cmd_dnssec.cpp).
int run_dnssec(std::span<const std::string_view> args);

}  // namespace mailns::server
