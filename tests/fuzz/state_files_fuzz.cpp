// libFuzzer target over the state files read back at start: the zone
// archive's index and index.log (server/publish/archive_index) and the
// serials file and serials.log (server/publish/serial_store). The input is
// split at its first NUL into the file and its log. Nothing may crash,
// throw or read out of bounds, and what is read must survive being written
// again: the entries formatted as an index read back the same, and a serial
// set and appended to the log reads back as set.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "dnssec/atomic_file.hpp"
#include "server/publish/archive_index.hpp"
#include "server/publish/serial_store.hpp"
#include "zone/dns_name.hpp"

namespace {

const std::string& scratch_dir() {
  static const std::string dir = [] {
    // tmpfs when there is one: the appends fdatasync.
    char templ[] = "/dev/shm/mailns-state-fuzz-XXXXXX";
    char fallback[] = "/tmp/mailns-state-fuzz-XXXXXX";
    const char* d = ::mkdtemp(templ);
    if (!d) d = ::mkdtemp(fallback);
    if (!d) ::abort();
    return std::string(d);
  }();
  return dir;
}

void write(const std::string& path, std::string_view text) {
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
}

void check_archive_index(std::string_view index, std::string_view log) {
  using namespace mailns::server;
  IndexEntries entries;
  const uint64_t generation = read_index_text(index, entries);
  (void)apply_log_text(log, generation, entries);
  std::string again = generation_line(generation + 1);
  for (const auto& [file, e] : entries) again += index_line(file, e);
  IndexEntries back;
  if (read_index_text(again, back) != generation + 1 || back != entries) ::abort();
}

void check_serials(std::string_view file, std::string_view log) {
  using namespace mailns::server;
  const std::string path = scratch_dir() + "/serials";
  write(path, file);
  write(path + ".log", log);
  SerialStore store(path);
  std::vector<std::string> warnings;
  store.load(warnings);
  const auto zone = *mailns::zone::DnsName::from_text("fuzz.example.");
  const uint32_t serial = store.next_for(zone, 1764460800);
  store.set(zone, serial);
  if (!store.append({zone}).empty()) return;  // a write error: nothing to read back
  SerialStore back(path);
  back.load(warnings);
  if (back.get(zone) != serial) ::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string_view file = in.substr(0, nul);
  const std::string_view log = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  check_archive_index(file, log);
  check_serials(file, log);
  return 0;
}
