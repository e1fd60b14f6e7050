#include "server/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <thread>

#include "synth/declaration_yaml.hpp"

namespace mailns::server {

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

namespace {

constexpr unsigned kMaxThreads = 256;

// Levenshtein distance, to suggest the key the operator probably meant.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string join(std::span<const char* const> items) {
  std::string out;
  for (const char* s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string describe(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  if (n.IsNull()) return "nothing";
  return "'" + n.Scalar() + "'";
}

// Collects errors for one file, each anchored at a node's line.
class Checker {
 public:
  Checker(std::string file, std::vector<std::string>& errors) : file_(std::move(file)), errors_(errors) {}

  int line_of(const YAML::Node& n) const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 1; }

  void error(int line, const std::string& msg) { errors_.push_back(file_ + ":" + std::to_string(line) + ": " + msg); }
  void error(const YAML::Node& at, const std::string& msg) { error(line_of(at), msg); }

  // Walks a mapping's keys: reports keys not in `known` (with a suggestion)
  // and repeated keys, and returns the value of each known key by name.
  std::map<std::string, YAML::Node> keys(const YAML::Node& map, const std::string& where,
                                         std::span<const char* const> known) {
    std::map<std::string, YAML::Node> out;
    std::map<std::string, int> first_line;
    for (const auto& kv : map) {
      const YAML::Node key = kv.first;  // copies: yaml-cpp's iterator hands out proxies
      if (!key.IsScalar()) {
        error(key, where + ": keys must be plain words, got " + describe(key));
        continue;
      }
      const std::string name = key.Scalar();
      const std::string path = where.empty() ? name : where + "." + name;
      if (std::find(known.begin(), known.end(), std::string_view(name)) == known.end()) {
        std::string msg = "unknown key '" + path + "'";
        const char* best = nullptr;
        size_t best_d = 3;
        for (const char* k : known) {
          const size_t d = edit_distance(name, k);
          if (d < best_d) best_d = d, best = k;
        }
        if (best)
          msg += "; did you mean '" + std::string(best) + "'?";
        else
          msg += "; remove it (known keys here: " + join(known) + ")";
        error(key, msg);
        continue;
      }
      if (auto f = first_line.find(name); f != first_line.end()) {
        error(key, "'" + path + "' is given twice (first at line " + std::to_string(f->second) +
                       "); keep only one");
        continue;
      }
      first_line[name] = line_of(key);
      out[name] = kv.second;
    }
    return out;
  }

  std::optional<int64_t> integer(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                                 const std::string& unit = {}) {
    const std::string expect = "expected a whole number" + unit + " from " + std::to_string(lo) + " to " +
                               std::to_string(hi);
    if (!n.IsScalar()) {
      error(n, path + ": " + expect + ", got " + describe(n));
      return std::nullopt;
    }
    const std::string& s = n.Scalar();
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
      error(n, path + ": " + expect + ", got " + describe(n));
      return std::nullopt;
    }
    if (v < lo || v > hi) {
      error(n, path + ": " + std::to_string(v) + " is out of range; " + expect);
      return std::nullopt;
    }
    return v;
  }

  std::optional<std::string> string(const YAML::Node& n, const std::string& path, const std::string& example) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      error(n, path + ": expected a text value such as " + example + ", got " + describe(n));
      return std::nullopt;
    }
    return n.Scalar();
  }

 private:
  std::string file_;
  std::vector<std::string>& errors_;
};

constexpr const char* kTopKeys[] = {"server", "zones", "mail_domains", "reverse_zones"};
constexpr const char* kServerKeys[] = {"listen", "threads", "udp_payload", "tcp_idle_timeout",
                                       "tcp_max_connections", "log_level"};
constexpr const char* kZoneKeys[] = {"origin", "file"};
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

void parse_server(Checker& c, const YAML::Node& n, ServerSettings& out) {
  if (!n.IsMap()) {
    c.error(n, "server: expected a mapping of settings (listen:, threads:, ...), got " + describe(n));
    return;
  }
  auto keys = c.keys(n, "server", kServerKeys);
  if (auto it = keys.find("listen"); it != keys.end()) parse_listen(c, it->second, out);
  if (auto it = keys.find("threads"); it != keys.end())
    if (auto v = c.integer(it->second, "server.threads", 1, kMaxThreads)) out.threads = static_cast<unsigned>(*v);
  if (auto it = keys.find("udp_payload"); it != keys.end())
    if (auto v = c.integer(it->second, "server.udp_payload", 512, 4096, " of octets"))
      out.udp_payload = static_cast<uint16_t>(*v);
  if (auto it = keys.find("tcp_idle_timeout"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_idle_timeout", 1, 3600, " of seconds"))
      out.tcp_idle_timeout = std::chrono::seconds(*v);
  if (auto it = keys.find("tcp_max_connections"); it != keys.end())
    if (auto v = c.integer(it->second, "server.tcp_max_connections", 1, 1'000'000))
      out.tcp_max_connections = static_cast<unsigned>(*v);
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

std::string resolve_path(const std::string& config_path, const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path p(file);
  if (p.is_absolute()) return p.lexically_normal().string();
  fs::path base = fs::path(config_path).parent_path();
  if (base.empty()) base = ".";
  return (base / p).lexically_normal().string();
}

void parse_zones(Checker& c, const YAML::Node& n, const std::string& config_path, std::vector<ZoneSource>& out) {
  if (!n.IsSequence()) {
    c.error(n, "zones: expected a list of zones, each \"- origin: example.org\" with \"file: zones/example.org.zone\", got " +
                   describe(n));
    return;
  }
  if (n.size() == 0) {
    c.error(n, "zones: the list is empty; add a zone: \"- origin: example.org\" with \"file: zones/example.org.zone\"");
    return;
  }
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
        for (const ZoneSource& prev : out) {
          if (prev.origin == zs.origin) {
            c.error(origin_it->second, path + ".origin: zone " + zs.origin.to_text() +
                                           " is already defined at line " + std::to_string(prev.line) +
                                           "; each origin may appear only once");
            ok = false;
            break;
          }
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
      zs.file = resolve_path(config_path, *text);
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
  const unsigned hw = std::thread::hardware_concurrency();
  cfg.server.threads = std::clamp(hw, 1u, kMaxThreads);
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
  if (auto it = keys.find("server"); it != keys.end()) parse_server(c, it->second, cfg.server);
  if (auto it = keys.find("zones"); it != keys.end()) parse_zones(c, it->second, path, cfg.zones);
  {
    synth::YamlErrors decl_errors(path);
    const std::string base = std::filesystem::path(path).parent_path().string();
    if (auto it = keys.find("mail_domains"); it != keys.end())
      cfg.mail_domains = synth::read_mail_domains(it->second, decl_errors, base.empty() ? "." : base);
    if (auto it = keys.find("reverse_zones"); it != keys.end())
      cfg.reverse_zones = synth::read_reverse_zones(it->second, decl_errors);
    for (const auto& e : decl_errors.list()) res.errors.push_back(e);
  }
  if (keys.find("zones") == keys.end() && keys.find("mail_domains") == keys.end())
    c.error(root, "nothing to serve; add \"mail_domains: [{domain: example.org, ...}]\" or \"zones: [{origin: "
                  "example.org, file: example.org.zone}]\"");

  if (res.errors.empty()) res.config = std::move(cfg);
  return res;
}

ConfigResult load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult res;
    res.errors.push_back(path + ":1: cannot open the configuration file: " +
                         std::error_code(errno, std::generic_category()).message());
    return res;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
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
