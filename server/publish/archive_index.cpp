#include "server/publish/archive_index.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>
#include <vector>

#include "dnssec/atomic_file.hpp"

namespace mailns::server {

namespace {
constexpr std::string_view kGeneration = "# generation ";

std::optional<uint64_t> generation_of(std::string_view line) {
  if (line.substr(0, kGeneration.size()) != kGeneration) return std::nullopt;
  uint64_t g = 0;
  const char* b = line.data() + kGeneration.size();
  const char* e = line.data() + line.size();
  const auto [end, ec] = std::from_chars(b, e, g);
  if (b == e || ec != std::errc() || end != e) return std::nullopt;
  return g;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// The space-separated fields of a line (tabs and repeated spaces too).
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// One index line into entries; false when it is not one.
bool apply_line(std::string_view line, IndexEntries& entries) {
  const auto f = fields_of(line);
  if (f.size() < 2 || f[0].front() == '#' || !is_sha256_hex(f[1])) return false;
  IndexEntry e;
  e.digest = std::string(f[1]);
  for (size_t i = 2; i < f.size(); ++i) {
    constexpr std::string_view kSource = "source=";
    uint32_t serial = 0;
    const char* end = f[i].data() + f[i].size();
    if (f[i].substr(0, kSource.size()) == kSource && f[i].size() > kSource.size()) {
      e.source = std::string(f[i].substr(kSource.size()));
    } else if (const auto r = std::from_chars(f[i].data(), end, serial); r.ec == std::errc() && r.ptr == end) {
      e.signed_serial = serial;
    }
  }
  entries[std::string(f[0])] = std::move(e);
  return true;
}
}  // namespace

std::string generation_line(uint64_t generation) {
  return std::string(kGeneration) + std::to_string(generation) + "\n";
}

std::string index_line(const std::string& file, const IndexEntry& entry) {
  std::string line = file + " " + entry.digest;
  if (entry.signed_serial) line.append(" ").append(std::to_string(*entry.signed_serial));
  if (!entry.source.empty()) line.append(" source=").append(entry.source);
  return line += '\n';
}

uint64_t read_index_text(std::string_view text, IndexEntries& entries) {
  uint64_t generation = 0;
  for (std::string_view line : dnssec::complete_lines(text)) {
    if (auto g = generation_of(line)) generation = *g;
    else apply_line(line, entries);
  }
  return generation;
}

std::optional<size_t> apply_log_text(std::string_view text, uint64_t generation, IndexEntries& entries) {
  const auto lines = dnssec::complete_lines(text);
  if (lines.empty() || generation_of(lines.front()) != generation) return std::nullopt;
  for (size_t i = 1; i < lines.size(); ++i) apply_line(lines[i], entries);
  return lines.size() - 1;
}

}  // namespace mailns::server
