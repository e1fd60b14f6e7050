#include "dnssec/signing_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/params.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <bit>
#include <cstring>
#include <optional>

#include "dnssec/atomic_file.hpp"
#include "dnssec/ecdsa_signature.hpp"
#include "dnssec/p256_pkcs8.hpp"

namespace mailns::dnssec {

namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// SHA-256 fetched once; EVP_MD objects from EVP_MD_fetch are thread-safe to share.
const EVP_MD* sha256() noexcept {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* p) { return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free); }

bool bn_param(EVP_PKEY* pkey, const char* name, std::vector<uint8_t>& out, int pad_to) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || bn == nullptr) return false;
  const int len = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  const size_t at = out.size();
  out.resize(at + static_cast<size_t>(len));
  const int r = BN_bn2binpad(bn, out.data() + at, len);
  BN_free(bn);
  if (r != len) {
    out.resize(at);
    return false;
  }
  return true;
}

// The DNSKEY public key field for a key of the given algorithm.
Result<std::vector<uint8_t>> public_key_field(EVP_PKEY* pkey, Algorithm alg) {
  std::vector<uint8_t> pk;
  switch (alg) {
    case Algorithm::kEcdsaP256Sha256: {  // RFC 6605 4: X || Y, 32 octets each
      // The uncompressed point 04 || X || Y as it is (5 us), not X and Y
      // as numbers (19 us); any other encoding through the numbers.
      std::array<uint8_t, 65> point{};
      size_t len = 0;
      if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) == 1 &&
          len == point.size() && point[0] == 0x04)
        return std::vector<uint8_t>(point.begin() + 1, point.end());
      ERR_clear_error();
      if (!bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, pk, 32) || !bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, pk, 32))
        return Error{"cannot read the P-256 public key: " + openssl_error()};
      return pk;
    }
    case Algorithm::kEd25519: {  // RFC 8080 3: the 32-octet public key
      size_t len = 32;
      pk.resize(32);
      if (EVP_PKEY_get_raw_public_key(pkey, pk.data(), &len) != 1 || len != 32)
        return Error{"cannot read the Ed25519 public key: " + openssl_error()};
      return pk;
    }
    case Algorithm::kRsaSha256: {  // RFC 3110 2
      std::vector<uint8_t> e, n;
      if (!bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, e, 0) || !bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, n, 0))
        return Error{"cannot read the RSA public key: " + openssl_error()};
      if (e.size() <= 255) {
        pk.push_back(static_cast<uint8_t>(e.size()));
      } else {
        pk.push_back(0);
        pk.push_back(static_cast<uint8_t>(e.size() >> 8));
        pk.push_back(static_cast<uint8_t>(e.size()));
      }
      pk.insert(pk.end(), e.begin(), e.end());
      pk.insert(pk.end(), n.begin(), n.end());
      return pk;
    }
  }
  return Error{"unsupported algorithm"};
}

Result<Algorithm> detect_algorithm(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return Algorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
      return Error{"EC key without a named curve"};
    if (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0) return Algorithm::kEcdsaP256Sha256;
    return Error{std::string("EC key on curve ") + group + "; DNSSEC algorithm 13 needs P-256 (prime256v1)"};
  }
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    const int bits = EVP_PKEY_get_bits(pkey);
    // RFC 5702 2.1: 512 to 4096 bits.
    if (bits < 512 || bits > 4096)
      return Error{"RSA key of " + std::to_string(bits) + " bits; RSASHA256 allows 512 to 4096 (use 2048)"};
    return Algorithm::kRsaSha256;
  }
  return Error{"key type is not P-256, Ed25519 or RSA"};
}

}  // namespace

uint16_t key_tag(std::span<const uint8_t> rdata) noexcept {
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) ac += (i & 1) ? rdata[i] : uint32_t{rdata[i]} << 8;
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm algorithm, uint16_t flags,
                       std::vector<uint8_t> public_key)
    : pkey_(std::move(pkey)), algorithm_(algorithm), flags_(flags) {
  dnskey_.reserve(4 + public_key.size());
  dnskey_.push_back(static_cast<uint8_t>(flags >> 8));
  dnskey_.push_back(static_cast<uint8_t>(flags));
  dnskey_.push_back(3);  // RFC 4034 2.1.2
  dnskey_.push_back(algorithm_number(algorithm));
  dnskey_.insert(dnskey_.end(), public_key.begin(), public_key.end());
  tag_ = key_tag(dnskey_);
}

