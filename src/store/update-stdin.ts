/**
 * Parser for `git update-ref --stdin` input (builtin/update-ref.c in git 2.47): the eight
 * update commands, `option no-deref`, and `start`/`prepare`/`commit`/`abort`, in the LF form
 * (arguments separated by one SP, C-quoted when they begin with `"`) and the `-z` form (every
 * argument NUL-terminated; a command reads a fixed number of records, as git's does). Input
 * that does not follow the format fails where and as git's parser fails, a line the input
 * ends without an LF included. Each transaction is handed on as it ends (StdinEvents), so a
 * bad line stops the reading with the transactions before it done, as in git.
 */
import { toHex } from '../engine/bytes.js';
import { ErrorCode, ReftableError } from '../engine/errors.js';
import type { RefUpdate } from './api.js';
import { isHex } from './hex.js';
import { OidSlots } from './oid-slots.js';
import { HAVE_NEW, HAVE_OLD, NO_DEREF, Update } from './transaction-update.js';
import { checkWritableRefname, isPseudoRef, refnameIsSafe, refnameProblem } from './refname.js';

/** A RefUpdate plus the flags `update-ref` carries per command. */
export type StdinUpdate = RefUpdate & { noDeref?: boolean };

/** PackedUpdate's slot for an id the line does not give. */
const ABSENT = -2;
/** The line gave an old id (a parse-time bit beside the model's flags, which are all below it). */
const OLD_GIVEN = 1 << 16;
/** The command, as an index into OPS, in two bits above OLD_GIVEN. */
const OP_SHIFT = 17;
const OPS = ['create', 'update', 'delete'] as const;
/** Taken as the model of a transaction already: a later one gets a copy (see toModel). */
const ADOPTED = 1 << 19;
const NO_MESSAGE = new Uint8Array(0);

/**
 * A bulk line (`create|update|delete`, see plainUpdate) parsed in place straight into the
 * transaction's own update object: its ids decoded once into the input's packed store (no hex
 * string per line), its expectations already in the model's flags. The transaction adopts it
 * as it is (transaction.ts toModel) instead of building a second object per line, which for a
 * million lines was a million more objects for the collector to copy. It still reads as the
 * StdinUpdate the general parser makes of the same line (`op`, `name`, `oid`, `old`,
 * `noDeref`). The command and the parse-time bits share one number with the flags as parsed:
 * every field is copied twice by the collector while a large transaction lives.
 */
export class PackedUpdate extends Update {
  /** The flags as parsed, OLD_GIVEN, the command and ADOPTED (the transaction changes `flags`). */
  private bits: number;

  /** newSlot / oldSlot: slots in `ids`, -1 the zero id, ABSENT not given. */
  constructor(op: 'create' | 'update' | 'delete', name: string, ids: OidSlots, newSlot: number, oldSlot: number, noDeref: boolean) {
    super(name, ids, NO_MESSAGE, ids.zero);
    this.newSlot = newSlot === ABSENT ? -1 : newSlot;
    this.oldSlot = oldSlot === ABSENT ? -1 : oldSlot;
    // What toModel makes of the same StdinUpdate: every bulk op sets a value; create expects
    // the ref to be missing, update an old value when given, delete a non-zero one.
    let flags = HAVE_NEW | (noDeref ? NO_DEREF : 0) | (oldSlot !== ABSENT ? OLD_GIVEN : 0);
    if (op === 'create' || (oldSlot !== ABSENT && (op === 'update' || oldSlot !== -1))) flags |= HAVE_OLD;
    this.bits = flags | (OPS.indexOf(op) << OP_SHIFT);
    this.flags = this.parsedFlags;
  }

  get op(): 'create' | 'update' | 'delete' {
    return OPS[(this.bits >>> OP_SHIFT) & 3];
  }

  get adopted(): boolean {
    return (this.bits & ADOPTED) !== 0;
  }

  set adopted(v: boolean) {
    this.bits = v ? this.bits | ADOPTED : this.bits & ~ADOPTED;
  }

  /** The model's flags as parsed. */
  get parsedFlags(): number {
    return this.bits & (OLD_GIVEN - 1);
  }

  get name(): string {
    return this.refname;
  }

  get oid(): string | undefined {
    return this.op === 'delete' ? undefined : toHex(this.newOid);
  }

