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
}

export class GitObjects implements ObjectInfo {
  private missing = false;

  private gitPath(): string {
    const p = vscode.workspace.getConfiguration('reftable').get<string>('gitPath', '');
    return p && p.trim() ? p.trim() : 'git';
  }

  private run(info: RepositoryInfo, args: string[]): Promise<string | undefined> {
    if (this.missing) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const env = { ...process.env, GIT_DIR: info.gitDir, GIT_OPTIONAL_LOCKS: '0' };
      execFile(this.gitPath(), args, { env, timeout: 5000, maxBuffer: 1 << 20 }, (err, stdout) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            this.missing = true;
            log.info('no git binary found: tags are written unpeeled and ids must be given in full');
          }
          resolve(undefined);
          return;
        }
        resolve(String(stdout).trim() || undefined);
      });
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
}

/** For tests and machines without git. */
export const noObjects: ObjectInfo = {
  type: async () => undefined,
  peel: async () => undefined,
  expand: async () => undefined,
};