namespace {
// A new P-256 key from a context set up once per thread: EVP_PKEY_Q_keygen
// fetches the key manager and sets the group again for every key (34 us
// against 16 us a key here; a first start with 10,000 zones makes 10,000).
EVP_PKEY* generate_p256() {
  struct Ctx {
    EVP_PKEY_CTX* ctx = nullptr;
    ~Ctx() { EVP_PKEY_CTX_free(ctx); }
  };
  thread_local Ctx keygen;
  if (!keygen.ctx) {  // set up on first use; a failure is tried again with the next key
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    if (!c || EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_CTX_set_group_name(c, "P-256") != 1) {
      EVP_PKEY_CTX_free(c);
      return nullptr;
    }
    keygen.ctx = c;
  }
  EVP_PKEY* out = nullptr;
  if (EVP_PKEY_generate(keygen.ctx, &out) != 1) return nullptr;
  return out;
}
}  // namespace

Result<SigningKey> SigningKey::generate(Algorithm algorithm, uint16_t flags) {
  EVP_PKEY* raw = nullptr;
  switch (algorithm) {
    case Algorithm::kEcdsaP256Sha256: raw = generate_p256(); break;
    case Algorithm::kEd25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case Algorithm::kRsaSha256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{kRsaBits}); break;
  }
  if (!raw) return Error{std::string("cannot generate a ") + std::string(algorithm_mnemonic(algorithm)) +
                         " key: " + openssl_error()};
  auto pkey = own(raw);
  auto pk = public_key_field(raw, algorithm);
  if (!pk) return Error{pk.error()};
  return SigningKey(std::move(pkey), algorithm, flags, std::move(*pk));
}

namespace {
// A P-256 key from its parts (p256_pkcs8_parts): imported as parameters,
// about 30 us instead of the decoder's 180 us. nullptr when OpenSSL refuses
// them (e.g. a point not on the curve).
EVP_PKEY* p256_from_parts(P256Parts& parts) {
  std::array<uint8_t, 32> scalar{};  // OSSL_PARAM integers are in native byte order
  for (size_t i = 0; i < 32; ++i) scalar[i] = parts.private_scalar[31 - i];
  if constexpr (std::endian::native == std::endian::big) scalar = parts.private_scalar;
  std::array<uint8_t, 65> point{0x04};
  std::copy(parts.public_point.begin(), parts.public_point.end(), point.begin() + 1);
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, scalar.data(), scalar.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* out = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &out, EVP_PKEY_KEYPAIR, params) != 1)
    out = nullptr;
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_cleanse(scalar.data(), scalar.size());
  OPENSSL_cleanse(parts.private_scalar.data(), parts.private_scalar.size());
  return out;
}

// An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY", what mailns writes),
// decoded for its own key type: a quarter of the time OpenSSL 3's generic
// decoder takes (about 0.1 ms instead of 0.45 ms for P-256), which is most
// of a warm start's key loading with thousands of zones; a P-256 key in
// the layout mailns writes is imported from its parts, faster still.
// nullptr for anything else (the generic path then decides).
EVP_PKEY* read_pkcs8_private_key(std::string_view pem, std::vector<uint8_t>* p256_point) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return nullptr;
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long len = 0;
  EVP_PKEY* out = nullptr;
  const bool pkcs8 = PEM_read_bio(bio, &name, &header, &der, &len) == 1 && std::strcmp(name, "PRIVATE KEY") == 0;
  std::optional<P256Parts> p256 = pkcs8 ? p256_pkcs8_parts({der, static_cast<size_t>(len)}) : std::nullopt;
  if (p256) {
    p256_point->assign(p256->public_point.begin(), p256->public_point.end());
    out = p256_from_parts(*p256);
  } else if (pkcs8) {
    const unsigned char* p = der;
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len);
    const ASN1_OBJECT* oid = nullptr;
    if (p8 && PKCS8_pkey_get0(&oid, nullptr, nullptr, nullptr, p8) == 1) {
      const int nid = OBJ_obj2nid(oid);
      const int type = nid == NID_X9_62_id_ecPublicKey ? EVP_PKEY_EC
                       : nid == NID_ED25519             ? EVP_PKEY_ED25519
                       : nid == NID_rsaEncryption       ? EVP_PKEY_RSA
                                                        : NID_undef;
      p = der;
      if (type != NID_undef) out = d2i_PrivateKey(type, nullptr, &p, len);
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
  }
  OPENSSL_free(name);
  OPENSSL_free(header);
  if (der) OPENSSL_cleanse(der, static_cast<size_t>(len));
  OPENSSL_free(der);
  BIO_free(bio);
  ERR_clear_error();
  return out;
}
}  // namespace