  get old(): string | undefined {
    return this.bits & OLD_GIVEN ? toHex(this.oldOid) : undefined;
  }

  /** The parse-time slots, for a copy into another transaction's store. */
  get parsedSlots(): { newSlot: number; oldSlot: number } {
    return { newSlot: this.newSlot, oldSlot: this.oldSlot };
  }
}

export interface ParsedTransaction {
  updates: StdinUpdate[];
  /** `commit` (explicit or implied at end of input without `start`) or `abort`. */
  end: 'commit' | 'abort';
  /** Opened by a `start` line (git then names the phase, `prepare:` or `commit:`, of a failure). */
  explicit: boolean;
  /** Whether a `prepare` line was seen. */
  prepared: boolean;
  /** Lines that produced a status report on stdout in git (`start: ok` …), in order. */
  reports: string[];
}

/** What a reader of update-ref's command language is told as the input is read. */
export interface StdinEvents {
  /** A `start` line was read: git prints `start: ok` at once, before reading on. */
  started?(): void;
  /**
   * A `prepare` line was read: git takes the locks and checks the transaction then, before
   * reading on (and prints `prepare: ok`). Throwing stops the reading.
   */
  prepared?(tx: ParsedTransaction): void;
  /**
   * A transaction ended: its `commit` or `abort` line was read, or the input ended. Called
   * before the lines after it are parsed, as git commits a transaction before it reads on:
   * a bad line later leaves the earlier transactions done. Throwing stops the reading.
   */
  ended(tx: ParsedTransaction): void;
  /** Something git warns about and goes on (`-z` update with an empty new value). */
  warned?(message: string): void;
}

export interface StdinOptions {
  /** `-z`: NUL-terminated arguments. */
  z?: boolean;
  /** Hex length of object ids (40 or 64). */
  hexLength: number;
  /** `--no-deref` given on the command line. */
  noDeref?: boolean;
  /** Parse every line the general way, without the bulk fast path (for tests comparing the two). */
  generalOnly?: boolean;
  /**
   * The id a value that is not a full hex id names (a ref such as `HEAD` or `main`; see
   * RefDatabase.resolveRevision), asked when the line is read; without it only hex is taken.
   */
  resolve?: (arg: string) => string | undefined;
}

