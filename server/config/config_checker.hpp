// ConfigChecker: typed reading of the configuration's YAML nodes with every
// problem collected as "FILE:LINE: what is wrong; what to write instead".
// Shared by the sections the server parses itself (server:, zones:,
// dnssec:); mail_domains: is read by synth/declaration_yaml.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/config/file_stamp.hpp"

namespace mailns::server {

// "a list", "a mapping", "nothing" or the quoted scalar, for messages.
std::string describe(const YAML::Node& n);
// "a, b, c"
std::string join(std::span<const char* const> items);
// A path from the configuration: absolute as written, relative ones against
// the configuration file's directory; normalized.
std::string resolve_config_path(const std::string& config_path, const std::string& file);

class ConfigChecker {
 public:
  ConfigChecker(std::string file, std::vector<std::string>& errors) : file_(std::move(file)), errors_(errors) {}

  const std::string& file() const noexcept { return file_; }
  int line_of(const YAML::Node& n) const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 1; }

  void error(int line, const std::string& msg) { errors_.push_back(file_ + ":" + std::to_string(line) + ": " + msg); }
  void error(const YAML::Node& at, const std::string& msg) { error(line_of(at), msg); }
  size_t error_count() const noexcept { return errors_.size(); }

  // Walks a mapping's keys: reports keys not in `known` (with a suggestion)
  // and repeated keys, and returns the value of each known key by name.
  std::map<std::string, YAML::Node> keys(const YAML::Node& map, const std::string& where,
                                         std::span<const char* const> known);

  std::optional<int64_t> integer(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi,
                                 const std::string& unit = {});
  std::optional<std::string> string(const YAML::Node& n, const std::string& path, const std::string& example);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& path);
  // One of the words (exact match); the error lists them.
  std::optional<size_t> one_of(const YAML::Node& n, const std::string& path, std::span<const char* const> words);

  // Stamps a file the configuration reads besides itself (call it before
  // reading the file): a reload can tell that none of them changed.
  void reading(const std::string& path) { inputs_.push_back(InputFile::stamped(path)); }
  std::vector<InputFile> take_inputs() { return std::move(inputs_); }

 private:
  std::string file_;
  std::vector<std::string>& errors_;
  std::vector<InputFile> inputs_;
};

}  // namespace mailns::server
