// Locate a reftable-capable git (>= 2.45) for fixtures, interop tests and benchmarks.
//
//   import { reftableGit, gitEnv } from "../scripts/git-path.mjs";
//   const git = await reftableGit();
//   execFileSync(git, ["init", "--ref-format=reftable", dir], { env: gitEnv(home) });
//
// Order: $REFTABLE_GIT, system `git` if >= 2.45, .tools/git/bin/git (made by
// scripts/provision-git.sh), else run provision-git.sh now.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WRAPPER = path.join(REPO, ".tools", "git", "bin", "git");
const PROVISION = path.join(REPO, "scripts", "provision-git.sh");

/** @returns {[number, number, number] | null} */
function gitVersion(git) {
  try {
    const out = execFileSync(git, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const m = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(out);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
  } catch {
    return null;
  }
}

function atLeast(v, major, minor) {
  return v !== null && (v[0] > major || (v[0] === major && v[1] >= minor));
}

let cached;

/**
 * Path of a git that can read and write reftable repositories.
 * @returns {Promise<string>}
 */
export async function reftableGit() {
  if (cached) return cached;
  const fromEnv = process.env.REFTABLE_GIT;
  if (fromEnv) {
    if (!atLeast(gitVersion(fromEnv), 2, 45)) {
      throw new Error(`REFTABLE_GIT=${fromEnv} is not a runnable git >= 2.45`);
    }
    return (cached = fromEnv);
  }
  if (atLeast(gitVersion("git"), 2, 45)) return (cached = "git");
  if (existsSync(WRAPPER) && atLeast(gitVersion(WRAPPER), 2, 45)) return (cached = WRAPPER);

  const r = spawnSync("bash", [PROVISION], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status === 0 && existsSync(WRAPPER) && atLeast(gitVersion(WRAPPER), 2, 45)) return (cached = WRAPPER);
  throw new Error(
    "No reftable-capable git (>= 2.45) found. The system git is too old and " +
      `${path.relative(REPO, PROVISION)} failed (exit ${r.status ?? r.signal}). ` +
      "Install git >= 2.45 on PATH or set REFTABLE_GIT=/path/to/git.",
  );
}

/**
 * The binary behind `git` when it is the provisioned shell wrapper, with the two variables the
 * wrapper would set added to `env` (timing a command through the wrapper charges git for a
 * shell start); any other git is returned as it is.
 * @param {string} git a path from reftableGit()
 * @param {NodeJS.ProcessEnv} env changed in place
 * @returns {string}
 */
export function unwrappedGit(git, env) {
  const root = path.join(REPO, ".tools", "git", "root");
  if (path.resolve(git) !== WRAPPER || !existsSync(path.join(root, "usr", "bin", "git"))) return git;
  env.GIT_EXEC_PATH = path.join(root, "usr", "lib", "git-core");
  env.GIT_TEMPLATE_DIR = path.join(root, "usr", "share", "git-core", "templates");
  return path.join(root, "usr", "bin", "git");
}

/**
 * Deterministic environment for running git in tests: no system/user config, fixed
 * identities and dates. Pass `date` (e.g. "1700000060 -0800") to advance time per step.
 * @param {string} home directory to use as HOME (an empty temp dir)
 * @param {string} [date] value for GIT_COMMITTER_DATE and GIT_AUTHOR_DATE
 * @returns {NodeJS.ProcessEnv}
 */
export function gitEnv(home, date = "1700000000 -0800") {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    // Drop anything that could redirect or reconfigure git (GIT_DIR, GIT_INDEX_FILE, ...).
    if (k.startsWith("GIT_")) delete env[k];
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: path.join(home, ".gitconfig"),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    LC_ALL: "C",
    TZ: "UTC",
    GIT_COMMITTER_NAME: "C O Mitter",
    GIT_COMMITTER_EMAIL: "committer@example.com",
    GIT_COMMITTER_DATE: date,
    GIT_AUTHOR_NAME: "A U Thor",
    GIT_AUTHOR_EMAIL: "author@example.com",
    GIT_AUTHOR_DATE: date,
  };
}