function usage(msg: string, line: number): ReftableError {
  return new ReftableError(ErrorCode.Usage, `line ${line}: ${msg}`, { data: { line } });
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** quote.c unquote_c_style: returns the value and the index just past the closing quote. */
export function unquoteC(s: string, start: number): { value: string; next: number } | undefined {
  if (s[start] !== '"') return undefined;
  const bytes: number[] = [];
  let i = start + 1;
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
  while (i < s.length) {
    const c = s[i];
    if (c === '"') return { value: Buffer.from(bytes).toString('utf8'), next: i + 1 };
    if (c === '\n') return undefined;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      i++;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) return undefined;
    if (simple[e] !== undefined) {
      bytes.push(simple[e]);
      i += 2;
      continue;
    }
    if (/[0-3]/.test(e) && /^[0-7]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 4;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/**
 * The commands in git's order of matching (a record names the first whose word it starts
 * with, followed by SP when it takes arguments, else by the terminator), with how many
 * NUL-terminated records the command reads in `-z` form and the state it moves to.
 */
const COMMANDS: { word: string; args: number; state: State }[] = [
  { word: 'update', args: 3, state: 'open' },
  { word: 'create', args: 2, state: 'open' },
  { word: 'delete', args: 2, state: 'open' },
  { word: 'verify', args: 2, state: 'open' },
  { word: 'symref-update', args: 4, state: 'open' },
  { word: 'symref-create', args: 2, state: 'open' },
  { word: 'symref-delete', args: 2, state: 'open' },
  { word: 'symref-verify', args: 2, state: 'open' },
  { word: 'option', args: 1, state: 'open' },
  { word: 'start', args: 0, state: 'started' },
  { word: 'prepare', args: 0, state: 'prepared' },
  { word: 'abort', args: 0, state: 'closed' },
  { word: 'commit', args: 0, state: 'closed' },
];
type State = 'open' | 'started' | 'prepared' | 'closed';
const RANK: Record<State, number> = { open: 0, started: 1, prepared: 2, closed: 3 };

/** A position past the end reads as NUL, as past a C string's end. */
function charAt(s: string, i: number): string {
  return i < s.length ? s[i] : '\0';
}

/**
 * What git prints for a `%s` of the buffer from i: up to the next NUL, without the line's
 * own LF (the message gets its own).
 */
function shown(s: string, i: number): string {
  const nul = s.indexOf('\0', i);
  const out = s.slice(i, nul < 0 ? s.length : nul);
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}

/**
 * A cursor over one command's buffer as git's update-ref reads it: the record (with its
 * terminator, LF or NUL, unless the input ended first) plus, in `-z` form, the records the
 * command reads after it. Each method takes one argument as git's parser of the same name
 * does (parse_refname, parse_next_refname, parse_next_arg, parse_next_oid), so malformed
 * input fails with git's words at the same point.
 */
class Cursor {
  private readonly term: string;
  /** The last id read was an empty -z argument taken as zero. */
  tookEmpty = false;

  constructor(
    private readonly buf: string,
    private pos: number,
    private readonly z: boolean,
    private readonly line: number,
    private readonly resolve?: (arg: string) => string | undefined,
  ) {
    this.term = z ? '\0' : '\n';
  }

  private at(i = this.pos): string {
    return charAt(this.buf, i);
  }

  /** One argument at the cursor: LF form up to whitespace (C-quoted if it starts with `"`), -z form up to NUL. */
  private take(): string {
    const s = this.buf;
    if (this.z) {
      const nul = s.indexOf('\0', this.pos);
      const end = nul < 0 ? Math.max(this.pos, s.length) : nul;
      const v = s.slice(this.pos, end);
      this.pos = end;
      return v;
    }
    if (this.at() === '"') {
      const q = unquoteC(s, this.pos);
      if (!q) throw usage(`badly quoted argument: ${shown(s, this.pos)}`, this.line);
      const after = charAt(s, q.next);
      if (after !== '\0' && !isSpace(after)) throw usage(`unexpected character after quoted argument: ${shown(s, this.pos)}`, this.line);
      this.pos = q.next;
      return q.value;
    }
    let end = this.pos;
    while (end < s.length && s[end] !== '\0' && !isSpace(s[end])) end++;
    const v = s.slice(this.pos, end);
    this.pos = end;
    return v;
  }

  /** The ref name at the cursor; undefined when empty; a malformed one is refused. */
  refname(): string | undefined {
    const v = this.take();
    if (v === '') return undefined;
    if (refnameProblem(v, { allowOneLevel: true })) throw usage(`invalid ref format: ${v}`, this.line);
    return v;
  }

  /** Whether another argument follows (its delimiter is then skipped); LF form insists on SP. */
  private delimiter(what: string): boolean {
    const c = this.at();
    if (this.z) {
      if (c !== '\0') return false;
    } else {
      if (c === '\0' || c === '\n') return false;
      if (c !== ' ') throw usage(`${what}expected SP but got: ${shown(this.buf, this.pos)}`, this.line);
    }
    this.pos++;
    return true;
  }

  nextRefname(): string | undefined {
    return this.delimiter('') ? this.refname() : undefined;
  }

  /** The next argument; undefined when there is none or it is empty. */
  nextArg(): string | undefined {
    if (!this.delimiter('')) return undefined;
    const v = this.take();
    return v === '' ? undefined : v;
  }

  /**
   * The next object id: undefined when absent (LF form: no argument; -z form: an empty one,
   * except that `allowEmpty` makes an empty one zero, git's old reading of `update`'s new
   * value); an empty LF argument is zero. The input ending where the argument should start
   * is an error.
   */
  nextOid(cmd: string, ref: string, which: 'old' | 'new', hexLength: number, allowEmpty = false): string | undefined {
    const eof = () => usage(`${cmd} ${ref}: unexpected end of input when reading <${which}-oid>`, this.line);
    if (this.pos === this.buf.length) throw eof();
    let v: string;
    if (this.z) {
      if (this.at() !== '\0') throw usage(`${cmd} ${ref}: expected NUL but got: ${shown(this.buf, this.pos)}`, this.line);
      this.pos++;
      if (this.pos === this.buf.length) throw eof();
      v = this.take();
      if (v === '' && !allowEmpty) return undefined;
      this.tookEmpty = v === '';
    } else {
      if (!this.delimiter(`${cmd} ${ref}: `)) return undefined;
      v = this.take();
    }
    if (v === '') return '0'.repeat(hexLength);
    const oid = this.revision(v, hexLength);
    if (oid === undefined) throw usage(`${cmd} ${ref}: invalid <${which}-oid>: ${v}`, this.line);
    return oid;
  }

  /** A full hex id, or what the resolver makes of anything else. */
  revision(v: string, hexLength: number): string | undefined {
    if (isHex(v, hexLength)) return v.toLowerCase();
    return this.resolve?.(v);
  }

  /** Nothing may follow the last argument but the terminator. */
  end(cmd: string, ref: string): void {
    if (this.at() !== this.term) throw usage(`${cmd} ${ref}: extra input: ${shown(this.buf, this.pos)}`, this.line);
  }

  /** `option`: the rest must be exactly the option's name. */
  option(name: string): boolean {
    return this.buf.startsWith(name, this.pos) && this.at(this.pos + name.length) === this.term;
  }

  /** What git's `%s` of the rest prints. */
  rest(): string {
    return shown(this.buf, this.pos);
  }
}

/** All zeros (a non-empty hex id). */
function isZeroHex(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

/** The command a record names (see COMMANDS), if any. */
function commandOf(rec: string, term: string): (typeof COMMANDS)[number] | undefined {
  for (const c of COMMANDS) {
    if (rec.startsWith(c.word) && charAt(rec, c.word.length) === (c.args ? ' ' : term)) return c;
  }
  return undefined;
}

/**
 * The records of the input, each with its terminator (LF, or NUL in `-z` form) as git's
 * getwholeline keeps it; the last one lacks it when the input ends without one.
 */
interface Records {
  done(): boolean;
  next(): string;
  /** Records consumed so far. */
  readonly number: number;
  /**
   * Consume the next record if `parse` accepts its bytes in place (LF form only). `parse`
   * finds the end of the line itself and reports it in `line.end` (its LF).
   */
  tryPlain<T>(parse: (bytes: Buffer, start: number, line: { end: number }) => T | undefined): T | undefined;
}

function recordsOf(bytes: Buffer, z: boolean): Records {
  if (z) {
    // NUL never occurs inside a UTF-8 sequence: decoding first and splitting is safe.
    const all = bytes.toString('utf8').split('\0');
    const last = all.pop() ?? '';
    const recs = all.map((r) => `${r}\0`);
    if (last !== '') recs.push(last);
    let r = 0;
    return {
      done: () => r >= recs.length,
      next: () => recs[r++],
      get number() { return r; },
      tryPlain: () => undefined,
    };
  }
  // LF form: walked over the bytes, never decoded as a whole (a million-line input is a
  // 70 MB string otherwise) nor split into a string per line. LF never occurs inside a UTF-8
  // sequence, so decoding a line alone gives what decoding all and splitting would.
  let pos = 0;
  let n = 0;
  const line = { end: 0 };
  return {
    done: () => pos >= bytes.length,
    next: () => {
      const lf = bytes.indexOf(LF, pos);
      const e = lf < 0 ? bytes.length : lf + 1;
      const rec = bytes.toString('utf8', pos, e);
      pos = e;
      n++;
      return rec;
    },
    get number() { return n; },
    tryPlain: (parse) => {
      const v = parse(bytes, pos, line);
      if (v !== undefined) {
        pos = line.end + 1;
        n++;
      }
      return v;
    },
  };
}

const LF = 0x0a;
const SP = 0x20;
const QUOTE = 0x22;
const CREATE = Buffer.from('create ');
const UPDATE = Buffer.from('update ');
const DELETE = Buffer.from('delete ');

type Latin1Slicer = { latin1Slice(start: number, end: number): string };
/**
 * Buffer's latin1 decoder called directly: toString() dispatches on the encoding name each
 * time, which cost more than decoding a 20-byte name. Present in every Node.js; checked.
 */
const latin1: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function'
    ? (bytes, start, end) => (bytes as unknown as Latin1Slicer).latin1Slice(start, end)
    : (bytes, start, end) => bytes.toString('latin1', start, end);

function startsWithAt(bytes: Buffer, word: Buffer, at: number, end: number): boolean {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/**
 * The hex id of exactly 2·ids.size digits at bytes[start…] ending the argument (followed by
 * SP, LF or the end of the input), decoded into `ids`: its slot, -1 when zero, or undefined.
 */
function plainId(bytes: Buffer, start: number, ids: OidSlots): number | undefined {
  const end = start + 2 * ids.size;
  if (end > bytes.length) return undefined;
  if (end < bytes.length && bytes[end] !== SP && bytes[end] !== LF) return undefined;
  return ids.addHexAt(bytes, start);
}

/**
 * The lines a bulk update is made of — `create|update|delete SP ref SP oid [SP oid]`, nothing
 * quoted, every id a full hex id — parsed straight from the input into the update the general
 * parser makes of them (as a PackedUpdate). Anything else (including every malformed line)
 * returns undefined and goes the general way, which also names the problem.
 */
function plainUpdate(bytes: Buffer, start: number, line: { end: number }, ids: OidSlots, noDeref: boolean): StdinUpdate | undefined {
  const limit = bytes.length;
  let op: 'create' | 'update' | 'delete';
  if (startsWithAt(bytes, CREATE, start, limit)) op = 'create';
  else if (startsWithAt(bytes, UPDATE, start, limit)) op = 'update';
  else if (startsWithAt(bytes, DELETE, start, limit)) op = 'delete';
  else return undefined;
  // The line is scanned once, its end found on the way: the name runs to SP, LF or the end.
  const refStart = start + CREATE.length;
  if (refStart >= limit || bytes[refStart] === QUOTE) return undefined;
  let refEnd = refStart;
  let ascii = true;
  for (; refEnd < limit; refEnd++) {
    const c = bytes[refEnd];
    if (c === SP || c === LF) break;
    if (c >= 0x80) ascii = false;
  }
  if (refEnd === refStart) return undefined;
  const name = ascii ? latin1(bytes, refStart, refEnd) : bytes.toString('utf8', refStart, refEnd);
  // Tab and CR end an argument in the general parser; a name holding one is refused anyway.
  if (refnameProblem(name, { allowOneLevel: true }) !== undefined) return undefined;
  // Up to two ids, each after one SP, then the end of the line. A line that turns out not
  // to be plain leaves its ids in the store unused: harmless, and only for lines that fail.
  let a = ABSENT;
  let b = ABSENT;
  const digits = 2 * ids.size;
  let at = refEnd;
  if (at < limit && bytes[at] === SP) {
    const slot = plainId(bytes, at + 1, ids);
    if (slot === undefined) return undefined;
    a = slot;
    at += 1 + digits;
    if (at < limit && bytes[at] === SP) {
      const second = plainId(bytes, at + 1, ids);
      if (second === undefined) return undefined;
      b = second;
      at += 1 + digits;
    }
  }
  // A line the input ends without an LF is refused by git (see Cursor.end): the general way.
  if (at >= limit || bytes[at] !== LF) return undefined;
  // Names git refuses to write (see checkWritableRefname; the format was checked above) go the
  // general way, which names the problem.
  if (isPseudoRef(name) || ((op === 'delete' || (op === 'update' && a === -1)) && !refnameIsSafe(name))) return undefined;
  line.end = at;
  switch (op) {
    case 'create':
      if (a === ABSENT || b !== ABSENT || a === -1) return undefined;
      return new PackedUpdate(op, name, ids, a, ABSENT, noDeref) as unknown as StdinUpdate;
    case 'update':
      if (a === ABSENT) return undefined;
      // A zero new value deletes; it stays an update, as in the general parser.
      return new PackedUpdate(op, name, ids, a, b, noDeref) as unknown as StdinUpdate;
    case 'delete':
      if (b !== ABSENT || a === -1) return undefined;
      return new PackedUpdate(op, name, ids, ABSENT, a, noDeref) as unknown as StdinUpdate;
  }
}

/**
 * Whether an update gives its ref a new, non-zero id (a create, or an update to a non-zero
 * id): git then checks the name's format, otherwise only that it is safe (checkWritableRefname).
 * A bulk line says so by its slot, without making its hex.
 */
export function setsNewId(u: StdinUpdate): boolean {
  if (u instanceof PackedUpdate) return !u.newIsZero;
  return (u.op === 'create' || u.op === 'update') && !isZeroHex(u.oid);
}

/** Parse the whole input into transactions (git allows several start…commit blocks). */
export function parseUpdateStdin(input: string | Uint8Array, opts: StdinOptions): ParsedTransaction[] {
  const out: ParsedTransaction[] = [];
  readUpdateStdin(input, opts, { ended: (tx) => out.push(tx) });
  return out;
}

/** Parse the input, handing each transaction to `events` as it ends (see StdinEvents). */
export function readUpdateStdin(input: string | Uint8Array, opts: StdinOptions, events: StdinEvents): void {
  // A view of the caller's bytes, not a copy: a million-line input is 70 MB.
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const z = !!opts.z;
  const hex = opts.hexLength;
  const records = recordsOf(bytes, z);
  const term = z ? '\0' : '\n';

  let cur: ParsedTransaction = { updates: [], end: 'commit', explicit: false, prepared: false, reports: [] };
  let state: State = 'open';
  let noDeref = !!opts.noDeref;
  const quick = !z && !opts.generalOnly;
  // One closure for the whole input (it reads noDeref as it is at each line), and one store
  // for the ids of every bulk line.
  const ids = new OidSlots(hex / 2, 1024);
  const plain = (b: Buffer, start: number, line: { end: number }) => plainUpdate(b, start, line, ids, noDeref);
  while (!records.done()) {
    const lineNo = records.number + 1;
    if (quick && (state === 'open' || state === 'started')) {
      const u = records.tryPlain(plain);
      if (u) {
        cur.updates.push(u);
        noDeref = !!opts.noDeref;
        continue;
      }
    }
    let buf = records.next();
    if (buf[0] === term) throw usage('empty command in input', lineNo);
    if (isSpace(buf[0])) throw usage(`whitespace before command: ${shown(buf, 0)}`, lineNo);
    const spec = commandOf(buf, term);
    if (!spec) throw usage(`unknown command: ${shown(buf, 0)}`, lineNo);
    const name = spec.word;
    // -z: the command's further arguments are the next records, however they read (a
    // missing one is left to the command to report).
    for (let j = 1; z && j < spec.args && !records.done(); j++) buf += records.next();

    // State machine of update_refs_stdin.
    switch (state) {
      case 'open':
      case 'started':
        if (state === 'started' && spec.state === 'started') throw usage('cannot restart ongoing transaction', lineNo);
        if (RANK[spec.state] >= RANK[state]) state = spec.state;
        break;
      case 'prepared':
        if (spec.state !== 'closed') throw usage('prepared transactions can only be closed', lineNo);
        state = spec.state;
        break;
      case 'closed':
        if (spec.state !== 'started') throw usage('transaction is closed', lineNo);
        state = spec.state;
        cur = { updates: [], end: 'commit', explicit: false, prepared: false, reports: [] };
        break;
    }

    const a = new Cursor(buf, name.length + (spec.args ? 1 : 0), z, lineNo, opts.resolve);
    const flags = noDeref ? { noDeref: true } : {};
    const push = (u: StdinUpdate) => {
      // git's ref_transaction_update checks the name as the line is read, before the lines
      // after it are parsed.
      checkWritableRefname(u.name, setsNewId(u));
      cur.updates.push(u);
      noDeref = !!opts.noDeref;
    };
    switch (name) {
      case 'update': {
        const ref = a.refname();
        if (!ref) throw usage('update: missing <ref>', lineNo);
        const nw = a.nextOid('update', ref, 'new', hex, true);
        if (nw === undefined) throw usage(`update ${ref}: missing <new-oid>`, lineNo);
        if (a.tookEmpty) events.warned?.(`update ${ref}: missing <new-oid>, treating as zero`);
        const old = a.nextOid('update', ref, 'old', hex);
        a.end('update', ref);
        // Plain literals, no spreads: a spread object keeps its properties out of line, and a
        // large transaction holds a million of these.
        // A zero new value deletes, but it stays an update as in git: a zero old value then
        // asserts the ref is missing (a delete takes it as "any"), and --create-reflog applies.
        const u: StdinUpdate = { op: 'update', name: ref, oid: nw };
        if (old !== undefined) u.old = old;
        if (noDeref) u.noDeref = true;
        push(u);
        break;
      }
      case 'create': {
        const ref = a.refname();
        if (!ref) throw usage('create: missing <ref>', lineNo);
        const nw = a.nextOid('create', ref, 'new', hex);
        if (nw === undefined) throw usage(`create ${ref}: missing <new-oid>`, lineNo);
        if (isZeroHex(nw)) throw usage(`create ${ref}: zero <new-oid>`, lineNo);
        a.end('create', ref);
        push(noDeref ? { op: 'create', name: ref, oid: nw, noDeref: true } : { op: 'create', name: ref, oid: nw });
        break;
      }
      case 'delete': {
        const ref = a.refname();
        if (!ref) throw usage('delete: missing <ref>', lineNo);
        const old = a.nextOid('delete', ref, 'old', hex);
        if (old !== undefined && isZeroHex(old)) throw usage(`delete ${ref}: zero <old-oid>`, lineNo);
        a.end('delete', ref);
        push({ op: 'delete', name: ref, ...(old !== undefined ? { old } : {}), ...flags });
        break;
      }
      case 'verify': {
        const ref = a.refname();
        if (!ref) throw usage('verify: missing <ref>', lineNo);
        const old = a.nextOid('verify', ref, 'old', hex) ?? '0'.repeat(hex);
        a.end('verify', ref);
        push({ op: 'verify', name: ref, old, ...flags });
        break;
      }
      case 'symref-create': {
        const ref = a.refname();
        if (!ref) throw usage('symref-create: missing <ref>', lineNo);
        const target = a.nextRefname();
        if (!target) throw usage(`symref-create ${ref}: missing <new-target>`, lineNo);
        a.end('symref-create', ref);
        push({ op: 'symref-create', name: ref, target, ...flags });
        break;
      }
      case 'symref-update': {
        const ref = a.refname();
        if (!ref) throw usage('symref-update: missing <ref>', lineNo);
        const target = a.nextRefname();
        if (!target) throw usage(`symref-update ${ref}: missing <new-target>`, lineNo);
        const kind = a.nextArg();
        const u: StdinUpdate = { op: 'symref-update', name: ref, target, ...flags };
        if (kind !== undefined) {
          const val = a.nextArg();
          if (val === undefined) throw usage(`symref-update ${ref}: expected old value`, lineNo);
          if (kind === 'oid') {
            const oid = a.revision(val, hex);
            if (oid === undefined) throw usage(`symref-update ${ref}: invalid oid: ${val}`, lineNo);
            u.old = oid;
          } else if (kind === 'ref') {
            if (refnameProblem(val, { allowOneLevel: true })) throw usage(`symref-update ${ref}: invalid ref: ${val}`, lineNo);
            u.oldTarget = val;
          } else {
            throw usage(`symref-update ${ref}: invalid arg '${kind}' for old value`, lineNo);
          }
        }
        a.end('symref-update', ref);
        push(u);
        break;
      }
      case 'symref-delete':
      case 'symref-verify': {
        if (!noDeref) throw usage(`${name}: cannot operate with deref mode`, lineNo);
        const ref = a.refname();
        if (!ref) throw usage(`${name}: missing <ref>`, lineNo);
        const old = a.nextRefname();
        a.end(name, ref);
        push({ op: name, name: ref, ...(old !== undefined ? { oldTarget: old } : {}), ...flags });
        break;
      }
      case 'option': {
        if (a.option('no-deref')) noDeref = true;
        else throw usage(`option unknown: ${a.rest()}`, lineNo);
        break;
      }
      default: {
        // The command matched only with its terminator right after the word: nothing else to check.
        cur.reports.push(`${name}: ok`);
        if (name === 'start') {
          cur.explicit = true;
          events.started?.();
        }
        if (name === 'prepare') {
          cur.prepared = true;
          events.prepared?.(cur);
        }
        if (name === 'commit' || name === 'abort') {
          cur.end = name;
          events.ended(cur);
        }
      }
    }
  }
  if (state === 'open') events.ended(cur); // no `start`: commit everything at the end
  else if (state === 'started' || state === 'prepared') events.ended({ ...cur, end: 'abort' });
}
