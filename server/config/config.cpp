#include "server/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "server/config/config_checker.hpp"
#include "server/config/mta_sts_server_config.hpp"
#include "server/config/dnstap_config.hpp"
#include "server/config/rate_limit_config.hpp"
#include "synth/declaration_yaml.hpp"
#include "zone/usable_cpus.hpp"

namespace mailns::server {

namespace {


using Checker = ConfigChecker;

constexpr const char* kTopKeys[] = {"server",      "zones",          "mail_domains", "reverse_zones",
                                    "dnssec",      "tsig_keys",      "secondaries",  "allow_transfer",
                                    "ixfr_history", "catalog",       "mta_sts_server",
                                    "tsig_max_fudge"};
constexpr const char* kServerKeys[] = {"listen",         "threads",
                                       "udp_payload",    "tcp_idle_timeout",
                                       "tcp_io_timeout", "tcp_max_connections",
                                       "tcp_max_connections_per_address", "log_level",
                                       "state_dir",      "control_socket",
                                       "watch_files",    "metrics_listen",
                                       "nsid",           "dnstap",
                                       "rate_limit",     "cookies",

                                       "user",           "group"};
constexpr const char* kZoneKeys[] = {"origin", "file", "dnssec"};
constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

void parse_listen(Checker& c, const YAML::Node& n, ServerSettings& out) {
  if (!n.IsSequence()) {
    c.error(n, "server.listen: expected a list of addresses such as [127.0.0.1:5300, \"[::1]:5300\"], got " +
                   describe(n));
    return;
  }
  if (n.size() == 0) {
    c.error(n, "server.listen: the list is empty; write at least one address such as [127.0.0.1:53]");
    return;
  }
  std::vector<std::pair<ListenAddress, int>> seen;
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "server.listen[" + std::to_string(i) + "]";
    if (item.IsSequence()) {
      // An unquoted "[::1]:53" is YAML for a list; say how to write it.
      c.error(item, path + ": got a list; quote IPv6 addresses: \"[::1]:53\"");
      continue;
    }
    if (!item.IsScalar()) {
      c.error(item, path + ": expected ADDRESS:PORT such as 127.0.0.1:53, got " + describe(item));
      continue;
    }
    std::string err;
    auto addr = ListenAddress::parse(item.Scalar(), &err);
    if (!addr) {
      c.error(item, path + ": " + err);
      continue;
    }
    const int line = c.line_of(item);
    auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == *addr; });
    if (dup != seen.end()) {
      c.error(item, path + ": " + addr->to_string() + " is listed twice (first at line " +
                        std::to_string(dup->second) + "); remove one");
      continue;
    }
    seen.emplace_back(*addr, line);
  }
  out.listen.clear();
  for (auto& [a, line] : seen) out.listen.push_back(a);
}

// server.metrics_listen: one ADDRESS:PORT, not one of the DNS addresses
// (the sockets share ports with SO_REUSEPORT: the kernel would split
// connections between the two).
void parse_metrics_listen(Checker& c, const YAML::Node& n, ServerSettings& out) {
  std::string err = "expected ADDRESS:PORT such as 127.0.0.1:9153, got " + describe(n);
  auto addr = n.IsScalar() ? ListenAddress::parse(n.Scalar(), &err) : std::nullopt;
  if (!addr) {
    c.error(n, "server.metrics_listen: " + err);
    return;
  }
  if (std::find(out.listen.begin(), out.listen.end(), *addr) != out.listen.end()) {
    c.error(n, "server.metrics_listen: " + addr->to_string() + " is also a DNS listen address; give metrics a port of "
                   "their own, such as 9153");
    return;
  }
  out.metrics_listen = *addr;
}

// state_dir, control_socket, watch_files (server/reloader.hpp).
void parse_reload_settings(Checker& c, const std::map<std::string, YAML::Node>& keys, const std::string& path,
                           ServerSettings& out) {
  std::string state = "state";
  if (auto it = keys.find("state_dir"); it != keys.end())
    if (auto v = c.string(it->second, "server.state_dir", "state")) state = *v;
  out.state_dir = resolve_config_path(path, state);
  out.control_socket = out.state_dir + "/mailns.sock";
  if (auto it = keys.find("control_socket"); it != keys.end())
    if (auto v = c.string(it->second, "server.control_socket", "state/mailns.sock"))
      out.control_socket = resolve_config_path(path, *v);
  if (auto it = keys.find("watch_files"); it != keys.end())
    if (auto v = c.boolean(it->second, "server.watch_files")) out.watch_files = *v;
}

