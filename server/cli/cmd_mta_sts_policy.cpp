// mailns mta-sts policy -c FILE DOMAIN: print the MTA-STS policy file
// (RFC 8461 3.2, CRLF line ends) that https://mta-sts.DOMAIN/.well-known/
// mta-sts.txt must serve; its id is the one published in _mta-sts.DOMAIN.
// Only a domain that declares mta_sts: has one.
#include <cstdio>
#include <string>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/publish/zone_loader.hpp"

namespace mailns::server {

namespace {

// A mail domain with mail hosts that has no policy only because it does not
// declare mta_sts: (MTA-STS is never implied).
bool declares_no_mta_sts(const Config& config, const std::string& domain) {
  for (const auto& d : config.mail_domains) {
    std::string name = d.domain.to_text();
    name.pop_back();
    if (name == domain) return !d.parked && !d.mail_hosts.empty() && !d.mta_sts;
  }
  return false;
}

}  // namespace

int run_mta_sts_policy(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage);
  if (!opts) return usage_error("mta-sts policy", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (opts->positional.size() != 1) return usage_error("mta-sts policy", "give exactly one DOMAIN");
  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  std::string domain = opts->positional[0];
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  LoadOptions load;
  load.keys = std::nullopt;  // the policy does not depend on DNSSEC; leave the keys alone
  ZoneSetResult zones = load_zones(*cfg.config, load);
  for (const auto& e : zones.domain_errors) std::fprintf(stderr, "%s\n", e.c_str());
  std::string known;
  for (const auto& [name, policy] : zones.mta_sts_policies) {
    if (name == domain) {
      std::fwrite(policy.data(), 1, policy.size(), stdout);
      return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
    }
    known += (known.empty() ? "" : ", ") + name;
  }
  if (declares_no_mta_sts(*cfg.config, domain)) {
    std::fprintf(stderr,
                 "mailns mta-sts policy: %s: %s declares no mta_sts, so no MTA-STS is published for it and there "
                 "is no policy; to publish one, add mta_sts: { mode: testing } to its entry (enforce once the "
                 "TLS-RPT reports are clean)\n",
                 opts->config.c_str(), domain.c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "mailns mta-sts policy: %s declares no mail domain %s with mail hosts and mta_sts (known: %s)\n",
               opts->config.c_str(), domain.c_str(), known.empty() ? "none" : known.c_str());
  return kExitFailure;
}

}  // namespace mailns::server
