// Where the record of a DKIM selector comes from; a selector has exactly one
// source (the declaration reader rejects a second):
// - key: our private key file: our MTA signs, we publish its public half;
// - public_key: a provider signs and gave us its public key (base64, parsed
//   when read, or a PEM file, read at each load): we publish it as TXT;
// - cname: a provider signs and publishes the key in its own zone, so that it
//   can rotate it (Amazon SES, Microsoft 365): we publish a CNAME there.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "synth/key_material.hpp"
#include "zone/dns_name.hpp"

namespace mailns::synth {

struct DkimPrivateKeyFile {
  std::string path;  // absolute after loading
};
struct DkimPublicKeyFile {
  std::string path;
};
struct DkimCname {
  zone::DnsName target;
};
using DkimSource = std::variant<DkimPrivateKeyFile, DkimPublicKeyFile, DkimPublicKey, DkimCname>;

// The file the record is read from; empty when there is none.
std::string dkim_source_file(const DkimSource& s);
// For status output and messages: "keys/s1.pem", "CNAME token1.dkim.amazonses.com", "public key (given)".
std::string dkim_source_text(const DkimSource& s);
// The key published as TXT. nullopt for a CNAME (*error left empty) or when
// a file cannot be read (*error set).
std::optional<DkimPublicKey> dkim_public_key(const DkimSource& s, std::string* error);
// The TXT value for key: "v=DKIM1; k=...; h=sha256; p=..." when we sign
// (we know our signer uses SHA-256), without h= for a provider's key (its
// signer's hash is its choice; RFC 6376 3.6.1: no h= allows any).
std::string dkim_txt(const DkimSource& s, const DkimPublicKey& key);

}  // namespace mailns::synth