Result<SigningKey> SigningKey::from_pem(std::string_view pem, uint16_t flags) {
  std::vector<uint8_t> point;  // set for a P-256 key read from its parts: its DNSKEY public key field
  if (EVP_PKEY* fast = read_pkcs8_private_key(pem, &point)) {
    auto pkey = own(fast);
    if (!point.empty()) return SigningKey(std::move(pkey), Algorithm::kEcdsaP256Sha256, flags, std::move(point));
    auto alg = detect_algorithm(fast);
    if (!alg) return Error{alg.error()};
    auto pk = public_key_field(fast, *alg);
    if (!pk) return Error{pk.error()};
    return SigningKey(std::move(pkey), *alg, flags, std::move(*pk));
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Error{"out of memory"};
  // A password callback that refuses: encrypted keys fail instead of
  // prompting on a terminal, and the error says why.
  bool asked = false;
  auto refuse = [](char*, int, int, void* flag) {
    *static_cast<bool*>(flag) = true;
    return 0;
  };
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio, nullptr, refuse, &asked);
  BIO_free(bio);
  if (!raw && asked) {
    ERR_clear_error();
    return Error{"the key is encrypted with a passphrase, which mailns cannot ask for; store it unencrypted (mode 0600)"};
  }
  if (!raw) return Error{"not a PEM private key (" + openssl_error() + ")"};
  auto pkey = own(raw);
  auto alg = detect_algorithm(raw);
  if (!alg) return Error{alg.error()};
  auto pk = public_key_field(raw, *alg);
  if (!pk) return Error{pk.error()};
  return SigningKey(std::move(pkey), *alg, flags, std::move(*pk));
}

Result<SigningKey> SigningKey::load_pem_file(const std::string& path, uint16_t flags) {
  auto text = read_file(path);
  if (!text) return Error{text.error()};
  auto key = from_pem(*text, flags);
  if (!key) return Error{path + ": " + key.error()};
  return key;
}

namespace {
// A P-256 key's PKCS#8 DER from the template (p256_pkcs8.hpp); empty when
// its parts cannot be read (the generic encoder then writes it).
std::vector<uint8_t> p256_der(EVP_PKEY* pkey, std::span<const uint8_t> public_point) {
  BIGNUM* d = nullptr;
  std::array<uint8_t, 32> scalar{};
  const bool ok = public_point.size() == 64 && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
                  BN_bn2binpad(d, scalar.data(), 32) == 32;
  BN_clear_free(d);
  if (!ok) {
    ERR_clear_error();
    return {};
  }
  auto der = p256_pkcs8_der(scalar, std::span<const uint8_t, 64>(public_point.data(), 64));
  OPENSSL_cleanse(scalar.data(), scalar.size());
  return der;
}
}  // namespace

std::string SigningKey::to_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return {};
  std::string out;
  std::vector<uint8_t> der;
  if (algorithm_ == Algorithm::kEcdsaP256Sha256) der = p256_der(pkey_.get(), public_key());
  // Both write PKCS#8 ("BEGIN PRIVATE KEY"); PEM_write_bio only wraps the DER.
  const int written = der.empty() ? PEM_write_bio_PrivateKey(bio, pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr)
                                  : PEM_write_bio(bio, "PRIVATE KEY", "", der.data(), static_cast<long>(der.size()));
  if (!der.empty()) OPENSSL_cleanse(der.data(), der.size());
  if (written > 0) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

Status SigningKey::save_pem_file(const std::string& path) const {
  const std::string pem = to_pem();
  if (pem.empty()) return Error{path + ": cannot encode the key as PEM: " + openssl_error()};
  return write_file_atomic(path, pem, 0600);
}

Status SigningKey::save_pem_file_new(const std::string& path) const {
  const std::string pem = to_pem();
  if (pem.empty()) return Error{path + ": cannot encode the key as PEM: " + openssl_error()};
  return write_new_file_atomic(path, pem, 0600);
}

