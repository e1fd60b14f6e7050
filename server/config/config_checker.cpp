#include "server/config/config_checker.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace mailns::server {

namespace {

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

}  // namespace

std::string join(std::span<const char* const> items) {
  std::string out;
  for (const char* s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string resolve_config_path(const std::string& config_path, const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path p(file);
  if (p.is_absolute()) return p.lexically_normal().string();
  fs::path base = fs::path(config_path).parent_path();
  if (base.empty()) base = ".";
  return (base / p).lexically_normal().string();
}

std::string describe(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  if (n.IsNull()) return "nothing";
  return "'" + n.Scalar() + "'";
}

std::map<std::string, YAML::Node> ConfigChecker::keys(const YAML::Node& map, const std::string& where,
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
      error(key, "'" + path + "' is given twice (first at line " + std::to_string(f->second) + "); keep only one");
      continue;
    }
    first_line[name] = line_of(key);
    out[name] = kv.second;
  }
  return out;
}

std::optional<int64_t> ConfigChecker::integer(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                                              const std::string& unit) {
  const std::string expect =
      "expected a whole number" + unit + " from " + std::to_string(lo) + " to " + std::to_string(hi);
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

std::optional<std::string> ConfigChecker::string(const YAML::Node& n, const std::string& path,
                                                 const std::string& example) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    error(n, path + ": expected a text value such as " + example + ", got " + describe(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<bool> ConfigChecker::boolean(const YAML::Node& n, const std::string& path) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  error(n, path + ": expected true or false, got " + describe(n));
  return std::nullopt;
}

std::optional<size_t> ConfigChecker::one_of(const YAML::Node& n, const std::string& path,
                                            std::span<const char* const> words) {
  if (n.IsScalar())
    for (size_t i = 0; i < words.size(); ++i)
      if (n.Scalar() == words[i]) return i;
  error(n, path + ": expected one of " + join(words) + ", got " + describe(n));
  return std::nullopt;
}

}  // namespace mailns::server
