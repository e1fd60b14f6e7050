// YamlReader: typed reading of yaml-cpp nodes with errors collected as
// "file:line: message" (what is wrong and what to write instead). Maps are
// read through MapReader, which rejects keys nobody asked for, so a typo in a
// configuration is an error rather than a silently ignored setting.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mailns::synth {

class YamlErrors {
 public:
  explicit YamlErrors(std::string file) : file_(std::move(file)) {}
  const std::string& file() const noexcept { return file_; }
  int line_of(const YAML::Node& n) const { return n.Mark().line + 1; }
  void add(const YAML::Node& at, const std::string& message) { errors_.push_back(where(at) + ": " + message); }
  void add_line(int line, const std::string& message) {
    errors_.push_back(file_ + ":" + std::to_string(line) + ": " + message);
  }
  std::string where(const YAML::Node& n) const { return file_ + ":" + std::to_string(line_of(n)); }
  const std::vector<std::string>& list() const noexcept { return errors_; }
  bool empty() const noexcept { return errors_.empty(); }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// Reads one YAML mapping. Every get_* marks the key as known; finish()
// reports the keys that were present but never asked for.
class MapReader {
 public:
  MapReader(const YAML::Node& node, YamlErrors& errors, std::string context);
  bool ok() const noexcept { return ok_; }
  bool has(const std::string& key) const;
  YAML::Node node(const std::string& key);  // marks known; may be undefined

  std::optional<std::string> get_string(const std::string& key, bool required = false);
  std::optional<int64_t> get_int(const std::string& key, int64_t min, int64_t max, bool required = false);
  std::optional<bool> get_bool(const std::string& key);
  // A scalar or a sequence of scalars.
  std::optional<std::vector<std::string>> get_string_list(const std::string& key);
  // One of the listed words.
  std::optional<std::string> get_enum(const std::string& key, const std::vector<std::string>& allowed);

  void finish();
  // Names the mapping in later messages (e.g. once its `domain:` is known).
  void set_context(std::string context) { context_ = std::move(context); }

 private:
  YAML::Node node_;
  YamlErrors& errors_;
  std::string context_;
  std::set<std::string> known_;
  bool ok_ = true;
};

}  // namespace mailns::synth
