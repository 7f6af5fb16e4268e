/**
 * A small stand-in for the `vscode` module, aliased in vitest.config.mts, with just the surface
 * the host code uses. UI calls are recorded in `fake` and answered from queues the tests fill.
 */
type Listener<T> = (e: T) => unknown;

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  constructor(private readonly fn: () => unknown) {}
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (l: Listener<T>): Disposable => {
    this.listeners.add(l);
    return new Disposable(() => this.listeners.delete(l));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export class ThemeIcon {
  static readonly File = new ThemeIcon('file');
  static readonly Folder = new ThemeIcon('folder');
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  value: string;
  isTrusted?: boolean;
  supportThemeIcons?: boolean;
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
    return this;
  }
  appendCodeblock(code: string, lang = ''): this {
    this.value += '\n```' + lang + '\n' + code + '\n```\n';
    return this;
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0], s.replace(/^file:\/\//, ''));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
  with(change: { scheme?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, this.fsPath);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
}

export const ViewColumn = { Active: -1, Beside: -2, One: 1 } as const;

/** A webview panel: `posted` records host → webview messages, `receive` plays webview → host. */
export class FakeWebviewPanel {
  readonly posted: unknown[] = [];
  private readonly incoming = new EventEmitter<unknown>();
  private readonly disposed = new EventEmitter<void>();
  readonly webview = {
    html: '',
    cspSource: 'fake-csp',
    asWebviewUri: (u: Uri) => u,
    postMessage: async (m: unknown) => {
      this.posted.push(m);
      return true;
    },
    onDidReceiveMessage: this.incoming.event,
  };
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string, public title: string) {}
  async receive(m: unknown): Promise<void> {
    this.incoming.fire(m);
    await new Promise((r) => setTimeout(r, 0));
  }
  reveal(): void {}
  private isDisposed = false;
  dispose(): void {
    // Like VS Code: onDidDispose fires once, however often dispose() is called.
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposed.fire();
  }
}

export class TreeItem {
  id?: string;
  description?: string | boolean;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  resourceUri?: Uri;
  accessibilityInformation?: { label: string };
  constructor(public label: string | { label: string }, public collapsibleState: number = TreeItemCollapsibleState.None) {}
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number, b: number, c: number, d: number) {
    this.start = new Position(a, b);
    this.end = new Position(c, d);
  }
}
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(readonly range: Range, readonly message: string, readonly severity: number) {}
}

