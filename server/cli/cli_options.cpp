#include "server/cli/cli_options.hpp"

#include <algorithm>
#include <cstdio>

#ifndef MAILNS_VERSION
#define MAILNS_VERSION "0.0.0"
#endif

namespace mailns::server {

std::optional<CliOptions> parse_cli_options(std::span<const std::string_view> args, bool allow_listen,
                                            std::string* error, std::span<const std::string_view> allowed_switches) {
  CliOptions out;
  auto fail = [&](std::string msg) -> std::optional<CliOptions> {
    *error = std::move(msg);
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    // "--name=value" or "--name value"; returns nullopt when a value is missing.
    auto value_of = [&](std::string_view name) -> std::optional<std::string> {
      if (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=')
        return std::string(a.substr(name.size() + 1));
      if (i + 1 >= args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    auto is_option = [&](std::string_view name) {
      return a == name || (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=');
    };
    if (a == "-h" || a == "--help") {
      out.help = true;
    } else if (a == "-c" || is_option("--config")) {
      auto v = value_of(a == "-c" ? "-c" : "--config");
      if (!v || v->empty()) return fail(std::string(a) + " needs a file name: -c FILE");
      if (!out.config.empty()) return fail("-c given twice; give one configuration file");
      out.config = *v;
    } else if (is_option("--listen")) {
      if (!allow_listen) return fail("--listen is only accepted by 'mailns serve'");
      auto v = value_of("--listen");
      if (!v || v->empty()) return fail("--listen needs an address: --listen 127.0.0.1:5300");
      out.listen.push_back(*v);
    } else if (std::find(allowed_switches.begin(), allowed_switches.end(), a) != allowed_switches.end()) {
      if (out.has(a)) return fail(std::string(a) + " given twice");
      out.switches.emplace_back(a);
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) out.positional.emplace_back(args[i]);
    } else if (a.size() > 1 && a[0] == '-') {
      return fail("unknown option '" + std::string(a) + "'");
    } else {
      out.positional.emplace_back(a);
    }
  }
  if (!out.help && out.config.empty()) return fail("missing -c FILE (the configuration file)");
  return out;
}

const char* usage_text() noexcept {
  return "mailns: authoritative DNS server for mail domains\n"
         "\n"
         "Usage:\n"
         "  mailns serve -c FILE [--listen ADDR:PORT]...  answer queries until SIGTERM or SIGINT\n"
         "  mailns check-config -c FILE                   check the configuration and its zones\n"
         "  mailns reload -c FILE [--verbose] [ZONE...]   make the running server reload (prints the\n"
         "                                                zones that changed or failed, --verbose: all;\n"
         "                                                exit 1 when any failed); with ZONEs: only those\n"
         "                                                zones' files, with the configuration it has\n"
         "  mailns status -c FILE [--json]                what the running server serves: zones, serials,\n"
         "                                                signatures, keys, DKIM, next event, counters\n"
         "  mailns zone export -c FILE ORIGIN [--signed]  print a zone as master-file text (--signed:\n"
         "                                                with its DNSSEC records, as served)\n"
         "  mailns mta-sts policy -c FILE DOMAIN          print a mail domain's MTA-STS policy file\n"
         "  mailns dkim status -c FILE [DOMAIN]           print the DKIM selectors' timeline\n"
         "  mailns tlsa status -c FILE                    which published TLSA record matches which file\n"
         "  mailns dnssec ds -c FILE DOMAIN               print the DS (and DNSKEY) records for the parent\n"
         "                                                zone; creates the keys if the zone has none yet\n"
         "  mailns dnssec keys -c FILE                    list every signed zone's keys\n"
         "  mailns dnssec rollover -c FILE DOMAIN [--ksk|--zsk]\n"
         "                                                request a key rollover (done by the server)\n"
         "  mailns dnssec confirm-ds -c FILE DOMAIN TAG   the parent publishes the new KSK/CSK's DS\n"
         "  mailns --version                              print the version\n"
         "  mailns --help | help                          print this text\n"
         "\n"
         "Options:\n"
         "  -c, --config FILE     the YAML configuration file\n"
         "  --listen ADDR:PORT    answer on this address instead of server.listen (repeatable;\n"
         "                        IPv6 as [::1]:5300)\n"
         "  --signed              zone export: the signed zone (keys must exist; nothing is written)\n"
         "  --ksk, --zsk          dnssec rollover: which key to roll when the zone has a KSK and a ZSK\n";
}

const char* version_text() noexcept { return "mailns " MAILNS_VERSION "\n"; }

int usage_error(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "mailns %.*s: %.*s\n\n%s", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data(), usage_text());
  return kExitUsage;
}

}  // namespace mailns::server
