#!/usr/bin/env bash
# Installs every Debian 12 package mailns needs to build, test and benchmark.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
HAD_BIND9=0
if dpkg-query -W -f='${Status}' bind9 2>/dev/null | grep -q "install ok installed"; then HAD_BIND9=1; fi
# postfix is there for posttls-finger (the DANE test): "No configuration", so
# no mail system is set up or started on this machine.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get install -y -q --no-install-recommends \
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev \
  libboost-dev libssl-dev libldns-dev libyaml-cpp-dev libspdlog-dev libfmt-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  libsystemd-dev systemd prometheus \
  libfstrm-dev libprotobuf-c-dev protobuf-c-compiler fstrm-bin dnstap-ldns \
  knot knot-dnsutils knot-dnssecutils nsd bind9 unbound opendkim-tools bind9-dnsutils ldnsutils dnsperf python3 python3-dnspython procps util-linux iproute2 \
  curl openssl postfix-mta-sts-resolver postfix
# bind9 is there for named as a test secondary (tests/server/xfr/secondaries_test.py
# starts its own on loopback ports): the service its package starts is not wanted,
# unless bind9 was installed before (then it is someone's own and left alone).
if [ "$HAD_BIND9" = 0 ]; then
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now named.service 2>/dev/null || true
  elif [ -x /etc/init.d/named ]; then
    $SUDO /etc/init.d/named stop >/dev/null 2>&1 || true
  fi
fi
