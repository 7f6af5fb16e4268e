/**
 * Repository discovery (git's setup.c rules, minus GIT_DIR/GIT_WORK_TREE): walk up from a
 * directory looking for `.git` (a directory, or a file `gitdir: <path>` as linked worktrees
 * and submodules use), or for a directory that is itself a git dir (bare repos, or a git
 * dir given directly); follow `commondir`; read the config; check the repository format
 * like git does; and refuse anything that does not store refs in reftable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import { SHA1, hashByName } from '../engine/format.js';
import type { RepositoryInfo } from './api.js';
import { ConfigMap, configBool, configGet, mergeConfigs, parseConfig } from './config.js';

export interface DiscoverOptions {
  /** Return files-backend repositories instead of failing (for workspace scans). */
  allowFiles?: boolean;
}

/** Extensions git 2.47 understands in a version-1 repository. */
const KNOWN_EXTENSIONS = new Set([
  'noop', 'noop-v1', 'preciousobjects', 'partialclone', 'worktreeconfig', 'objectformat', 'compatobjectformat', 'refstorage',
]);
/** Extensions git refuses in a version-0 repository (they change the on-disk format). */
const V1_ONLY_EXTENSIONS = new Set(['noop-v1', 'objectformat', 'compatobjectformat', 'refstorage', 'worktreeconfig']);

function repoError(reason: string, file?: string): ReftableError {
  return new ReftableError(ErrorCode.Repository, reason, { file });
}

function stat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * git's is_git_directory(): a HEAD file, an objects directory (or a commondir file, as in
 * linked worktrees) and a refs directory. Reftable repos keep the `refs/` stub directory.
 */
export function isGitDirectory(dir: string): boolean {
  if (!stat(path.join(dir, 'HEAD'))?.isFile()) return false;
  const common = readCommonDir(dir);
  if (!common && !stat(path.join(dir, 'objects'))?.isDirectory()) return false;
  if (!stat(path.join(dir, 'refs'))?.isDirectory() && !(common && stat(path.join(common, 'refs'))?.isDirectory())) return false;
  return true;
}

function readCommonDir(gitDir: string): string | undefined {
  const raw = readText(path.join(gitDir, 'commondir'));
  if (raw === undefined) return undefined;
  const rel = raw.replace(/\r?\n$/, '');
  if (!rel) return undefined;
  return path.resolve(gitDir, rel);
}

/** Parse a `.git` file: `gitdir: <path>` (relative paths are relative to the file's directory). */
export function readGitFile(file: string): string {
  const raw = readText(file);
  if (raw === undefined) throw repoError(`cannot read ${file}`, file);
  const first = raw.split('\n')[0].replace(/\r$/, '');
  if (!first.startsWith('gitdir: ') || first.length === 8) throw repoError(`invalid gitfile format: ${file}`, file);
  const target = path.resolve(path.dirname(file), first.slice(8));
  if (!stat(target)?.isDirectory()) throw repoError(`not a git repository: ${target} (named by ${file})`, file);
  return target;
}

/** Find the git dir for `startPath` and describe the repository. */
export function discoverRepository(startPath: string, opts: DiscoverOptions = {}): RepositoryInfo {
  let dir = path.resolve(startPath);
  const st = stat(dir);
  if (!st) throw repoError(`cannot access ${dir}`);
  if (!st.isDirectory()) dir = path.dirname(dir);

  for (let cur = dir; ; cur = path.dirname(cur)) {
    const dotGit = path.join(cur, '.git');
    const s = stat(dotGit);
    if (s?.isDirectory() && isGitDirectory(dotGit)) return describe(dotGit, cur, opts);
    if (s?.isFile()) return describe(readGitFile(dotGit), cur, opts);
    if (isGitDirectory(cur)) return describe(cur, undefined, opts);
    if (path.dirname(cur) === cur) break;
  }
  throw repoError(`not a git repository (or any of the parent directories): ${dir}`);
}

