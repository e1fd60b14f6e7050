// CookieSecretStore: the secret DNS server cookies are made with
// (zone/dns_cookie.hpp), kept in state_dir/cookie_secret (mode 0600,
// replaced atomically) so that a restart does not invalidate the cookies
// clients hold. The secret is rotated once a day; the one before it stays
// accepted (a cookie is valid for an hour, RFC 9018 4.3). A missing or
// unreadable file gets a new secret: clients then just learn a new cookie.
//
//   # mailns: DNS cookie secrets; written by the server, do not edit
//   current <32 hex digits> <unix time it was created>
//   previous <32 hex digits>
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zone/dns_cookie.hpp"

namespace mailns::server {

class CookieSecretStore {
 public:
  static constexpr int64_t kLifetime = 24 * 3600;

  explicit CookieSecretStore(std::string path) : path_(std::move(path)) {}

  // Reads the file, or creates the secret (and the file) when there is
  // none or it cannot be read; rotates it when due. What went wrong goes
  // to warnings: the secrets are usable in any case.
  void open(int64_t now, std::vector<std::string>& warnings);
  // Rotates the secret when it is kLifetime old; true when it changed.
  // A file that cannot be written is reported in *error (the new secret
  // is used anyway; the next start makes another).
  bool rotate_if_due(int64_t now, std::string* error);

  const zone::CookieSecrets& secrets() const noexcept { return secrets_; }
  int64_t created() const noexcept { return created_; }
  const std::string& path() const noexcept { return path_; }

 private:
  bool read(std::string* error);
  std::string save() const;
  bool rotate(int64_t now);

  std::string path_;
  zone::CookieSecrets secrets_;
  int64_t created_ = 0;
};

}  // namespace mailns::server
