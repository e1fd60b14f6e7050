#include "server/web/certificate_set.hpp"

#include <utility>  // before Asio (Boost 1.74's awaitable.hpp uses std::exchange)

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <cctype>

#include "server/web/certificate_names.hpp"

namespace mailns::server {

namespace ssl = boost::asio::ssl;

struct CertificateSet::Impl {
  std::vector<std::unique_ptr<ssl::context>> contexts;
  std::vector<std::vector<std::string>> names;
};

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The last OpenSSL error queued, as text ("" when there is none); clears the queue.
std::string openssl_reason() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (!last) return "no details from OpenSSL";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

// The DNS subjectAltNames of the certificate, else its subject CN (RFC 6125 6.4.4).
std::vector<std::string> names_of(X509* cert) {
  std::vector<std::string> out;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = gn->d.dNSName;
    out.push_back(lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<size_t>(ASN1_STRING_length(s)))));
  }
  GENERAL_NAMES_free(sans);
  if (!out.empty()) return out;
  char cn[256];
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
    out.push_back(lower(cn));
  return out;
}

// RFC 6066 3: present the certificate that covers the name asked for.
int on_server_name(SSL* ssl, int*, void* arg) {
  const auto* impl = static_cast<const CertificateSet::Impl*>(arg);
  const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!sni) return SSL_TLSEXT_ERR_OK;
  const size_t i = select_certificate(impl->names, sni);
  if (i != 0) SSL_set_SSL_CTX(ssl, impl->contexts[i]->native_handle());
  return SSL_TLSEXT_ERR_OK;
}

// *encrypted is set when the key asked for a passphrase.
EVP_PKEY* read_private_key(const std::string& file, bool* encrypted) {
  BIO* in = BIO_new_file(file.c_str(), "r");
  if (!in) return nullptr;
  // An encrypted key fails (no passphrase callback may prompt on a terminal).
  pem_password_cb* no_passphrase = [](char*, int, int, void* flag) {
    *static_cast<bool*>(flag) = true;
    return 0;
  };
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, no_passphrase, encrypted);
  BIO_free(in);
  return key;
}

// One context, or nullptr with *error set.
std::unique_ptr<ssl::context> load_one(const CertificateFiles& f, size_t index, std::string* error) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* h = ctx->native_handle();
  SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
  SSL_CTX_set_options(h, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  const std::string where = f.where + ": mta_sts_server.certificates[" + std::to_string(index) + "]: ";
  SSL_CTX_set_default_passwd_cb(h, [](char*, int, int, void*) { return 0; });  // never a prompt
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(h, f.cert.c_str()) != 1) {
    *error = where + "cannot load the certificate chain " + f.cert + " (" + openssl_reason() +
             "); give a PEM file with the certificate first, then its intermediates";
    return nullptr;
  }
  bool encrypted = false;
  EVP_PKEY* key = read_private_key(f.key, &encrypted);
  if (!key) {
    *error = where + "cannot load the private key " + f.key + " (" +
             (encrypted ? std::string("it is encrypted with a passphrase, which mailns cannot ask for") : openssl_reason()) +
             "); give an unencrypted PEM key";
    return nullptr;
  }
  const bool belongs = SSL_CTX_use_PrivateKey(h, key) == 1 && SSL_CTX_check_private_key(h) == 1;
  EVP_PKEY_free(key);
  if (!belongs) {
    *error = where + "the key " + f.key + " does not belong to the certificate " + f.cert + " (" + openssl_reason() + ")";
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::shared_ptr<CertificateSet> CertificateSet::load(std::span<const CertificateFiles> files, std::string* error) {
  auto impl = std::make_unique<Impl>();
  for (size_t i = 0; i < files.size(); ++i) {
    auto ctx = load_one(files[i], i, error);
    if (!ctx) return nullptr;
    impl->names.push_back(names_of(SSL_CTX_get0_certificate(ctx->native_handle())));
    impl->contexts.push_back(std::move(ctx));
  }
  if (impl->contexts.empty()) {
    *error = "mta_sts_server.certificates: no certificate given; add {cert: FILE, key: FILE}";
    return nullptr;
  }
  SSL_CTX* first = impl->contexts.front()->native_handle();
  SSL_CTX_set_tlsext_servername_callback(first, on_server_name);
  SSL_CTX_set_tlsext_servername_arg(first, impl.get());
  return std::shared_ptr<CertificateSet>(new CertificateSet(std::move(impl)));
}

CertificateSet::CertificateSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CertificateSet::~CertificateSet() = default;

ssl::context& CertificateSet::default_context() noexcept { return *impl_->contexts.front(); }

const std::vector<std::vector<std::string>>& CertificateSet::names() const noexcept { return impl_->names; }

}  // namespace mailns::server
