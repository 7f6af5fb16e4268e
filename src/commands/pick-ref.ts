/**
 * "Go to Ref" picker: a QuickPick fed in chunks so the first refs appear at once even in
 * a repository with a million, and typing an object id (full, or abbreviated to 7 or more
 * digits) lists the refs pointing at it.
 */
import * as vscode from 'vscode';
import { yieldToEventLoop } from '../model/listing.js';
import type { RepositoryModel } from '../model/model.js';
import type { Repository } from '../model/repository.js';
import type { RefEntry } from '../model/source.js';
import { refDescription } from '../views/refs.js';

export interface RefPickItem extends vscode.QuickPickItem {
  repo: Repository;
  ref: RefEntry;
}

const CHUNK = 2000;

function item(repo: Repository, ref: RefEntry, multi: boolean, pointsAt?: string): RefPickItem {
  return {
    label: ref.name,
    description: pointsAt ? `points at ${pointsAt.slice(0, 12)} · ${refDescription(ref)}` : refDescription(ref),
    detail: multi ? repo.label : undefined,
    alwaysShow: pointsAt !== undefined,
    repo,
    ref,
  };
}

export function pickRef(model: RepositoryModel, opts: { title: string; repo?: Repository }): Promise<{ repo: Repository; ref: RefEntry } | undefined> {
  const repos = opts.repo ? [opts.repo] : model.repositories;
  const multi = repos.length > 1;
  const qp = vscode.window.createQuickPick<RefPickItem>();
  qp.title = opts.title;
  qp.placeholder = 'Type a ref name, or paste an object id to find the refs pointing at it';
  qp.matchOnDescription = true;
  qp.busy = true;
  let all: RefPickItem[] = [];
  let byId: RefPickItem[] = [];
  let done = false;
  const publish = () => {
    qp.items = byId.length ? [...byId, ...all] : all;
  };

  const stream = async () => {
    for (const repo of repos) {
      let from: string | undefined;
      for (;;) {
        let last: string | undefined;
        let n = 0;
        for (const ref of repo.source.scan('', from)) {
          all.push(item(repo, ref, multi));
          last = ref.name;
          if (++n === CHUNK) break;
        }
        // Re-publishing copies the list: often early (fast first paint), rarely later.
        if (all.length <= 20_000 || all.length % 50_000 < CHUNK) publish();
        if (n < CHUNK || last === undefined || done) break;
        from = last + '\0';
        await yieldToEventLoop();
        if (done) return;
      }
    }
    publish();
    qp.busy = false;
  };

  const searchId = (value: string) => {
    const v = value.trim().toLowerCase();
    byId = [];
    if (/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(v)) {
      for (const repo of repos) {
        if (repo.info.hash.size * 2 !== v.length) continue;
        try {
          for (const ref of repo.source.refsPointingAt(v)) byId.push(item(repo, ref, multi, v));
        } catch {
          // A damaged table: the name search still works.
        }
      }
    } else if (/^[0-9a-f]{7,63}$/.test(v)) {
      // An abbreviated id: match the refs listed so far (git's own minimum abbreviation is 7).
      for (const it of all) {
        const { oid, peeled } = it.ref;
        const hit = oid?.startsWith(v) ? oid : peeled?.startsWith(v) ? peeled : undefined;
        if (hit) byId.push(item(it.repo, it.ref, multi, hit));
        if (byId.length >= 200) break;
      }
    }
    publish();
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: { repo: Repository; ref: RefEntry } | undefined) => {
      if (settled) return;
      settled = true;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidChangeValue(searchId);
    qp.onDidAccept(() => {
      const sel = qp.selectedItems[0];
      finish(sel ? { repo: sel.repo, ref: sel.ref } : undefined);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    stream().catch(() => {
      qp.busy = false;
    });
  });
}
