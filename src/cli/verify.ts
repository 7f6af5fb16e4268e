/**
 * `reftable verify [--json] [<file.ref>...]`: check every stack of the repository (main and
 * linked worktrees), or just the given table files. One line per finding,
 * `<severity> <file>[@<offset>]: <message>`; exit 0 without errors, 1 with errors, 3 when a
 * file could not be read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { HashFormat } from '../engine/format.js';
import { verifyTable } from '../engine/verify.js';
import type { Finding } from '../store/api.js';
import { discoverRepository } from '../store/repository.js';
import { verifyStack } from '../store/verify-stack.js';
import type { Command } from './command.js';
import { parseArgs } from './context.js';
import { Exit } from './exit-codes.js';

const usage = 'verify [--json] [TABLE.ref...]';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check tables.list and every table of each stack (or the given tables) for format errors',
  usage,
  run(ctx, args) {
    const { flags, positional } = parseArgs(args, { flags: ['--json'] }, usage);
    const findings: Finding[] = [];
    let tables = 0;
    let stacks = 0;
    if (positional.length > 0) {
      const hash = repositoryHash(ctx.cwd);
      for (const p of positional) {
        const file = path.resolve(ctx.cwd, p);
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(fs.readFileSync(file));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new ReftableError(code === 'ENOENT' ? ErrorCode.NotExist : ErrorCode.Io, `cannot read ${p}: ${code ?? (e as Error).message}`, { file: p, cause: e });
        }
        findings.push(...verifyTable(bytes, { name: p, hash }));
        tables++;
      }
    } else {
      const info = discoverRepository(ctx.cwd);
      for (const dir of stackDirs(info.commonDir)) {
        const rel = path.relative(info.commonDir, dir);
        for (const f of verifyStack(dir, info.hash)) findings.push({ ...f, file: path.join(rel, f.file) });
        tables += countListed(dir);
        stacks++;
      }
    }
    const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
    if (flags.has('--json')) {
      ctx.out.line(JSON.stringify({
        stacks, tables, errors: count('error'), warnings: count('warning'), infos: count('info'), findings,
      }));
    } else {
      for (const f of findings) ctx.out.line(formatFinding(f));
      const where = stacks > 0 ? `${tables} table${tables === 1 ? '' : 's'} in ${stacks} stack${stacks === 1 ? '' : 's'}` : `${tables} table${tables === 1 ? '' : 's'}`;
      ctx.err.line(`verified ${where}: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)`);
    }
    if (findings.some((f) => f.code === 'io')) return Exit.Failure;
    return count('error') > 0 ? 1 : Exit.Ok;
  },
};

export function formatFinding(f: Finding): string {
  return `${f.severity} ${f.file}${f.offset !== undefined ? `@${f.offset}` : ''}: ${f.message}`;
}

/** The main stack and every linked worktree's stack that exists. */
function stackDirs(commonDir: string): string[] {
  const dirs = [path.join(commonDir, 'reftable')];
  const wt = path.join(commonDir, 'worktrees');
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(wt).sort();
  } catch {
    // No linked worktrees.
  }
  for (const id of ids) {
    const d = path.join(wt, id, 'reftable');
    if (fs.existsSync(d)) dirs.push(d);
  }
  return dirs;
}

function countListed(dir: string): number {
  try {
    return fs.readFileSync(path.join(dir, 'tables.list'), 'latin1').split('\n').filter((l) => l !== '').length;
  } catch {
    return 0;
  }
}

/** The hash of the repository around `cwd`, if there is one (a lone table file has none). */
function repositoryHash(cwd: string): HashFormat | undefined {
  try {
    return discoverRepository(cwd).hash;
  } catch {
    return undefined;
  }
}
