#!/usr/bin/env bash
# Install what the end-to-end tests need to drive a real VS Code (code-server) in a browser:
#   * Debian chromium (browser driven by playwright-core), ripgrep (VS Code search),
#     libkrb5-dev (code-server's native `kerberos` module builds against it);
#   * code-server 4.100.3 (VS Code 1.100.3) into .tools/code-server/ (git-ignored).
# @vscode/ripgrep's postinstall would download a prebuilt rg from a host this machine
# cannot reach; we pre-seed its download cache with Debian's rg in the tarball layout it
# expects (`rg` at the top level; it runs `tar xvf <tarball> -C <pkg>/bin` and wants bin/rg).
#
# Idempotent: returns quickly when everything is in place.
# Usage: scripts/provision-e2e.sh [--force]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/.tools"
CS_VERSION=4.100.3
CS_DIR="$TOOLS/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
# Versions of @vscode/ripgrep whose postinstall we pre-seed, and the prebuilt tag each expects.
RG_CACHE_VERSIONS=("1.15.11:v13.0.0-10")

log() { printf '[provision-e2e] %s\n' "$*" >&2; }
die() { printf '[provision-e2e] ERROR: %s\n' "$*" >&2; exit 1; }
FORCE=0; [[ "${1:-}" == "--force" ]] && FORCE=1

find_chromium() {
  local c
  for c in /usr/bin/chromium /usr/bin/chromium-browser; do [[ -x "$c" ]] && { echo "$c"; return 0; }; done
  return 1
}

cs_ok() {
  local v
  [[ -x "$CS_BIN" ]] || return 1
  v="$("$CS_BIN" --version 2>/dev/null)" || return 1
  [[ "$v" == "$CS_VERSION "* ]]
}

print_paths() {
  echo "chromium=$(find_chromium)"
  echo "ripgrep=$(command -v rg)"
  echo "code-server=$CS_BIN"
  local v; v="$("$CS_BIN" --version 2>/dev/null)"; echo "code-server-version=${v%%$'\n'*}"
}

if [[ $FORCE == 0 ]] && find_chromium >/dev/null && command -v rg >/dev/null \
   && dpkg -s libkrb5-dev >/dev/null 2>&1 && cs_ok; then
  print_paths
  exit 0
fi

# ---- Debian packages -------------------------------------------------------------------
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
  die "need root on Debian to install: chromium libkrb5-dev ripgrep (apt-get install -y chromium libkrb5-dev ripgrep), plus python3, make, g++ for code-server's native modules"
fi
APT_PKGS=(chromium libkrb5-dev ripgrep)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
command -v make >/dev/null || missing+=(make)
command -v g++ >/dev/null || missing+=(g++)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # An install killed half-way (a cancelled run) leaves dpkg refusing every install until
  # its pending packages are configured; finishing them first is what apt itself asks for.
  dpkg --configure -a >&2 || true
  # Package lists may be absent or stale (versions gone from the mirror): update and retry.
  if ! apt-get install -y -q "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q "${missing[@]}" >&2
  fi
fi
RG="$(command -v rg)" || die "rg not found after installing ripgrep"
find_chromium >/dev/null || die "chromium not found after installing it"

# ---- seed @vscode/ripgrep's download cache -----------------------------------------------
TMP_BASE="${TMPDIR:-/tmp}"
for entry in "${RG_CACHE_VERSIONS[@]}"; do
  pkgver="${entry%%:*}"; tag="${entry#*:}"
  cache="$TMP_BASE/vscode-ripgrep-cache-$pkgver"
  tarball="$cache/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz"
  if [[ ! -s "$tarball" || $FORCE == 1 ]]; then
    log "seeding $tarball with $RG"
    mkdir -p "$cache"
    stage="$(mktemp -d)"
    cp "$RG" "$stage/rg"
    chmod 755 "$stage/rg"
    tar -czf "$tarball.tmp" -C "$stage" rg
    mv "$tarball.tmp" "$tarball"
    rm -rf "$stage"
  fi
done

# ---- code-server -------------------------------------------------------------------------
if [[ $FORCE == 1 ]] || ! cs_ok; then
  mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<JSON
{
  "name": "reftable-explorer-code-server",
  "private": true,
  "description": "code-server for the e2e tests, installed by scripts/provision-e2e.sh",
  "dependencies": { "code-server": "$CS_VERSION" }
}
JSON
  log "npm install code-server@$CS_VERSION in $CS_DIR (takes several minutes)"
  ( cd "$CS_DIR" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund "code-server@$CS_VERSION" >&2 )
  # Seen once on a busy machine: the first start right after the install failed and the
  # next one worked. Retry once, then show what it printed.
  if ! cs_ok; then
    sleep 3
    if ! cs_ok; then
      log "code-server --version printed:"
      "$CS_BIN" --version >&2 || true
      die "code-server --version does not report $CS_VERSION (see npm output above)"
    fi
  fi
fi

print_paths
