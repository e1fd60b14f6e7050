// Helpers for the dnssec tests: zones from text, records as master-file
// text, a scratch directory, and running ldns-verify-zone on a signed zone.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file.hpp"

namespace mailns::dnssec::test {

inline zone::DnsName name(const std::string& text) { return *zone::DnsName::from_text(text); }

// A file's permission bits (fails the test when it cannot be read).
inline unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// A file's whole content.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Records of a zone given as master-file text (one record per line, no
// parentheses), through zone::record_from_text.
inline std::vector<zone::Record> records_from_text(const std::string& origin, const std::string& text) {
  std::vector<zone::Record> out;
  std::istringstream in(text);
  std::string line;
  const auto o = name(origin);
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == ';') continue;
    std::string err;
    auto r = zone::record_from_text(line, o, 3600, &err);
    if (!r) {
      ADD_FAILURE() << err;
      continue;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

inline std::string to_master_text(const std::vector<zone::Record>& records) {
  std::string out;
  // SOA first, as a master file should start.
  for (const auto& r : records)
    if (r.type == zone::rrtype::SOA) out += zone::record_to_text(r.owner, r.type, r.ttl, r.rdata) + '\n';
  for (const auto& r : records)
    if (r.type != zone::rrtype::SOA) out += zone::record_to_text(r.owner, r.type, r.ttl, r.rdata) + '\n';
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "mailns-dnssec-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int status = -1;
  std::string output;
};

inline CommandResult run(const std::string& cmd) {
  CommandResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Writes the zone and runs ldns-verify-zone on it; returns its exit status
// and output. The zone must be signed at the real current time.
// options: more ldns-verify-zone options (e.g. "-t +86400": validate as of a day from now).
inline CommandResult ldns_verify(const std::vector<zone::Record>& records, const std::string& tag,
                                 const std::string& options = "") {
  TempDir dir;
  const std::string path = dir.path() + "/" + tag + ".zone";
  std::ofstream(path) << to_master_text(records);
  return run("ldns-verify-zone -V 2 " + options + (options.empty() ? "" : " ") + path);
}

// Second opinion from Knot's checker (knot-dnssecutils): kzonecheck -d on.
inline CommandResult kzonecheck(const std::vector<zone::Record>& records, const std::string& origin) {
  TempDir dir;
  const std::string path = dir.path() + "/zone";
  std::ofstream(path) << to_master_text(records);
  return run("kzonecheck -d on -o " + origin + " " + path);
}

}  // namespace mailns::dnssec::test
