#include "server/publish/cookie_secret_store.hpp"

#include <openssl/rand.h>

#include <sstream>

#include "dnssec/atomic_file.hpp"

namespace mailns::server {

namespace {

constexpr const char* kHex = "0123456789abcdef";

std::string hex_of(const zone::CookieSecret& s) {
  std::string out;
  for (uint8_t b : s.bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool parse_hex(const std::string& text, zone::CookieSecret& out) {
  if (text.size() != 32) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 16; ++i) {
    const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool random_secret(zone::CookieSecret& out) { return RAND_bytes(out.bytes.data(), 16) == 1; }

}  // namespace

bool CookieSecretStore::read(std::string* error) {
  auto text = dnssec::read_file(path_);
  if (!text) {
    *error = text.error();
    return false;
  }
  std::istringstream in(*text);
  std::string line;
  bool have_current = false;
  zone::CookieSecrets s;
  int64_t created = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string what, secret;
    words >> what >> secret;
    if (what == "current" && parse_hex(secret, s.current) && (words >> created)) {
      have_current = true;
    } else if (what == "previous" && parse_hex(secret, s.previous)) {
      s.has_previous = true;
    } else {
      *error = path_ + ": cannot read the line \"" + line + "\"";
      return false;
    }
  }
  if (!have_current) {
    *error = path_ + ": no current secret";
    return false;
  }
  secrets_ = s;
  created_ = created;
  return true;
}

std::string CookieSecretStore::save() const {
  std::string text = "# mailns: DNS cookie secrets; written by the server, do not edit\n";
  text += "current " + hex_of(secrets_.current) + " " + std::to_string(created_) + "\n";
  if (secrets_.has_previous) text += "previous " + hex_of(secrets_.previous) + "\n";
  const auto slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0)
    if (dnssec::Status st = dnssec::make_directory(path_.substr(0, slash), 0700); !st) return st.error();
  if (dnssec::Status st = dnssec::write_file_atomic(path_, text, 0600); !st) return st.error();
  return {};
}

bool CookieSecretStore::rotate(int64_t now) {
  zone::CookieSecret next;
  if (!random_secret(next)) return false;  // keep the current one: still secret, just older
  secrets_.previous = secrets_.current;
  secrets_.has_previous = created_ != 0;
  secrets_.current = next;
  created_ = now;
  return true;
}

void CookieSecretStore::open(int64_t now, std::vector<std::string>& warnings) {
  std::string error;
  if (!read(&error)) {
    if (dnssec::file_exists(path_)) warnings.push_back(error + "; making a new DNS cookie secret");
    secrets_ = {};
    created_ = 0;
    if (!rotate(now)) warnings.push_back("no randomness for a DNS cookie secret: cookies are made with a fixed one");
    if (std::string e = save(); !e.empty()) warnings.push_back(e + "; DNS cookies stay valid until a restart only");
    return;
  }
  error.clear();
  rotate_if_due(now, &error);
  if (!error.empty()) warnings.push_back(error);
}

bool CookieSecretStore::rotate_if_due(int64_t now, std::string* error) {
  if (now - created_ < kLifetime) return false;
  rotate(now);
  if (std::string e = save(); !e.empty()) *error = e + "; DNS cookies stay valid until a restart only";
  return true;
}

}  // namespace mailns::server
