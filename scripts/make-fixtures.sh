#!/usr/bin/env bash
# Regenerate the git-made reftable fixtures under test/fixtures/ and their oracle outputs.
#
# Every fixture is a bare-style git dir  test/fixtures/<name>.git/  holding only what ref
# reading needs (config, HEAD stub, refs/heads stub, reftable/, worktrees/*/ stubs) plus the
# objects as one pack so git can verify; next to it  test/fixtures/<name>.expected/  holds
# what git itself prints for that git dir (the oracle for tests).
#
# Deterministic: fixed identities, dates advancing 60 s per step (one step at +0530),
# no system/global config. Only the random 8-hex suffix of table file names changes
# between runs (and hence tables.list).
#
# Usage: scripts/make-fixtures.sh            (uses $REFTABLE_GIT or provisions .tools/git)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/test/fixtures"
GIT="$(cd "$REPO" && node --input-type=module -e \
  'import { reftableGit } from "./scripts/git-path.mjs"; console.log(await reftableGit());')"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"

# ---- deterministic environment (see scripts/git-path.mjs gitEnv) ---------------------------
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(GIT_[A-Za-z_]*\)=.*/\1/p')
export GIT_CONFIG_NOSYSTEM=1 HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
export GIT_CONFIG_GLOBAL="$WORK/home/.gitconfig" LC_ALL=C TZ=UTC
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
STEP=0
# tick [TZ]: advance the clock one step (60 s) for the next git command.
tick() {
  STEP=$((STEP + 1))
  local tz="${1:--0800}"
  export GIT_COMMITTER_DATE="$((1700000000 + STEP * 60)) $tz"
  export GIT_AUTHOR_DATE="$GIT_COMMITTER_DATE"
}
reset_clock() { STEP=0; tick; }
g() { "$GIT" "$@"; }
commit() { # commit FILE CONTENT MESSAGE
  printf '%s\n' "$2" > "$1"; g add "$1"; tick; g commit -q -m "$3"
}

# ---- fixtures ---------------------------------------------------------------------------------
make_basic() { # $1 = work dir
  reset_clock
  g init -q -b main --ref-format=reftable "$1"
  cd "$1"
  commit a.txt "one" "first commit"
  commit a.txt "two" "second commit"
  # One commit in +0530 so reflog time zones differ.
  STEP=$((STEP + 1)); export GIT_COMMITTER_DATE="$((1700000000 + STEP * 60)) +0530" GIT_AUTHOR_DATE="$((1700000000 + STEP * 60)) +0530"
  printf 'three\n' > b.txt; g add b.txt; g commit -q -m "third commit (+0530)"
  tick; g branch feature HEAD~1
  tick; g branch topic/nested HEAD~2
  tick; g tag light HEAD~1                                   # lightweight tag
  tick; g tag -a v1.0 -m "release 1.0"                       # annotated tag
  tick; g tag -a v1.0-outer -m "tag of a tag" v1.0 2>/dev/null  # tag -> tag -> commit
  tick; g tag -a tree-tag -m "tag of a tree" 'HEAD^{tree}'   # tag -> tree
  tick; g tag blob-light "$(g rev-parse HEAD:a.txt)"         # lightweight tag of a blob
  tick; g symbolic-ref refs/heads/alias refs/heads/main      # symref branch
  tick; g symbolic-ref refs/heads/alias2 refs/heads/alias    # symref -> symref
  tick; g update-ref refs/remotes/origin/main HEAD~1         # remote-tracking ref
  tick; g symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
  tick; g notes add -m "a note on HEAD" HEAD
  tick; g branch temp HEAD~2                                 # created ...
  tick; g commit -q --allow-empty -m "fourth commit"
  tick; g update-ref -m $'h\xc3\xa9llo w\xc3\xb6rld\nsecond line' refs/heads/feature HEAD~1  # multi-line, non-ASCII
  tick; g update-ref -m $'  spaced \t message  ' refs/heads/feature HEAD
  tick; g reset -q --hard HEAD~1                             # writes ORIG_HEAD
  tick; g reset -q --hard ORIG_HEAD                          # and back
  tick; g update-ref --create-reflog refs/custom/logged HEAD~2
  tick; g update-ref refs/custom/nolog HEAD~3
  tick; g branch -D temp >/dev/null     # ... deleted late: tombstones (ref + its reflog) in a newer table
  tick; g update-ref refs/heads/main HEAD  # no-op update: 2.47 still writes a log-only HEAD entry
  cd "$WORK"
}

make_sha256() {
  reset_clock
  g init -q -b main --object-format=sha256 --ref-format=reftable "$1"
  cd "$1"
  commit a.txt "one" "first sha256 commit"
  commit a.txt "two" "second sha256 commit"
  tick; g branch dev HEAD~1
  commit b.txt "three" "third sha256 commit"
  tick; g tag -a v2.0 -m "sha256 tag"
  tick; g tag light256 HEAD~2
  cd "$WORK"
}

