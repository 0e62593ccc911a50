#!/usr/bin/env bash
# Install the Debian packages libtix needs, but only those that are missing.
# Usage: scripts/deps.sh [group...]   groups: core (default), test, python, docs, bench
# Runs apt-get update at most once per call, and only when something is missing.
set -euo pipefail

# core: what a default configure needs. That includes cmocka, because the
# tests are built by default (TIX_BUILD_TESTS=ON), `make demo` included.
core=(build-essential cmake pkg-config liblmdb-dev libxxhash-dev libsodium-dev lmdb-utils
      libjansson-dev libqrencode-dev libpng-dev
      libcmocka-dev)
test=(clang libclang-rt-dev libxml2-utils librsvg2-bin valgrind)
docs=(doxygen)
python=(python3 python3-cffi python3-pytest python3-hypothesis)
# bench: `make bench` (tix-bench compare): the peer servers, their client
# libraries (a peer is compiled in only when its library is found) and
# matplotlib for bench/gen_report.py.
bench=(libsqlite3-dev postgresql libpq-dev redis-server libhiredis-dev
       python3 python3-matplotlib)

want=()
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(core)
for g in "${groups[@]}"; do
  case "$g" in
    core)   want+=("${core[@]}") ;;
    test)   want+=("${core[@]}" "${test[@]}" "${python[@]}") ;;
    python) want+=("${core[@]}" "${python[@]}") ;;
    docs)   want+=("${docs[@]}") ;;
    bench)  want+=("${core[@]}" "${bench[@]}") ;;
    *) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