/** Describe a repository whose git dir is known; `workTree` when found through `.git`. */
export function describe(gitDir: string, workTree: string | undefined, opts: DiscoverOptions = {}): RepositoryInfo {
  if (!isGitDirectory(gitDir)) throw repoError(`not a git repository: ${gitDir}`);
  const commonDir = readCommonDir(gitDir) ?? gitDir;
  const configFile = path.join(commonDir, 'config');
  const text = readText(configFile);
  if (text === undefined) throw repoError(`cannot read ${configFile}`, configFile);
  let config: ConfigMap = parseConfig(text, configFile);

  const version = Number(configGet(config, 'core.repositoryformatversion') ?? '0');
  if (!Number.isInteger(version) || version < 0) throw repoError(`bad core.repositoryformatversion in ${configFile}`, configFile);
  if (version > 1) throw repoError(`Expected git repo version <= 1, found ${version}`, configFile);
  const extensions = [...config.keys()].filter((k) => k.startsWith('extensions.')).map((k) => k.slice('extensions.'.length));
  if (version === 1) {
    const unknown = extensions.filter((e) => !KNOWN_EXTENSIONS.has(e));
    if (unknown.length) throw repoError(`unknown repository extension${unknown.length > 1 ? 's' : ''} found: ${unknown.join(', ')}`, configFile);
  } else {
    const v1only = extensions.filter((e) => V1_ONLY_EXTENSIONS.has(e));
    if (v1only.length) throw repoError(`repo version is 0, but v1-only extension found: ${v1only.join(', ')}`, configFile);
  }

  if (configBool(config, 'extensions.worktreeconfig')) {
    const wtText = readText(path.join(gitDir, 'config.worktree'));
    if (wtText !== undefined) config = mergeConfigs(config, parseConfig(wtText, path.join(gitDir, 'config.worktree')));
  }

  const formatName = (configGet(config, 'extensions.objectformat') ?? 'sha1').toLowerCase();
  const hash = hashByName(formatName);
  if (!hash) throw repoError(`unknown object format '${formatName}' in ${configFile}`, configFile);

  const storage = (configGet(config, 'extensions.refstorage') ?? 'files').toLowerCase();
  if (storage !== 'files' && storage !== 'reftable') throw repoError(`invalid value for 'extensions.refstorage': '${storage}'`, configFile);
  if (storage !== 'reftable' && !opts.allowFiles) {
    throw repoError(`${gitDir} uses the "files" ref storage, not reftable (convert with: git refs migrate --ref-format=reftable)`, configFile);
  }

  let worktreeId: string | undefined;
  const wtParent = path.join(commonDir, 'worktrees');
  if (gitDir !== commonDir && path.dirname(gitDir) === wtParent) worktreeId = path.basename(gitDir);

  let bare: boolean;
  if (workTree !== undefined) {
    bare = false;
  } else if (worktreeId !== undefined) {
    // A linked worktree's git dir given directly: its `gitdir` file names `<worktree>/.git`.
    const back = readText(path.join(gitDir, 'gitdir'))?.replace(/\r?\n$/, '');
    workTree = back ? path.dirname(path.resolve(gitDir, back)) : undefined;
    bare = false;
  } else {
    bare = configBool(config, 'core.bare') ?? path.basename(gitDir) !== '.git';
    if (!bare) {
      const wt = configGet(config, 'core.worktree');
      workTree = wt ? path.resolve(gitDir, wt) : path.basename(gitDir) === '.git' ? path.dirname(gitDir) : undefined;
    }
  }

  return {
    gitDir,
    commonDir,
    workTree,
    bare,
    hash: hash ?? SHA1,
    refStorage: storage,
    worktreeId,
    config,
  };
}

/**
 * Repositories under `root` (the root itself, work trees with `.git`, bare `*.git` dirs),
 * up to `maxDepth` directory levels below it. Skips node_modules and hidden directories;
 * does not descend into git dirs. Only reftable repositories unless `allowFiles`.
 */
export function findRepositories(root: string, maxDepth = 3, opts: DiscoverOptions = {}): RepositoryInfo[] {
  const found = new Map<string, RepositoryInfo>();
  const visit = (dir: string, depth: number) => {
    const dotGit = path.join(dir, '.git');
    const s = stat(dotGit);
    let gitDir: string | undefined;
    let workTree: string | undefined;
    if (s?.isDirectory() && isGitDirectory(dotGit)) [gitDir, workTree] = [dotGit, dir];
    else if (s?.isFile()) {
      try {
        [gitDir, workTree] = [readGitFile(dotGit), dir];
      } catch {
        // A broken .git file is not a repository we can show.
      }
    } else if (isGitDirectory(dir)) gitDir = dir;
    if (gitDir !== undefined && !found.has(gitDir)) {
      try {
        found.set(gitDir, describe(gitDir, workTree, opts));
      } catch {
        // Not reftable, or unreadable: skip.
      }
    }
    if (gitDir === dir || depth >= maxDepth) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'node_modules' || e.name.startsWith('.')) continue;
      visit(path.join(dir, e.name), depth + 1);
    }
  };
  visit(path.resolve(root), 0);
  return [...found.values()];
}
