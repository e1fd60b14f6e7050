// mailns dkim status -c FILE [DOMAIN]: the DKIM selector timeline of every
// mail domain (or one): each selector's state now, its dates, whether its key
// is in DNS, and when it changes next (mailns reloads itself then).
#include <cstdio>
#include <ctime>
#include <string>
#include <variant>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "server/logging.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "synth/dkim_source.hpp"

namespace mailns::server {

namespace {
std::string date_text(int64_t t) { return t == 0 ? "-" : utc_text(t, "%Y-%m-%d"); }
}  // namespace

int run_dkim_status(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage);
  if (!opts) return usage_error("dkim status", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  if (opts->positional.size() > 1) return usage_error("dkim status", "give at most one DOMAIN");
  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  std::string only = opts->positional.empty() ? "" : opts->positional[0];
  while (!only.empty() && only.back() == '.') only.pop_back();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  bool found = false;
  std::printf("%-24s %-16s %-10s %-8s %-10s %-10s %-10s %-10s %-10s %s\n", "domain", "selector", "state", "in DNS",
              "publish", "active", "retire", "remove", "next", "key");
  for (const auto& d : cfg.config->mail_domains) {
    std::string name = d.domain.to_text();
    name.pop_back();
    if (!only.empty() && name != only) continue;
    found = true;
    for (const auto& k : d.dkim) {
      const synth::DkimState st = synth::dkim_state(k, now);
      const char* in_dns = synth::dkim_published(st) ? "yes" : (st == synth::DkimState::kRetired && k.revoke ? "revoked" : "no");
      std::string key = synth::dkim_source_text(k.source);
      std::string err;
      if (synth::dkim_published(st) && !std::holds_alternative<synth::DkimCname>(k.source)) {
        auto pub = synth::dkim_public_key(k.source, &err);
        key += pub ? " (" + pub->algorithm + ", " + std::to_string(pub->bits) + " bits)" : " (unreadable: " + err + ")";
      }
      const auto next = synth::next_dkim_change(k, now);
      std::printf("%-24s %-16s %-10s %-8s %-10s %-10s %-10s %-10s %-10s %s\n", name.c_str(), k.selector.c_str(),
                  synth::to_string(st), in_dns, date_text(k.publish_at).c_str(), date_text(k.active_at).c_str(),
                  date_text(k.retire_at ? k.retire_at : k.until).c_str(), date_text(k.remove_at).c_str(),
                  next ? date_text(*next).c_str() : "-", key.c_str());
    }
  }
  if (!only.empty() && !found) {
    std::fprintf(stderr, "mailns dkim status: %s declares no mail domain %s\n", opts->config.c_str(), only.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mailns::server
