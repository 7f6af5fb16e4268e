/** Constants of the reftable format (reftable.adoc § Header, § Footer, § Block types). */
export const MAGIC = [0x52, 0x45, 0x46, 0x54] as const; // "REFT"

export const BlockType = {
  Ref: 0x72, // 'r'
  Log: 0x67, // 'g'
  Obj: 0x6f, // 'o'
  Index: 0x69, // 'i'
} as const;
export type BlockType = (typeof BlockType)[keyof typeof BlockType];

export function blockTypeName(t: number): 'ref' | 'log' | 'obj' | 'index' | 'unknown' {
  switch (t) {
    case BlockType.Ref: return 'ref';
    case BlockType.Log: return 'log';
    case BlockType.Obj: return 'obj';
    case BlockType.Index: return 'index';
    default: return 'unknown';
  }
}
export function isBlockType(t: number): t is BlockType {
  return t === BlockType.Ref || t === BlockType.Log || t === BlockType.Obj || t === BlockType.Index;
}

export const HashId = {
  SHA1: 0x73686131, // "sha1"
  SHA256: 0x73323536, // "s256"
} as const;

export type HashName = 'sha1' | 'sha256';

export interface HashFormat {
  readonly name: HashName;
  readonly id: number;
  readonly size: 20 | 32;
  /** Table format version git writes for this hash: 1 for SHA-1, 2 for SHA-256. */
  readonly version: 1 | 2;
}
export const SHA1: HashFormat = { name: 'sha1', id: HashId.SHA1, size: 20, version: 1 };
export const SHA256: HashFormat = { name: 'sha256', id: HashId.SHA256, size: 32, version: 2 };
export function hashByName(name: string): HashFormat | undefined {
  return name === 'sha1' ? SHA1 : name === 'sha256' ? SHA256 : undefined;
}
export function hashById(id: number): HashFormat | undefined {
  return id === HashId.SHA1 ? SHA1 : id === HashId.SHA256 ? SHA256 : undefined;
}

export function headerLength(version: number): number {
  return version === 1 ? 24 : 28;
}
export function footerLength(version: number): number {
  return version === 1 ? 68 : 72;
}

/** git reads header_len(v2)+1 bytes before anything else; shorter files are rejected. */
export const MIN_TABLE_SIZE = 29;

export const DEFAULT_BLOCK_SIZE = 4096;
export const MAX_BLOCK_SIZE = 0xffffff;
export const DEFAULT_RESTART_INTERVAL = 16;
export const MAX_RESTARTS = 65535;
/** Index levels are added while a section has more than this many blocks. */
export const INDEX_THRESHOLD = 3;
export const DEFAULT_GEOMETRIC_FACTOR = 2;

export const RefValueType = {
  Deletion: 0,
  Val1: 1,
  Val2: 2,
  Symref: 3,
} as const;
export type RefValueType = (typeof RefValueType)[keyof typeof RefValueType];

export const LogValueType = {
  Deletion: 0,
  Update: 1,
} as const;
export type LogValueType = (typeof LogValueType)[keyof typeof LogValueType];
