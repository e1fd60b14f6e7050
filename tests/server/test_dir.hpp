// TestDir: a fresh temporary directory for one test, removed afterwards,
// with a helper to write files into it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace mailns::server::testing {

// The smallest servable zone, example.org., for tests that write one into a TestDir.
inline constexpr const char* kZone =
    "$ORIGIN example.org.\n"
    "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1\n"
    "ns1 3600 IN A 192.0.2.53\n";

class TestDir {
 public:
  TestDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mailns-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mailns::server::testing
