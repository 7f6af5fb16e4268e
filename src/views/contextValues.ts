/**
 * Every `contextValue` the views set, in one place: package.json `menus` match on these
 * (`viewItem =~ /^ref:/` for any ref, `viewItem == ref:branch` for branches only).
 */
export const ContextValue = {
  Repository: 'repository',
  Group: 'group',
  Folder: 'folder',
  Branch: 'ref:branch',
  RemoteBranch: 'ref:remote',
  Tag: 'ref:tag',
  Symref: 'ref:symref',
  RootRef: 'ref:root',
  OtherRef: 'ref:other',
  WorktreeHead: 'ref:worktreeHead',
  ShowMore: 'showMore',
  Message: 'message',
  ReflogEntry: 'reflogEntry',
  Recoverable: 'recoverable',
  RecoverableGroup: 'recoverableGroup',
  Stack: 'stack',
  Table: 'table',
  CompactionHint: 'compactionHint',
  CompactionHintNeeded: 'compactionHint:needed',
} as const;
export type ContextValue = (typeof ContextValue)[keyof typeof ContextValue];

/** View ids (package.json `contributes.views.reftable`). */
export const ViewId = {
  Refs: 'reftable.refs',
  Reflog: 'reftable.reflog',
  Tables: 'reftable.tables',
} as const;

/** Context keys the views set for `when` clauses and welcome content. */
export const ContextKey = {
  HasRepository: 'reftable.hasRepository',
  FilesBackend: 'reftable.filesBackend',
  Scanning: 'reftable.scanning',
} as const;