export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const QuickPickItemKind = { Separator: -1, Default: 0 } as const;
export class RelativePattern {
  constructor(readonly base: unknown, readonly pattern: string) {}
}
export class CancellationTokenSource {
  token = { isCancellationRequested: false, onCancellationRequested: new EventEmitter<void>().event };
  cancel(): void {
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}

export interface RecordedMessage {
  level: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
  modal: boolean;
}

/** Resources the host registered and has not disposed yet (proves every Disposable is kept). */
const live = new Map<object, string>();
function track<T extends object>(what: string, d: T & { dispose(): unknown }): T {
  live.set(d, what);
  const inner = d.dispose.bind(d);
  d.dispose = () => {
    live.delete(d);
    return inner();
  };
  return d;
}
/** Subscribe to a global (VS Code-owned) event; the subscription counts as a live resource. */
function globalEvent<T>(name: string, e: EventEmitter<T>) {
  return (l: Listener<T>) => track(`listener ${name}`, e.event(l));
}

/** Test control surface. */
export const fake = {
  live,
  messages: [] as RecordedMessage[],
  /** Answers for show*Message calls that offer items (undefined = dismissed). */
  messageAnswers: [] as (string | undefined)[],
  inputAnswers: [] as (string | undefined)[],
  quickPickAnswers: [] as ((items: readonly any[]) => any)[],
  inputPrompts: [] as { prompt?: string; value?: string; validationMessage?: string }[],
  executed: [] as { command: string; args: unknown[] }[],
  commands: new Map<string, (...args: any[]) => any>(),
  clipboard: '',
  config: new Map<string, unknown>(),
  trusted: true,
  diagnostics: new Map<string, Map<string, Diagnostic[]>>(),
  contexts: new Map<string, unknown>(),
  lastQuickPick: undefined as any,
  /** Every value assigned to a QuickPick's `items`, in order (proves streaming). */
  quickPickItemSets: [] as number[],
  statusBarItems: [] as { text: string; tooltip: unknown; command: unknown; visible: boolean }[],
  revealed: [] as unknown[],
  panels: [] as FakeWebviewPanel[],
  reset(): void {
    fake.panels = [];
    fake.quickPickItemSets = [];
    fake.statusBarItems = [];
    fake.revealed = [];
    fake.lastQuickPick = undefined;
    fake.messages = [];
    fake.messageAnswers = [];
    fake.inputAnswers = [];
    fake.quickPickAnswers = [];
    fake.inputPrompts = [];
    fake.executed = [];
    fake.commands.clear();
    fake.clipboard = '';
    fake.config.clear();
    fake.trusted = true;
    fake.diagnostics.clear();
    fake.contexts.clear();
  },
};

function message(level: RecordedMessage['level']) {
  return async (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    let modal = false;
    if (rest.length && typeof rest[0] === 'object' && rest[0] !== null) {
      modal = !!(rest[0] as { modal?: boolean }).modal;
      rest = rest.slice(1);
    }
    const items = rest.map((r) => (typeof r === 'string' ? r : (r as { title: string }).title));
    fake.messages.push({ level, text, items, modal });
    return items.length ? fake.messageAnswers.shift() : undefined;
  };
}

class FakeQuickPick<T> {
  private _items: readonly T[] = [];
  get items(): readonly T[] {
    return this._items;
  }
  set items(v: readonly T[]) {
    this._items = v;
    fake.quickPickItemSets.push(v.length);
  }
  disposed = false;
  value = '';
  placeholder?: string;
  busy = false;
  matchOnDescription = false;
  matchOnDetail = false;
  title?: string;
  selectedItems: readonly T[] = [];
  readonly onDidAcceptE = new EventEmitter<void>();
  readonly onDidHideE = new EventEmitter<void>();
  readonly onDidChangeValueE = new EventEmitter<string>();
  readonly onDidAccept = this.onDidAcceptE.event;
  readonly onDidHide = this.onDidHideE.event;
  readonly onDidChangeValue = this.onDidChangeValueE.event;
  show(): void {
    fake.lastQuickPick = this;
  }
  hide(): void {
    this.onDidHideE.fire();
  }
  /** Test helper: the user picks the item whose label is `label`. */
  accept(label: string): void {
    const hit = this._items.find((i) => (i as { label: string }).label === label);
    if (!hit) throw new Error(`no quick pick item ${label}`);
    this.selectedItems = [hit];
    this.onDidAcceptE.fire();
  }
  type(value: string): void {
    this.value = value;
    this.onDidChangeValueE.fire(value);
  }
  dispose(): void {
    this.disposed = true;
  }
}
export type { FakeQuickPick };

export const window = {
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  async showInputBox(opts: { prompt?: string; value?: string; validateInput?: (v: string) => unknown } = {}) {
    const answer = fake.inputAnswers.shift();
    let validationMessage: string | undefined;
    if (answer !== undefined && opts.validateInput) {
      const v = await opts.validateInput(answer);
      validationMessage = typeof v === 'string' ? v : (v as { message?: string } | undefined)?.message;
    }
    fake.inputPrompts.push({ prompt: opts.prompt, value: opts.value, validationMessage });
    // VS Code keeps a rejected value in the box; the scripted user then gives up (Escape).
    return validationMessage ? undefined : answer;
  },
  async showQuickPick(items: readonly any[] | Promise<readonly any[]>) {
    const list = await items;
    const pick = fake.quickPickAnswers.shift();
    return pick ? pick(list) : undefined;
  },
  createQuickPick<T>() {
    return new FakeQuickPick<T>();
  },
  async withProgress<R>(_opts: unknown, task: (p: { report(v: unknown): void }, token: unknown) => Promise<R>): Promise<R> {
    return task({ report() {} }, new CancellationTokenSource().token);
  },
  createOutputChannel(_name: string) {
    const noop = () => {};
    return track('output channel', { trace: noop, debug: noop, info: noop, warn: noop, error: noop, show: noop, dispose: noop, appendLine: noop });
  },
  registerCustomEditorProvider(viewType: string) {
    return track(`custom editor ${viewType}`, new Disposable(() => {}));
  },
  createWebviewPanel(viewType: string, title: string) {
    const panel = new FakeWebviewPanel(viewType, title);
    fake.panels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer(viewType: string) {
    return track(`serializer ${viewType}`, new Disposable(() => {}));
  },
  createTreeView(id: string, opts: { treeDataProvider: unknown }) {
    const sel = new EventEmitter<{ selection: unknown[] }>();
    const vis = new EventEmitter<{ visible: boolean }>();
    return track(`tree view ${id}`, {
      provider: opts.treeDataProvider,
      selection: [] as unknown[],
      description: undefined as string | undefined,
      message: undefined as string | undefined,
      title: undefined as string | undefined,
      visible: true,
      onDidChangeSelection: sel.event,
      onDidChangeVisibility: vis.event,
      fireSelection(s: unknown[]) {
        this.selection = s;
        sel.fire({ selection: s });
      },
      async reveal(node: unknown, opts?: unknown) {
        fake.revealed.push({ view: id, node, opts });
      },
      dispose() {},
    });
  },
  createStatusBarItem(id?: string) {
    const item = track(`status bar item ${id}`, {
      text: '', tooltip: undefined as unknown, command: undefined as unknown, name: '', visible: false,
      show() {
        item.visible = true;
      },
      hide() {
        item.visible = false;
      },
      dispose() {},
    });
    fake.statusBarItems.push(item);
    return item;
  },
  activeTextEditor: undefined as unknown,
  onDidChangeActiveTextEditor: globalEvent('onDidChangeActiveTextEditor', new EventEmitter<unknown>()),
};

export const commands = {
  registerCommand(id: string, fn: (...args: any[]) => any) {
    if (fake.commands.has(id)) throw new Error(`command '${id}' already exists`);
    fake.commands.set(id, fn);
    return track(`command ${id}`, new Disposable(() => fake.commands.delete(id)));
  },
  async executeCommand(command: string, ...args: unknown[]) {
    fake.executed.push({ command, args });
    if (command === 'setContext') fake.contexts.set(args[0] as string, args[1]);
    const fn = fake.commands.get(command);
    return fn ? fn(...args) : undefined;
  },
};

const configChanged = new EventEmitter<{ affectsConfiguration(s: string): boolean }>();
export const workspace = {
  get isTrusted() {
    return fake.trusted;
  },
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  getConfiguration(section?: string) {
    return {
      get<T>(key: string, def?: T): T | undefined {
        const full = section ? `${section}.${key}` : key;
        return fake.config.has(full) ? (fake.config.get(full) as T) : def;
      },
    };
  },
  onDidChangeConfiguration: globalEvent('onDidChangeConfiguration', configChanged),
  fireConfigurationChanged(keys: string[]) {
    configChanged.fire({ affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(s + '.')) });
  },
  onDidChangeWorkspaceFolders: globalEvent('onDidChangeWorkspaceFolders', new EventEmitter<unknown>()),
  onDidGrantWorkspaceTrust: globalEvent('onDidGrantWorkspaceTrust', new EventEmitter<void>()),
  createFileSystemWatcher(pattern?: string) {
    const e = new EventEmitter<Uri>();
    return track(`file watcher ${pattern}`, { onDidChange: e.event, onDidCreate: e.event, onDidDelete: e.event, fire: (u: Uri) => e.fire(u), dispose() {} });
  },
};

export const languages = {
  createDiagnosticCollection(name: string) {
    const map = new Map<string, Diagnostic[]>();
    fake.diagnostics.set(name, map);
    return track(`diagnostics ${name}`, {
      name,
      forEach(cb: (uri: Uri, d: readonly Diagnostic[]) => void) {
        for (const [p, d] of [...map]) cb(Uri.file(p), d);
      },
      get(uri: Uri) {
        return map.get(uri.fsPath);
      },
      set(uri: Uri, d: Diagnostic[]) {
        map.set(uri.fsPath, d);
      },
      clear() {
        map.clear();
      },
      delete(uri: Uri) {
        map.delete(uri.fsPath);
      },
      dispose() {
        map.clear();
      },
    });
  },
};

export const env = {
  clipboard: {
    async writeText(s: string) {
      fake.clipboard = s;
    },
    async readText() {
      return fake.clipboard;
    },
  },
};

export const extensions = {
  getExtension(_id: string) {
    return undefined;
  },
};

export const l10n = {
  t(s: string, ...args: unknown[]) {
    return s.replace(/\{(\d+)\}/g, (_m, i) => String(args[Number(i)]));
  },
};
