// Helpers for synth tests: declarations from YAML text, zone text lookups.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "synth/declaration_yaml.hpp"
#include "synth/mail_zone_set.hpp"
#include "zone/rr_text.hpp"
#include "zone/zone_file.hpp"

namespace mailns::synth::test {

inline std::string conf_dir() { return MAILNS_SOURCE_DIR "/conf"; }

// Output of a shell command (values computed independently of mailns, with
// the openssl CLI), without trailing blanks, newlines and sha256sum's '-'.
inline std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '-')) out.pop_back();
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A TXT record line as record_to_text prints it: character-strings quoted,
// split at 255 octets.
inline std::string txt(const std::string& owner, const std::string& value, uint32_t ttl = 3600) {
  std::string q;
  for (size_t i = 0; i < value.size(); i += 255) q += (q.empty() ? "\"" : " \"") + value.substr(i, 255) + "\"";
  return owner + "\t" + std::to_string(ttl) + "\tIN\tTXT\t" + q;
}


// Parses `mail_domains:` (and reverse_zones) from YAML text; key paths are
// relative to conf/ so the demo keys can be used.
struct Parsed {
  std::vector<MailDomainDecl> decls;
  std::vector<ReverseZoneDecl> reverse;
  std::vector<std::string> errors;
};

inline Parsed parse(const std::string& yaml, const std::string& base = conf_dir()) {
  Parsed p;
  YamlErrors errors("test.yaml");
  YAML::Node root = YAML::Load(yaml);
  p.decls = read_mail_domains(root["mail_domains"], errors, base);
  p.reverse = read_reverse_zones(root["reverse_zones"], errors);
  p.errors = errors.list();
  return p;
}

inline std::vector<std::string> record_lines(const SynthesizedZone& z) {
  std::vector<std::string> out;
  for (const auto& r : z.records) out.push_back(zone::record_to_text(r.owner, r.type, r.ttl, r.rdata));
  std::sort(out.begin(), out.end());
  return out;
}

// The records of z against want: each missing and unexpected line fails.
inline void expect_exactly(const SynthesizedZone& z, std::vector<std::string> want) {
  std::sort(want.begin(), want.end());
  const auto got = record_lines(z);
  std::vector<std::string> missing, unexpected;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(unexpected));
  for (const auto& m : missing) ADD_FAILURE() << "missing: " << m;
  for (const auto& u : unexpected) ADD_FAILURE() << "unexpected: " << u;
}

inline bool has_message(const Diagnostics& d, const std::string& needle, Diagnostic::Severity sev) {
  for (const auto& x : d)
    if (x.severity == sev && x.str().find(needle) != std::string::npos) return true;
  return false;
}

inline std::string all_messages(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d) s += x.str() + "\n";
  return s;
}

}  // namespace mailns::synth::test
