/**
 * Every use of @vscode/webview-ui-toolkit goes through this folder, so swapping the toolkit
 * (frozen upstream) for another component set changes only these files.
 */
import {
  provideVSCodeDesignSystem, vsCodeBadge, vsCodeButton, vsCodeDivider, vsCodePanelTab, vsCodePanelView, vsCodePanels,
  vsCodeProgressRing, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Define the custom elements once (FAST registers them on the document's registry). */
export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(), vsCodeTextField(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeBadge(), vsCodeDivider(), vsCodeProgressRing(),
  );
}

export function button(label: string, onClick: () => void, opts: { secondary?: boolean; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (opts.secondary) b.setAttribute('appearance', 'secondary');
  if (opts.title) b.title = opts.title;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  if (disabled) el.setAttribute('disabled', '');
  else el.removeAttribute('disabled');
}

export interface TextField {
  el: HTMLElement;
  get value(): string;
  set value(v: string);
  focus(): void;
}

/** A text field; `onEnter` fires on Enter with the current value. */
export function textField(placeholder: string, onEnter: (v: string) => void, opts: { label?: string; size?: number } = {}): TextField {
  const el = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  el.setAttribute('placeholder', placeholder);
  if (opts.size) el.setAttribute('size', String(opts.size));
  if (opts.label) el.setAttribute('aria-label', opts.label);
  el.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') onEnter(el.value ?? '');
  });
  return {
    el,
    get value() {
      return el.value ?? '';
    },
    set value(v: string) {
      el.value = v;
    },
    focus() {
      // The inner <input> lives in the shadow root; focusing the host forwards to it.
      (el.shadowRoot?.querySelector('input') as HTMLInputElement | null)?.focus() ?? el.focus();
    },
  };
}

export interface Tabs {
  el: HTMLElement;
  views: HTMLElement[];
  select(index: number): void;
}

export function tabs(labels: string[], onChange: (i: number) => void): Tabs {
  const panels = document.createElement('vscode-panels') as HTMLElement & { activeid?: string };
  const views: HTMLElement[] = [];
  labels.forEach((l, i) => {
    const t = document.createElement('vscode-panel-tab');
    t.id = `tab-${i}`;
    t.textContent = l;
    panels.appendChild(t);
  });
  labels.forEach((_l, i) => {
    const v = document.createElement('vscode-panel-view');
    v.id = `view-${i}`;
    views.push(v);
    panels.appendChild(v);
  });
  panels.addEventListener('change', () => {
    const id = panels.activeid ?? '';
    const i = Number(id.replace('tab-', ''));
    if (Number.isInteger(i)) onChange(i);
  });
  return {
    el: panels,
    views,
    select(i: number) {
      panels.setAttribute('activeid', `tab-${i}`);
    },
  };
}

export function badge(text: string): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  return b;
}

export function spinner(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}