SigningKey SigningKey::with_flags(uint16_t flags) const {
  return SigningKey(pkey_, algorithm_, flags, std::vector<uint8_t>(dnskey_.begin() + 4, dnskey_.end()));
}

std::vector<uint8_t> SigningKey::sign(std::span<const uint8_t> data) const {
  SignContext ctx(*this);
  std::vector<uint8_t> out;
  if (!ctx.sign(data, out)) out.clear();
  return out;
}

SignContext::SignContext(const SigningKey& key) : key_(&key) {
  mctx_ = EVP_MD_CTX_new();
  if (!mctx_) return;
  if (key.algorithm() == Algorithm::kEd25519) {
    usable_ = true;
    return;
  }
  pctx_ = EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr);
  if (!pctx_ || EVP_PKEY_sign_init(pctx_) != 1) return;
  if (key.algorithm() == Algorithm::kRsaSha256) {
    // RFC 5702 3: PKCS#1 v1.5 with the SHA-256 DigestInfo prefix.
    if (EVP_PKEY_CTX_set_rsa_padding(pctx_, RSA_PKCS1_PADDING) != 1) return;
  }
  if (EVP_PKEY_CTX_set_signature_md(pctx_, sha256()) != 1) return;
  if (key.algorithm() == Algorithm::kEcdsaP256Sha256) p256_.emplace(key.pkey());
  // The largest signature, asked once: OpenSSL recomputes it on every query.
  const int size = EVP_PKEY_get_size(key.pkey());
  if (size <= 0) return;
  max_signature_ = static_cast<size_t>(size);
  usable_ = sha256() != nullptr;
}

SignContext::~SignContext() {
  EVP_PKEY_CTX_free(pctx_);
  EVP_MD_CTX_free(mctx_);
}

SignContext::SignContext(SignContext&& o) noexcept
    : key_(o.key_),
      p256_(std::move(o.p256_)),
      pctx_(o.pctx_),
      mctx_(o.mctx_),
      max_signature_(o.max_signature_),
      usable_(o.usable_) {
  o.pctx_ = nullptr;
  o.mctx_ = nullptr;
  o.usable_ = false;
}

bool SignContext::sign(std::span<const uint8_t> data, std::vector<uint8_t>& out) noexcept {
  if (!usable_) return false;
  const size_t at = out.size();
  if (key_->algorithm() == Algorithm::kEd25519) {
    // PureEdDSA over the whole message (RFC 8080 4); no digest first.
    if (EVP_DigestSignInit_ex(mctx_, nullptr, nullptr, nullptr, nullptr, key_->pkey(), nullptr) != 1) {
      ERR_clear_error();
      return false;
    }
    size_t len = 64;
    out.resize(at + 64);
    if (EVP_DigestSign(mctx_, out.data() + at, &len, data.data(), data.size()) != 1 || len != 64) {
      out.resize(at);
      ERR_clear_error();
      return false;
    }
    return true;
  }
  std::array<uint8_t, 32> md;
  unsigned int mdlen = 0;
  if (EVP_DigestInit_ex2(mctx_, sha256(), nullptr) != 1 || EVP_DigestUpdate(mctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(mctx_, md.data(), &mdlen) != 1 || mdlen != 32) {
    ERR_clear_error();
    return false;
  }
  size_t siglen = max_signature_;
  if (key_->algorithm() == Algorithm::kRsaSha256) {
    out.resize(at + siglen);
    if (EVP_PKEY_sign(pctx_, out.data() + at, &siglen, md.data(), mdlen) != 1) {
      out.resize(at);
      ERR_clear_error();
      return false;
    }
    out.resize(at + siglen);
    return true;
  }
  std::array<uint8_t, 64> raw;
  if (p256_ && p256_->sign(md, raw)) {
    out.insert(out.end(), raw.begin(), raw.end());
    return true;
  }
  // ECDSA: OpenSSL returns DER SEQUENCE { r, s }; DNSSEC wants r || s (RFC 6605 4).
  std::array<uint8_t, 80> der;
  if (siglen > der.size()) return false;
  if (EVP_PKEY_sign(pctx_, der.data(), &siglen, md.data(), mdlen) != 1) {
    ERR_clear_error();
    return false;
  }
  if (!p256_signature_from_der(std::span<const uint8_t>(der.data(), siglen), raw)) return false;
  out.insert(out.end(), raw.begin(), raw.end());
  return true;
}

}  // namespace mailns::dnssec
