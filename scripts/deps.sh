#!/usr/bin/env bash
# Install the Debian packages libtix needs, but only those that are missing.
# Usage: scripts/deps.sh [group...]   groups: core (default), test, python, docs, bench,
#        browser
# browser also installs node and npm when the machine has none, and the npm
# packages of tests/browser (playwright-core, pinned by its package-lock.json)
# when they are missing; the browser is Debian's chromium, never a download.
# Runs apt-get update at most once per call, and only when something is missing.
set -euo pipefail

# core: what a default configure needs. That includes cmocka, because the
# tests are built by default (TIX_BUILD_TESTS=ON), `make demo` included.
# libnats-dev: replication (lib/repl, TIX_REPL), on by default when found;
# librdkafka-dev: the change feed's Kafka relay.
core=(build-essential cmake pkg-config liblmdb-dev libxxhash-dev libsodium-dev lmdb-utils
      libjansson-dev libqrencode-dev libpng-dev
      libcmocka-dev tzdata libnats-dev librdkafka-dev)
# curl: the README's blocks (tests/readme) use it. nats-server: the
# replication test (tests/repl) runs a 3-node JetStream cluster.
test=(clang libclang-rt-dev libxml2-utils librsvg2-bin valgrind curl nats-server)
docs=(doxygen)
# python3-pip and python3-setuptools: the offline `pip install bindings/python` test.
python=(python3 python3-cffi python3-pytest python3-hypothesis python3-pip python3-setuptools)
# bench: `make bench` (tix-bench compare): the peer servers, their client
# libraries (a peer is compiled in only when its library is found) and
# matplotlib for bench/gen_report.py.
# browser: `make test-browser` (tests/browser, playwright-core driving chromium).
browser=(chromium fonts-dejavu-core)
bench=(libsqlite3-dev postgresql libpq-dev redis-server libhiredis-dev
       python3 python3-matplotlib)

want=()
npm_dirs=()
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(core)
for g in "${groups[@]}"; do
  case "$g" in
    core)   want+=("${core[@]}") ;;
    test)   want+=("${core[@]}" "${test[@]}" "${python[@]}") ;;
    python) want+=("${core[@]}" "${python[@]}") ;;
    docs)   want+=("${docs[@]}") ;;
    bench)  want+=("${core[@]}" "${bench[@]}") ;;
    browser) want+=("${python[@]}" "${browser[@]}")
             command -v node >/dev/null && command -v npm >/dev/null || want+=(nodejs npm)
             npm_dirs+=(tests/browser) ;;
    *) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: installed exactly as locked, only when missing or stale.
root=$(cd "$(dirname "$0")/.." && pwd)
for d in ${npm_dirs[@]+"${npm_dirs[@]}"}; do
  lock="$root/$d/package-lock.json" stamp="$root/$d/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "deps.sh: npm ci in $d"
    (cd "$root/$d" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  fi
done