template <class Keys>
void parse_tcp_limits(Checker& c, const Keys& keys, ServerSettings& out) {
  if (auto it = keys.find("tcp_io_timeout"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_io_timeout", 1, 3600, " of seconds"))
      out.tcp_io_timeout = std::chrono::seconds(*v);
  if (auto it = keys.find("tcp_max_connections"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_max_connections", 1, 1'000'000))
      out.tcp_max_connections = static_cast<unsigned>(*v);
  if (auto it = keys.find("tcp_max_connections_per_address"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_max_connections_per_address", 1, 1'000'000))
      out.tcp_max_connections_per_address = static_cast<unsigned>(*v);
}

// RFC 5001: an identifier of this server instance, printable ASCII only so
// that it reads the same in dig +nsid and in the logs.
void parse_nsid(Checker& c, const YAML::Node& n, ServerSettings& out) {
  const auto v = c.string(n, "server.nsid", "ns1-fra");
  if (!v) return;
  const bool printable = std::all_of(v->begin(), v->end(), [](char ch) { return ch >= 0x20 && ch <= 0x7e; });
  if (v->empty() || v->size() > 128 || !printable) {
    c.error(n, "server.nsid: expected 1 to 128 printable ASCII characters identifying this server (such as "
               "ns1-fra), got " + describe(n));
    return;
  }
  out.nsid = *v;
}

void parse_server(Checker& c, const YAML::Node& n, ServerSettings& out) {
  if (!n.IsMap()) {
    c.error(n, "server: expected a mapping of settings (listen:, threads:, ...), got " + describe(n));
    return;
  }
  auto keys = c.keys(n, "server", kServerKeys);
  parse_reload_settings(c, keys, c.file(), out);
  if (auto it = keys.find("listen"); it != keys.end()) parse_listen(c, it->second, out);
  if (auto it = keys.find("threads"); it != keys.end())
    if (auto v = c.integer(it->second, "server.threads", 1, kMaxWorkers)) out.threads = static_cast<unsigned>(*v);
  if (auto it = keys.find("udp_payload"); it != keys.end())
    if (auto v = c.integer(it->second, "server.udp_payload", 512, 4096, " of octets"))
      out.udp_payload = static_cast<uint16_t>(*v);
  if (auto it = keys.find("tcp_idle_timeout"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_idle_timeout", 1, 3600, " of seconds"))
      out.tcp_idle_timeout = std::chrono::seconds(*v);
  parse_tcp_limits(c, keys, out);
  if (auto it = keys.find("nsid"); it != keys.end()) parse_nsid(c, it->second, out);
  if (auto it = keys.find("metrics_listen"); it != keys.end()) parse_metrics_listen(c, it->second, out);
  if (auto it = keys.find("dnstap"); it != keys.end()) out.dnstap = read_dnstap_settings(c, it->second);
  if (auto it = keys.find("rate_limit"); it != keys.end()) out.rate_limit = read_rate_limit(c, it->second);
  if (auto it = keys.find("cookies"); it != keys.end())
    if (auto v = c.boolean(it->second, "server.cookies")) out.cookies = *v;
  out.run_as = read_run_as(c, keys);
  if (auto it = keys.find("log_level"); it != keys.end()) {
    const YAML::Node& v = it->second;
    const auto* level = v.IsScalar() ? std::find(std::begin(kLogLevels), std::end(kLogLevels), v.Scalar())
                                     : std::end(kLogLevels);
    if (level == std::end(kLogLevels))
      c.error(v, "server.log_level: expected one of " + join(kLogLevels) + ", got " + describe(v));
    else
      out.log_level = static_cast<LogLevel>(level - std::begin(kLogLevels));
  }
}

void parse_zones(Checker& c, const YAML::Node& n, const std::string& config_path, std::vector<ZoneSource>& out,
                 Config& cfg) {
  if (!n.IsSequence()) {
    c.error(n, "zones: expected a list of zones, each \"- origin: example.org\" with \"file: zones/example.org.zone\", got " +
                   describe(n));
    return;
  }
  if (n.size() == 0) {
    c.error(n, "zones: the list is empty; add a zone: \"- origin: example.org\" with \"file: zones/example.org.zone\"");
    return;
  }
  std::unordered_map<std::string, size_t> seen;  // origin (lookup form) -> line
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "zones[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      c.error(item, path + ": expected a mapping with origin: and file:, got " + describe(item));
      continue;
    }
    auto keys = c.keys(item, path, kZoneKeys);
    ZoneSource zs;
    zs.line = c.line_of(item);
    bool ok = true;
    auto origin_it = keys.find("origin");
    if (origin_it == keys.end()) {
      c.error(item, path + ": missing 'origin'; add the zone's name, e.g. \"origin: example.org\"");
      ok = false;
    } else if (auto text = c.string(origin_it->second, path + ".origin", "example.org")) {
      std::string err;
      auto name = zone::DnsName::from_text(*text, &err);
      if (!name) {
        c.error(origin_it->second, path + ".origin: '" + *text + "' is not a valid domain name (" + err +
                                       "); write a name such as example.org");
        ok = false;
      } else {
        zs.origin = *name;
        // One lookup per entry: 100,000 zones must not cost 10^10 comparisons.
        if (auto [it, fresh] = seen.emplace(std::string(zs.origin.lookup_form()), zs.line); !fresh) {
          c.error(origin_it->second, path + ".origin: zone " + zs.origin.to_text() + " is already defined at line " +
                                         std::to_string(it->second) + "; each origin may appear only once");
          ok = false;
        }
      }
    } else {
      ok = false;
    }
    auto file_it = keys.find("file");
    if (file_it == keys.end()) {
      c.error(item, path + ": missing 'file'; add the zone's master file, e.g. \"file: zones/example.org.zone\"");
      ok = false;
    } else if (auto text = c.string(file_it->second, path + ".file", "zones/example.org.zone")) {
      zs.file_text = *text;
      zs.file = resolve_config_path(config_path, *text);
      std::error_code ec;
      const auto status = std::filesystem::status(zs.file, ec);
      if (ec || !std::filesystem::exists(status)) {
        c.error(file_it->second, path + ".file: zone file '" + *text + "' does not exist (looked for " + zs.file +
                                     "); paths are relative to the config file's directory");
        ok = false;
      } else if (!std::filesystem::is_regular_file(status)) {
        c.error(file_it->second, path + ".file: '" + zs.file + "' is not a regular file; name the zone's master file");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (auto d = keys.find("dnssec"); d != keys.end() && ok)
      cfg.dnssec_overrides[std::string(zs.origin.lookup_form())] =
          read_dnssec_settings(c, d->second, path + ".dnssec", cfg.dnssec, config_path);
    if (ok) out.push_back(std::move(zs));
  }
}

}  // namespace

ConfigResult parse_config(const std::string& yaml_text, const std::string& path) {
  ConfigResult res;
  Checker c(path, res.errors);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    c.error(e.mark.line >= 0 ? e.mark.line + 1 : 1, "YAML syntax error: " + e.msg +
                                                        " (check indentation and quoting; IPv6 addresses need "
                                                        "quotes: \"[::1]:53\")");
    return res;
  }
  Config cfg;
  cfg.path = path;
  const unsigned hw = zone::usable_cpus();
  cfg.server.threads = std::clamp(hw, 1u, kMaxWorkers);
  cfg.server.listen = {*ListenAddress::parse("127.0.0.1:53", nullptr)};

  if (root.IsNull()) {
    c.error(1, "the configuration is empty; it needs at least a zones: list");
    return res;
  }
  if (!root.IsMap()) {
    c.error(root, "expected a mapping with the keys server: and zones:, got " + describe(root));
    return res;
  }
  auto keys = c.keys(root, "", kTopKeys);
  parse_reload_settings(c, {}, path, cfg.server);  // the defaults, when there is no server: section
  if (auto it = keys.find("server"); it != keys.end()) parse_server(c, it->second, cfg.server);
  // The top-level dnssec: first: the per-zone sections override it.
  cfg.dnssec = default_dnssec_settings(path);
  if (auto it = keys.find("dnssec"); it != keys.end())
    cfg.dnssec = read_dnssec_settings(c, it->second, "dnssec", cfg.dnssec, path);
  if (auto it = keys.find("zones"); it != keys.end()) parse_zones(c, it->second, path, cfg.zones, cfg);
  {
    synth::YamlErrors decl_errors(path);
    const std::string base = std::filesystem::path(path).parent_path().string();
    const synth::ExtraKey dnssec_key{"dnssec", [&](const zone::DnsName& domain, const YAML::Node& v) {
                                       std::string where = domain.to_text();
                                       where.pop_back();
                                       cfg.dnssec_overrides[std::string(domain.lookup_form())] =
                                           read_dnssec_settings(c, v, where + ".dnssec", cfg.dnssec, path);
                                     }};
    if (auto it = keys.find("mail_domains"); it != keys.end())
      cfg.mail_domains = synth::read_mail_domains(it->second, decl_errors, base.empty() ? "." : base,
                                                  std::span(&dnssec_key, 1));
    if (auto it = keys.find("reverse_zones"); it != keys.end())
      cfg.reverse_zones = synth::read_reverse_zones(it->second, decl_errors);
    for (const auto& e : decl_errors.list()) res.errors.push_back(e);
  }
  {
    const std::vector<zone::DnsName> served = cfg.all_origins();
    read_transfer_settings(c, keys, path, served, cfg.transfer);
  }
  if (auto it = keys.find("mta_sts_server"); it != keys.end())
    cfg.mta_sts_server = read_mta_sts_server(c, it->second, path);
  if (keys.find("zones") == keys.end() && keys.find("mail_domains") == keys.end())
    c.error(root, "nothing to serve; add \"mail_domains: [{domain: example.org, ...}]\" or \"zones: [{origin: "
                  "example.org, file: example.org.zone}]\"");

  cfg.entry_texts = read_entry_texts(root);
  cfg.inputs = c.take_inputs();
  if (res.errors.empty()) res.config = std::move(cfg);
  return res;
}

const DnssecSettings& Config::dnssec_for(const zone::DnsName& origin) const {
  auto it = dnssec_overrides.find(origin.lookup_form());
  return it == dnssec_overrides.end() ? dnssec : it->second;
}

std::vector<zone::DnsName> Config::all_origins() const {
  std::vector<zone::DnsName> out;
  for (const ZoneSource& z : zones) out.push_back(z.origin);
  for (const auto& d : mail_domains) out.push_back(d.domain);
  for (const auto& r : reverse_zones) out.push_back(r.origin);
  return out;
}

ConfigResult load_config(const std::string& path) {
  InputFile self = InputFile::stamped(path);  // before reading: a write after it changes the stamp
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult res;
    res.errors.push_back(path + ":1: cannot open the configuration file: " +
                         std::error_code(errno, std::generic_category()).message());
    return res;
  }
  std::ostringstream text;
  text << in.rdbuf();
  ConfigResult res = parse_config(text.str(), path);
  if (res.config) res.config->inputs.insert(res.config->inputs.begin(), std::move(self));
  return res;
}

std::vector<std::string> apply_listen_override(Config& config, const std::vector<std::string>& listen) {
  std::vector<std::string> errors;
  std::vector<ListenAddress> addrs;
  for (const std::string& s : listen) {
    std::string err;
    auto a = ListenAddress::parse(s, &err);
    if (!a) {
      errors.push_back("--listen " + s + ": " + err);
      continue;
    }
    if (std::find(addrs.begin(), addrs.end(), *a) != addrs.end()) {
      errors.push_back("--listen " + s + ": given twice; give each address once");
      continue;
    }
    addrs.push_back(*a);
  }
  if (errors.empty() && !addrs.empty()) config.server.listen = std::move(addrs);
  return errors;
}

}  // namespace mailns::server
