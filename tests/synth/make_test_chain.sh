#!/usr/bin/env bash
# A throw-away certificate chain for the DANE tests, made with the openssl CLI
# (ECDSA P-256): DIR/root.pem (self-signed), DIR/intermediate.pem (issued by
# the root), DIR/leaf.pem and DIR/leaf.key for HOST (issued by the
# intermediate), and DIR/fullchain.pem = leaf + intermediate, what a mail
# server sends.
# usage: make_test_chain.sh DIR [HOST] [INTERMEDIATE_DAYS] [INTERMEDIATE_ORG]
set -euo pipefail
d=$1
host=${2:-mail.example.org}
int_days=${3:-3650}
int_org=${4:-mailns test CA}
mkdir -p "$d"
cd "$d"
key() { openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key root.key
openssl req -x509 -new -key root.key -days 7300 -subj "/O=mailns test CA/CN=mailns test root" -out root.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
key intermediate.key
openssl req -new -key intermediate.key -subj "/O=$int_org/CN=mailns test intermediate" -out intermediate.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > intermediate.ext
openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -CAcreateserial -days "$int_days" \
  -extfile intermediate.ext -out intermediate.pem 2>/dev/null
key leaf.key
openssl req -new -key leaf.key -subj "/CN=$host" -out leaf.csr
printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$host" > leaf.ext
openssl x509 -req -in leaf.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial -days 30 \
  -extfile leaf.ext -out leaf.pem 2>/dev/null
cat leaf.pem intermediate.pem > fullchain.pem
