#!/usr/bin/env bash
# Make a reftable-capable git (Debian trixie's git 2.47) available at .tools/git/bin/git.
#
# The system git (bookworm, 2.39) cannot read reftable repositories. Trixie's git needs
# glibc >= 2.38, so we unpack trixie's git together with its own libc and loader into
# .tools/git/root and point the binaries' ELF interpreter and rpath at them (patchelf).
# apt runs with a private state (sources, lists, cache under .tools/apt-trixie) so the
# system's apt configuration is never touched.
#
# Idempotent: if the wrapper exists and works it only prints its path.
# Usage: scripts/provision-git.sh [--force]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/.tools"
DEST="$TOOLS/git"
ROOT="$DEST/root"
WRAPPER="$DEST/bin/git"
APTDIR="$TOOLS/apt-trixie"
# Packages unpacked into the private root. Add more here if `ldd` reports a missing lib.
PKGS=(git git-man libc6 libpcre2-8-0 zlib1g)

log() { printf '[provision-git] %s\n' "$*" >&2; }
die() { printf '[provision-git] ERROR: %s\n' "$*" >&2; exit 1; }

verify() {
  local out tmp
  out="$("$WRAPPER" --version 2>&1)" || return 1
  case "$out" in "git version 2.47"*) ;; *) log "unexpected version: $out"; return 1 ;; esac
  tmp="$(mktemp -d)"
  if ! (cd "$tmp" && GIT_CONFIG_NOSYSTEM=1 HOME="$tmp" "$WRAPPER" init -q --ref-format=reftable r \
        && HOME="$tmp" GIT_CONFIG_NOSYSTEM=1 "$WRAPPER" -C r rev-parse --show-ref-format | grep -qx reftable) >&2; then
    rm -rf "$tmp"; log "git init --ref-format=reftable failed"; return 1
  fi
  rm -rf "$tmp"
  return 0
}

if [[ "${1:-}" != "--force" && -x "$WRAPPER" ]] && verify; then
  echo "$WRAPPER"
  exit 0
fi

# ---- prerequisites -------------------------------------------------------------------
explain() {
  cat >&2 <<MSG
[provision-git] Cannot provision automatically: $1
Install a git >= 2.45 (reftable support) yourself and either put it on PATH or set
REFTABLE_GIT=/path/to/git. On Debian/Ubuntu as root this script does it unaided
(it needs apt-get, dpkg and patchelf, and an x86_64 machine).
MSG
  exit 1
}
[[ "$(id -u)" == 0 ]] || explain "not running as root"
command -v apt-get >/dev/null && command -v dpkg >/dev/null || explain "not a Debian-like system (apt-get/dpkg missing)"
[[ "$(dpkg --print-architecture)" == amd64 ]] || explain "architecture $(dpkg --print-architecture) is not amd64"

