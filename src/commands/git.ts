/**
 * Object information from a git binary, when there is one: the store knows refs, not
 * objects, so peeling a new tag or expanding an abbreviated id needs git. Everything here is
 * optional; without git the commands still work with full ids and unpeeled values.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { log } from '../log.js';
import type { RepositoryInfo } from '../model/source.js';

export interface ObjectInfo {
  /** `git cat-file -t`, or undefined when unknown. */
  type(info: RepositoryInfo, oid: string): Promise<string | undefined>;
  /** The id `<oid>^{}` peels to, when `oid` is a tag object. */
  peel(info: RepositoryInfo, oid: string): Promise<string | undefined>;
  /** Full id of an abbreviated one (`rev-parse --verify <abbrev>^{object}`). */
  expand(info: RepositoryInfo, abbrev: string): Promise<string | undefined>;
  /** Whether objects can be written (a git binary answers for this repository). */
  canWriteObjects(info: RepositoryInfo): Promise<boolean>;
  /** Write an annotated tag object (`git mktag`) for `target`; its id, or undefined without git. */
  createTagObject(info: RepositoryInfo, tag: string, target: string, message: string): Promise<string | undefined>;
}

export class GitObjects implements ObjectInfo {
  /** The configured path that was found missing: a changed setting is tried again. */
  private missing: string | undefined;

  private gitPath(): string {
    const p = vscode.workspace.getConfiguration('reftable').get<string>('gitPath', '');
    return p && p.trim() ? p.trim() : 'git';
  }

  private run(info: RepositoryInfo, args: string[], input?: string): Promise<string | undefined> {
    const git = this.gitPath();
    if (this.missing === git) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const env = { ...process.env, GIT_DIR: info.gitDir, GIT_OPTIONAL_LOCKS: '0' };
      const child = execFile(git, args, { env, timeout: 5000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            this.missing = git;
            log.info(`no git binary at "${git}": tags are written unpeeled and ids must be given in full`);
          } else if (input !== undefined) {
            log.warn(`git ${args[0]} failed: ${String(stderr).trim() || err.message}`);
          }
          resolve(undefined);
          return;
        }
        resolve(String(stdout).trim() || undefined);
      });
      // A broken pipe when git exits early is reported through the callback above.
      child.stdin?.on('error', () => {});
      child.stdin?.end(input ?? '');
    });
  }

  type(info: RepositoryInfo, oid: string): Promise<string | undefined> {
    return this.run(info, ['cat-file', '-t', oid]);
  }

  async peel(info: RepositoryInfo, oid: string): Promise<string | undefined> {
    if ((await this.type(info, oid)) !== 'tag') return undefined;
    return this.run(info, ['rev-parse', '--verify', '--quiet', `${oid}^{}`]);
  }

  expand(info: RepositoryInfo, abbrev: string): Promise<string | undefined> {
    return this.run(info, ['rev-parse', '--verify', '--quiet', `${abbrev}^{object}`]);
  }

  async canWriteObjects(info: RepositoryInfo): Promise<boolean> {
    return (await this.run(info, ['rev-parse', '--git-dir'])) !== undefined;
  }

  async createTagObject(info: RepositoryInfo, tag: string, target: string, message: string): Promise<string | undefined> {
    const type = await this.type(info, target);
    if (!type) return undefined;
    // The tagger is whoever git would record for `git tag -a` (user config, GIT_COMMITTER_*).
    const tagger = await this.run(info, ['var', 'GIT_COMMITTER_IDENT']);
    if (!tagger) return undefined;
    const body = message.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');
    return this.run(info, ['mktag'], `object ${target}\ntype ${type}\ntag ${tag}\ntagger ${tagger}\n\n${body}`);
  }
}

/** For tests and machines without git. */
export const noObjects: ObjectInfo = {
  type: async () => undefined,
  peel: async () => undefined,
  expand: async () => undefined,
  canWriteObjects: async () => false,
  createTagObject: async () => undefined,
};
