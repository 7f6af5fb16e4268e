#!/usr/bin/env bash
# Rebuild src/engine/zlib/zlib-wasm.ts: zlib's deflate and inflate compiled to WebAssembly.
#
# Why: every log block is a level-9 zlib stream that must be byte-identical to git's. pako
# (zlib ported to JS) is, but runs at about half of C's speed, and level-9 deflate is most of
# a compaction's work. Stock zlib compiled to wasm runs within ~20% of native and is the same
# algorithm git links, so its output is identical by construction (the tests compare it
# with pako on every kind of block, and the interop suites compare whole tables with git).
# Its inflate reads log blocks at about 2.5 times pako's speed.
#
# The result is committed: nothing at test or run time needs clang. Run this only to change
# the shim (src/engine/zlib/zlib-shim.c) or the zlib version (ZLIB_* below).
# Needs clang and wasm-ld (Debian: clang-14 lld-14, installed here when run as root) and
# zlib's source, taken from Debian trixie's source package (the zlib trixie's git links)
# through a private apt state, like provision-git.sh; its hash is pinned.
#
# Usage: scripts/build-zlib-wasm.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/src/engine/zlib/zlib-wasm.ts"
SHIM="$REPO/src/engine/zlib/zlib-shim.c"
APTDIR="$REPO/.tools/apt-trixie-src"
ZLIB_VERSION=1.3.1
ZLIB_ORIG="zlib_1.3.dfsg+really1.3.1.orig.tar.gz"
ZLIB_SHA256=60dd315c07f616887caa029408308a018ace66e3d142726a97db164b3b8f69fb
# The part of zlib a level-9 zlib-wrapped deflate and its inflate use.
ZLIB_FILES=(deflate.c trees.c zutil.c adler32.c inflate.c inftrees.c inffast.c)

log() { printf '[build-zlib-wasm] %s\n' "$*" >&2; }
die() { printf '[build-zlib-wasm] ERROR: %s\n' "$*" >&2; exit 1; }

# ---- toolchain -------------------------------------------------------------------------
# Prints nothing (and succeeds, so set -e does not end the script silently) when none is found.
find_tool() { local t; for t in "$@"; do command -v "$t" >/dev/null && { echo "$t"; return; }; done; return 0; }
CLANG="$(find_tool clang-14 clang)"
WASMLD="$(find_tool wasm-ld-14 wasm-ld)"
if [[ -z "$CLANG" || -z "$WASMLD" ]]; then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null || die "install clang and lld (wasm-ld) first"
  log "installing clang-14 lld-14 (system apt)"
  apt-get install -y -q clang-14 lld-14 >&2 || { apt-get update -q >&2; apt-get install -y -q clang-14 lld-14 >&2; }
  CLANG="$(find_tool clang-14 clang)"
  WASMLD="$(find_tool wasm-ld-14 wasm-ld)"
fi
[[ -n "$CLANG" && -n "$WASMLD" ]] || die "clang/wasm-ld still missing"

# ---- zlib source -----------------------------------------------------------------------
TARBALL="$APTDIR/$ZLIB_ORIG"
if [[ ! -f "$TARBALL" ]] || ! echo "$ZLIB_SHA256  $TARBALL" | sha256sum -c --status; then
  # Same mirror as provision-git.sh uses (it writes the binary source line); deb-src of it.
  BIN_LIST="$REPO/.tools/apt-trixie/etc/sources.list"
  [[ -f "$BIN_LIST" ]] || "$REPO/scripts/provision-git.sh" >/dev/null
  mkdir -p "$APTDIR/etc" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
  sed 's/^deb /deb-src /' "$BIN_LIST" > "$APTDIR/etc/sources.list"
  # shellcheck source=lib/private-apt.sh
  source "$REPO/scripts/lib/private-apt.sh"
  private_apt_opts "$APTDIR"
  APT_OPTS=("${PRIVATE_APT_OPTS[@]}")
  log "apt-get update (private trixie source lists)"
  apt-get "${APT_OPTS[@]}" update -q >&2
  # Only the upstream tarball is needed: deflate must be stock zlib's (what git's output is), and any
  # correct inflate gives the same bytes.
  URI="$(apt-get "${APT_OPTS[@]}" source --print-uris zlib | awk -v f="$ZLIB_ORIG" '$2==f {gsub(/\x27/, "", $1); print $1}')"
  [[ -n "$URI" ]] || die "trixie's zlib source no longer lists $ZLIB_ORIG"
  /usr/lib/apt/apt-helper download-file "$URI" "$TARBALL" "SHA256:$ZLIB_SHA256" >&2
fi
echo "$ZLIB_SHA256  $TARBALL" | sha256sum -c --status || die "$TARBALL: sha256 mismatch"

# ---- compile ---------------------------------------------------------------------------
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$TARBALL" -C "$WORK"
SRC="$WORK/zlib-$ZLIB_VERSION"
[[ -f "$SRC/deflate.c" ]] || die "unexpected tarball layout"
grep -q "#define ZLIB_VERSION \"$ZLIB_VERSION\"" "$SRC/zlib.h" || die "tarball is not zlib $ZLIB_VERSION"

# Z_SOLO: no libc (the shim hands zlib its memory); NO_GZIP: only the zlib wrapper is used.
# -mbulk-memory turns zlib's copy/fill loops into memory.copy/fill instead of libc calls.
"$CLANG" --target=wasm32 -O2 -mbulk-memory -nostdlib -DZ_SOLO -DNO_GZIP -I"$SRC" \
  -fuse-ld="$(command -v "$WASMLD")" \
  -Wl,--no-entry -Wl,--strip-all \
  -Wl,--export=rt_init -Wl,--export=rt_bound -Wl,--export=rt_deflate \
  -Wl,--export=rt_heap_base -Wl,--export=rt_version \
  -Wl,--export=rt_inflate -Wl,--export=rt_inflate_in_left -Wl,--export=rt_inflate_out_left -Wl,--export=rt_inflate_msg \
  -o "$WORK/zlib.wasm" "$SHIM" "${ZLIB_FILES[@]/#/$SRC/}"

# ---- emit ------------------------------------------------------------------------------
SIZE="$(stat -c %s "$WORK/zlib.wasm")"
B64="$(base64 -w 0 "$WORK/zlib.wasm")"
cat > "$OUT.new" <<TS
// Generated by scripts/build-zlib-wasm.sh — do not edit.
// zlib $ZLIB_VERSION (${ZLIB_FILES[*]}; (C) Jean-loup Gailly and Mark Adler,
// zlib license) with src/engine/zlib/zlib-shim.c, compiled by $("$CLANG" --version | head -n1)
// to wasm32: $SIZE bytes, base64. Source tarball: Debian $ZLIB_ORIG, sha256 $ZLIB_SHA256.
export const ZLIB_WASM_VERSION = '$ZLIB_VERSION';
export const ZLIB_WASM_BASE64 =
  '$B64';
TS
mv "$OUT.new" "$OUT"
log "wrote $OUT ($SIZE bytes of wasm)"