make_worktree() {
  reset_clock
  g init -q -b main --ref-format=reftable "$1/main"
  cd "$1/main"
  commit a.txt "one" "main commit"
  tick; g worktree add -q ../wt -b wtbranch
  cd "$1/wt"
  commit w.txt "in worktree" "commit inside the worktree"
  tick; g update-ref refs/worktree/private HEAD                # per-worktree ref (worktree stack)
  tick; g update-ref refs/bisect/bad HEAD~1                    # per-worktree as well
  cd "$1/main"
  tick; g update-ref refs/worktree/mainonly HEAD              # main worktree's own per-worktree ref
  commit a.txt "two" "second main commit"
  cd "$WORK"
}

make_small_blocks() {
  reset_clock
  local c=(-c reftable.blockSize=512 -c reftable.restartInterval=3)
  g "${c[@]}" init -q -b main --ref-format=reftable "$1"
  cd "$1"
  g config reftable.blockSize 512
  g config reftable.restartInterval 3
  local i oids=()
  for i in 1 2 3 4 5 6 7; do commit a.txt "v$i" "commit $i"; oids+=("$(g rev-parse HEAD)"); done
  tick
  for i in $(seq 0 299); do printf 'create refs/heads/branch-%03d-with-a-longer-name-to-fill-blocks %s\n' "$i" "${oids[$((i % 7))]}"; done \
    | g "${c[@]}" update-ref -m "bulk create" --stdin
  tick; g "${c[@]}" pack-refs
  cd "$WORK"
}

# ---- export a git dir into test/fixtures --------------------------------------------------------
# export_gitdir SRC_GITDIR DEST_GITDIR
export_gitdir() {
  local src="$1" dst="$2" d
  g --git-dir="$src" -c pack.threads=1 repack -q -a -d
  g --git-dir="$src" prune-packed
  rm -rf "$dst"; mkdir -p "$dst/objects/pack" "$dst/refs"
  cp "$src/config" "$src/HEAD" "$dst/"
  cp "$src/refs/heads" "$dst/refs/heads"
  cp -r "$src/reftable" "$dst/reftable"
  cp "$src/objects/pack/"* "$dst/objects/pack/"
  g --git-dir="$dst" config core.bare true
  if [[ -d "$src/worktrees" ]]; then
    for d in "$src/worktrees/"*/; do
      d="${d%/}"; local id="${d##*/}" w="$dst/worktrees/${d##*/}"
      mkdir -p "$w/refs"
      cp "$d/HEAD" "$d/commondir" "$w/"
      cp "$d/refs/heads" "$w/refs/heads"
      cp -r "$d/reftable" "$w/reftable"
      # The original is an absolute temp path; the worktree itself is not committed (git
      # refuses to track a file named .git). Keep a fixed relative placeholder instead.
      printf '../../../%s/.git\n' "$id" > "$w/gitdir"
    done
  fi
}

# ---- oracle ----------------------------------------------------------------------------------
# oracle GITDIR OUTDIR: what git prints for this git dir.
oracle() {
  local gd="$1" out="$2" r name
  rm -rf "$out"; mkdir -p "$out"
  local G=("$GIT" --git-dir="$gd")
  "${G[@]}" for-each-ref --format='%(objectname) %(refname)' > "$out/for-each-ref.txt"
  "${G[@]}" for-each-ref --include-root-refs --format='%(objectname) %(refname) %(symref)' > "$out/for-each-ref-root.txt"
  "${G[@]}" show-ref --head -d > "$out/show-ref-d.txt"
  : > "$out/symrefs.txt"
  "${G[@]}" for-each-ref --include-root-refs --format='%(refname) %(symref)' \
    | while read -r r name; do
        [[ -n "$name" ]] || continue
        printf '%s %s\n' "$r" "$("${G[@]}" symbolic-ref --no-recurse "$r")" >> "$out/symrefs.txt"
      done
  "${G[@]}" reflog list > "$out/reflog-list.txt"
  while read -r r; do
    "${G[@]}" log -g --date=raw --format='%gD|%H|%gn|%ge|%gs' "$r" > "$out/reflog-${r//\//_}.txt"
  done < "$out/reflog-list.txt"
  cp "$gd/reftable/tables.list" "$out/tables.list"
}

# ---- build --------------------------------------------------------------------------------------
mkdir -p "$OUT"
cd "$WORK"

make_basic "$WORK/basic"
cp -a "$WORK/basic" "$WORK/basic-packed"
(cd "$WORK/basic-packed" && tick && g pack-refs)
make_sha256 "$WORK/sha256"
mkdir -p "$WORK/worktree"; make_worktree "$WORK/worktree"
make_small_blocks "$WORK/small-blocks"

export_gitdir "$WORK/basic/.git"          "$OUT/basic.git"
export_gitdir "$WORK/basic-packed/.git"   "$OUT/basic-packed.git"
export_gitdir "$WORK/sha256/.git"         "$OUT/sha256.git"
export_gitdir "$WORK/worktree/main/.git"  "$OUT/worktree.git"
export_gitdir "$WORK/small-blocks/.git"   "$OUT/small-blocks.git"

