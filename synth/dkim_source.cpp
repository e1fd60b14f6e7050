#include "synth/dkim_source.hpp"

namespace mailns::synth {

namespace {
template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;
}  // namespace

std::string dkim_source_file(const DkimSource& s) {
  if (const auto* k = std::get_if<DkimPrivateKeyFile>(&s)) return k->path;
  if (const auto* k = std::get_if<DkimPublicKeyFile>(&s)) return k->path;
  return {};
}

std::string dkim_source_text(const DkimSource& s) {
  return std::visit(Overload{[](const DkimPrivateKeyFile& k) { return k.path; },
                             [](const DkimPublicKeyFile& k) { return "public key " + k.path; },
                             [](const DkimPublicKey& k) { return "public key (given, " + k.algorithm + ")"; },
                             [](const DkimCname& c) {
                               std::string t = c.target.to_text();
                               if (t.size() > 1) t.pop_back();
                               return "CNAME " + t;
                             }},
                    s);
}

std::optional<DkimPublicKey> dkim_public_key(const DkimSource& s, std::string* error) {
  return std::visit(Overload{[&](const DkimPrivateKeyFile& k) { return load_dkim_key(k.path, error); },
                             [&](const DkimPublicKeyFile& k) { return load_dkim_public_key(k.path, error); },
                             [](const DkimPublicKey& k) { return std::optional<DkimPublicKey>(k); },
                             [](const DkimCname&) { return std::optional<DkimPublicKey>(); }},
                    s);
}

std::string dkim_txt(const DkimSource& s, const DkimPublicKey& key) {
  const bool we_sign = std::holds_alternative<DkimPrivateKeyFile>(s);
  return "v=DKIM1; k=" + key.algorithm + (we_sign ? "; h=sha256" : "") + "; p=" + key.base64;
}

}  // namespace mailns::synth
