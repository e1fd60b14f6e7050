#include "server/publish/serial_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <system_error>

#include "dnssec/atomic_file.hpp"
#include "zone/soa_serial.hpp"

namespace mailns::server {

namespace {
// A whole field as a serial: digits only, within 32 bits.
bool read_serial(const char* b, const char* e, uint32_t& serial) {
  const auto [end, ec] = std::from_chars(b, e, serial);
  return b != e && ec == std::errc() && end == e;
}

std::string key_of(const zone::DnsName& origin) {
  std::string s = origin.to_text();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

void SerialStore::load(std::vector<std::string>& warnings) {
  serials_.clear();
  if (path_.empty()) return;
  if (!dnssec::file_exists(path_)) return read_log(warnings);
  auto text = dnssec::read_file(path_);
  if (!text) {
    warnings.push_back(text.error() + "; zones start from today's first serial");
    return;
  }
  std::istringstream in(*text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.find(' ');
    uint32_t serial = 0;
    const char* b = sp == std::string::npos ? nullptr : line.data() + sp + 1;
    const char* e = line.data() + line.size();
    if (!b || !read_serial(b, e, serial)) {
      warnings.push_back(path_ + ":" + std::to_string(n) + ": not '<zone> <serial>'; line ignored");
      continue;
    }
    serials_[line.substr(0, sp)] = serial;
  }
  read_log(warnings);
}

void SerialStore::read_log(std::vector<std::string>& warnings) {
  log_lines_ = 0;
  const std::string log = path_ + ".log";
  if (!dnssec::file_exists(log)) return;
  auto text = dnssec::read_file(log);
  if (!text) {
    warnings.push_back(text.error() + "; the serials of the last zones reloaded alone may start again from today's");
    return;
  }
  // Complete lines only: the last one may have been cut short by a crash
  // (then its zone was not published with that serial).
  for (const std::string_view line : dnssec::complete_lines(*text)) {
    ++log_lines_;
    const auto sp = line.find(' ');
    uint32_t serial = 0;
    if (sp == std::string_view::npos ||
        !read_serial(line.data() + sp + 1, line.data() + line.size(), serial))
      continue;
    auto [it, added] = serials_.emplace(std::string(line.substr(0, sp)), serial);
    if (!added && zone::serial_greater(serial, it->second)) it->second = serial;
  }
}

std::string SerialStore::append(const std::vector<zone::DnsName>& origins) {
  if (path_.empty() || origins.empty()) return {};
  if (log_lines_ + origins.size() > std::max<size_t>(1024, serials_.size() / 8)) return save();
  std::string lines;
  for (const zone::DnsName& o : origins)
    if (auto it = serials_.find(key_of(o)); it != serials_.end())
      lines.append(it->first).append(" ").append(std::to_string(it->second)) += '\n';
  if (auto st = dnssec::append_lines_durably(path_ + ".log", lines, 0600); !st) return st.error();
  log_lines_ += origins.size();
  return {};
}

std::string SerialStore::save() {
  if (path_.empty()) return {};
  std::string text = "# mailns: last SOA serial served per zone; written by the server, do not edit\n";
  text.reserve(text.size() + serials_.size() * 40);
  for (const auto& [zone, serial] : serials_) text.append(zone).append(" ").append(std::to_string(serial)) += '\n';
  const auto slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0)
    if (dnssec::Status st = dnssec::make_directory(path_.substr(0, slash), 0700); !st) return st.error();
  if (dnssec::Status st = dnssec::write_file_atomic(path_, text, 0600); !st) return st.error();
  // The file holds what the log held: the log's lines would change nothing now.
  if (log_lines_ > 0 || dnssec::file_exists(path_ + ".log")) {
    if (::unlink((path_ + ".log").c_str()) != 0 && errno != ENOENT)
      return path_ + ".log: " + std::strerror(errno);
    log_lines_ = 0;
  }
  return {};
}

std::optional<uint32_t> SerialStore::get(const zone::DnsName& origin) const {
  auto it = serials_.find(key_of(origin));
  if (it == serials_.end()) return std::nullopt;
  return it->second;
}

void SerialStore::set(const zone::DnsName& origin, uint32_t serial) { serials_[key_of(origin)] = serial; }

uint32_t SerialStore::next_for(const zone::DnsName& origin, int64_t now, std::optional<uint32_t> floor) const {
  const auto last = get(origin);
  if (!last) return floor && zone::serial_greater(*floor, zone::first_serial_of_day(now)) ? *floor : zone::first_serial_of_day(now);
  const uint32_t next = zone::next_serial(*last, now);
  return floor && zone::serial_greater(*floor, next) ? *floor : next;
}

}  // namespace mailns::server