cd "$OUT"
for n in basic basic-packed sha256 worktree small-blocks; do
  oracle "$OUT/$n.git" "$OUT/$n.expected"
done
oracle "$OUT/worktree.git/worktrees/wt" "$OUT/worktree-wt.expected"

# ---- README ---------------------------------------------------------------------------------------
{
  cat <<'MD'
# Reftable test fixtures (made by real git)

Generated by `scripts/make-fixtures.sh` — do not edit by hand; rerun the script instead
(`bash scripts/make-fixtures.sh`; it provisions git 2.47 via `scripts/provision-git.sh` or
uses `$REFTABLE_GIT`). Only the random 8-hex suffixes of table file names (and so
`tables.list`) change between runs; object ids, update indexes and table bytes are stable.

MD
  echo "Made with: \`$("$GIT" --version)\`, committer \"C O Mitter <committer@example.com>\","
  echo "author \"A U Thor <author@example.com>\", dates \`1700000000 + 60*step\` in \`-0800\`"
  echo "(one commit in \`basic\` at \`+0530\`), \`GIT_CONFIG_NOSYSTEM=1\`, empty \`HOME\`."
  cat <<'MD'

## Layout

Each `<name>.git/` is a git dir holding only `config` (with `core.bare = true`), the stub
`HEAD` and `refs/heads` files, `reftable/` (tables + `tables.list`), `worktrees/<id>/` stubs
and the objects as one pack. Use it as `git --git-dir=test/fixtures/<name>.git …`.

Each `<name>.expected/` holds what git prints for that git dir:

| file | command |
| --- | --- |
| `for-each-ref.txt` | `git for-each-ref --format='%(objectname) %(refname)'` |
| `for-each-ref-root.txt` | `git for-each-ref --include-root-refs --format='%(objectname) %(refname) %(symref)'` |
| `show-ref-d.txt` | `git show-ref --head -d` (peeled ids as stored in the tables) |
| `symrefs.txt` | `<symref> <git symbolic-ref --no-recurse symref>` for each symref in the root listing |
| `reflog-list.txt` | `git reflog list` |
| `reflog-<ref with / → _>.txt` | `git log -g --date=raw --format='%gD\|%H\|%gn\|%ge\|%gs' <ref>` for each ref in `reflog-list.txt` |
| `tables.list` | copy of `reftable/tables.list` |

## Fixtures

* `basic` — auto-compaction on (several tables). Branches `main`, `feature`, `topic/nested`;
  lightweight tags `light` (commit) and `blob-light` (blob); annotated `v1.0`, tag-of-tag
  `v1.0-outer`, `tree-tag` (tag of a tree); symrefs `refs/heads/alias -> refs/heads/main`
  and `refs/heads/alias2 -> refs/heads/alias`; `refs/remotes/origin/main` (+ symref
  `refs/remotes/origin/HEAD`); notes `refs/notes/commits`; branch `temp` created then
  deleted in the newest table (ref and log tombstones hiding
  entries in an older table); `feature` reflog messages `"héllo wörld\nsecond line"` and
  `"  spaced \t message  "` (stored normalised); `ORIG_HEAD` from `git reset`;
  `refs/custom/logged` (forced reflog) and `refs/custom/nolog` (none); finally a no-op
  `update-ref refs/heads/main HEAD` (2.47 writes a log-only table with one HEAD entry).
* `basic-packed` — `basic` followed by `git pack-refs` (one table, tombstones dropped).
* `sha256` — `--object-format=sha256` (v2 tables): commits, branch `dev`, tags.
* `worktree` — main repo plus linked worktree `wt` (`git worktree add ../wt -b wtbranch`)
  with a commit made inside it, per-worktree refs `refs/worktree/private`,
  `refs/bisect/bad` (in `worktrees/wt/reftable/`) and `refs/worktree/mainonly` (main stack).
  The worktree's own checkout is not included (git cannot track a file named `.git`);
  `worktrees/wt/gitdir` holds the fixed placeholder `../../../wt/.git` instead of the
  original absolute temp path. `worktree-wt.expected/` is the oracle for
  `git --git-dir=test/fixtures/worktree.git/worktrees/wt`.
* `small-blocks` — `reftable.blockSize=512`, `reftable.restartInterval=3` (also in its
  config), 7 commits, 300 branches `branch-000…299-with-a-longer-name-to-fill-blocks` created in one `update-ref --stdin`
  transaction, then `git pack-refs`: 44 ref blocks under a 2-level ref index, 65 log
  blocks under a 2-level log index, an obj
  section.

## The script

```bash
MD
  cat "$REPO/scripts/make-fixtures.sh"
  echo '```'
} > "$OUT/README.md"

printf '* -text\n' > "$OUT/.gitattributes"
du -sh "$OUT"/*.git | sed "s|$OUT/||" >&2
echo "fixtures written to $OUT" >&2