# ---- mirror: reuse the Debian mirror the system already uses -------------------------
find_mirror() {
  local f uri
  shopt -s nullglob
  # deb822 files first (URIs: lines), then one-line format.
  for f in /etc/apt/sources.list.d/*.sources; do
    uri="$(awk 'tolower($1)=="uris:" {for (i=2;i<=NF;i++) print $i}' "$f" | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    uri="$(awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i !~ /^\[/ && $i !~ /\]$/) {print $i; break}}' "$f" | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
}
MIRROR="$(find_mirror)"
[[ -n "$MIRROR" ]] || explain "no Debian mirror (URI ending in /debian) found in /etc/apt/sources.list*"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f "$KEYRING" ]] || explain "$KEYRING missing (install debian-archive-keyring)"

# ---- patchelf --------------------------------------------------------------------------
if ! command -v patchelf >/dev/null; then
  log "installing patchelf (system apt)"
  dpkg --configure -a >&2 || true # finish an install a cancelled run interrupted
  if ! apt-get install -y -q patchelf >&2; then
    apt-get update -q >&2
    apt-get install -y -q patchelf >&2
  fi
fi

# ---- private apt state -----------------------------------------------------------------
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/debs" "$APTDIR/etc"
cat > "$APTDIR/etc/sources.list" <<SRC
deb [signed-by=$KEYRING] $MIRROR trixie main
SRC
# shellcheck source=lib/private-apt.sh
source "$REPO/scripts/lib/private-apt.sh"
private_apt_opts "$APTDIR"
APT_OPTS=("${PRIVATE_APT_OPTS[@]}" -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64")
if ! ls "$APTDIR/lists/"*trixie*Packages* >/dev/null 2>&1 || [[ "${1:-}" == "--force" ]]; then
  log "apt-get update (private trixie lists, mirror $MIRROR)"
  apt-get "${APT_OPTS[@]}" update -q >&2
fi
log "downloading: ${PKGS[*]}"
( cd "$APTDIR/debs" && rm -f ./*.deb && apt-get "${APT_OPTS[@]}" download -q "${PKGS[@]}" >&2 )
# apt-get download runs as _apt when possible; make sure the files are ours and present.
ls "$APTDIR/debs/"*.deb >/dev/null 2>&1 || die "no .deb downloaded"

# ---- unpack ---------------------------------------------------------------------------
rm -rf "$ROOT.new"
mkdir -p "$ROOT.new"
for deb in "$APTDIR/debs/"*.deb; do
  log "unpacking $(basename "$deb")"
  dpkg -x "$deb" "$ROOT.new"
done
rm -rf "$ROOT"
mv "$ROOT.new" "$ROOT"

# Locate the unpacked dynamic loader (usr-merged trixie puts it under usr/lib64 or usr/lib/x86_64-linux-gnu).
LOADER=""
for cand in "$ROOT/usr/lib64/ld-linux-x86-64.so.2" "$ROOT/lib64/ld-linux-x86-64.so.2" \
            "$ROOT/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$ROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"; do
  if [[ -e "$cand" ]]; then LOADER="$(readlink -f "$cand")"; break; fi
done
[[ -n "$LOADER" ]] || die "unpacked loader ld-linux-x86-64.so.2 not found"
RPATH="$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu"

# ---- patch ELF files --------------------------------------------------------------------
# git-core holds hardlinks/copies of git (builtins) plus a few standalone helpers
# (git-remote-http, git-http-fetch, git-daemon, ...). Patch every dynamically linked ELF
# so whatever git execs finds the new libc; helpers with libs we did not unpack (curl for
# http) keep working for everything except their unavailable feature.
n=0
while IFS= read -r -d '' f; do
  if head -c 4 "$f" | grep -q $'\x7fELF' && patchelf --print-interpreter "$f" >/dev/null 2>&1; then
    patchelf --set-interpreter "$LOADER" --set-rpath "$RPATH" "$f"
    n=$((n + 1))
  fi
done < <(find "$ROOT/usr/bin" "$ROOT/usr/lib/git-core" -type f -print0)
log "patched $n ELF files"

# Report unresolved libraries of the two binaries that matter.
for f in "$ROOT/usr/bin/git" "$ROOT/usr/lib/git-core/git"; do
  if "$LOADER" --list "$f" 2>&1 | grep -q 'not found'; then
    "$LOADER" --list "$f" >&2 || true
    die "$f has missing libraries: add their packages to PKGS in $0"
  fi
done

# ---- wrapper -------------------------------------------------------------------------
mkdir -p "$DEST/bin"
cat > "$WRAPPER.new" <<WRAP
#!/bin/sh
# Generated by scripts/provision-git.sh: Debian trixie git with its own glibc.
ROOT="\$(cd "\$(dirname "\$0")/../root" && pwd)"
GIT_EXEC_PATH="\$ROOT/usr/lib/git-core"
GIT_TEMPLATE_DIR="\${GIT_TEMPLATE_DIR:-\$ROOT/usr/share/git-core/templates}"
export GIT_EXEC_PATH GIT_TEMPLATE_DIR
exec "\$ROOT/usr/bin/git" "\$@"
WRAP
chmod +x "$WRAPPER.new"
mv "$WRAPPER.new" "$WRAPPER"

verify || die "verification failed"
log "$("$WRAPPER" --version)"
echo "$WRAPPER"
