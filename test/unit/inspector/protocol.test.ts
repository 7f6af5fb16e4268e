import { describe, expect, it } from 'vitest';
import { parseCompactionMessage, parseInspectorMessage } from '../../../src/shared/protocol';

describe('parseInspectorMessage', () => {
  it('accepts every well-formed message', () => {
    expect(parseInspectorMessage({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseInspectorMessage({ type: 'openReplacement' })).toEqual({ type: 'openReplacement' });
    expect(parseInspectorMessage({ type: 'copy', text: 'abc' })).toEqual({ type: 'copy', text: 'abc' });
    expect(parseInspectorMessage({ type: 'request', id: 3, method: 'block', params: { index: 7 } }))
      .toEqual({ type: 'request', id: 3, method: 'block', params: { index: 7 } });
    expect(parseInspectorMessage({ type: 'request', id: 4, method: 'seek', params: { name: 'refs/heads/main', section: 'log' } }))
      .toEqual({ type: 'request', id: 4, method: 'seek', params: { name: 'refs/heads/main', section: 'log' } });
    expect(parseInspectorMessage({ type: 'request', id: 5, method: 'lookupObject', params: { prefix: 'DEADbeef' } }))
      .toEqual({ type: 'request', id: 5, method: 'lookupObject', params: { prefix: 'DEADbeef' } });
  });

  it.each([
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['unknown type', { type: 'deleteEverything' }],
    ['extra keys', { type: 'ready', path: '/etc/passwd' }],
    ['missing id', { type: 'request', method: 'block', params: { index: 1 } }],
    ['negative id', { type: 'request', id: -1, method: 'block', params: { index: 1 } }],
    ['fractional index', { type: 'request', id: 1, method: 'block', params: { index: 1.5 } }],
    ['string index', { type: 'request', id: 1, method: 'block', params: { index: '1' } }],
    ['unknown method', { type: 'request', id: 1, method: 'readFile', params: { path: '/' } }],
    ['params not an object', { type: 'request', id: 1, method: 'seek', params: 'HEAD' }],
    ['bad section', { type: 'request', id: 1, method: 'seek', params: { name: 'HEAD', section: 'obj' } }],
    ['name too long', { type: 'request', id: 1, method: 'seek', params: { name: 'x'.repeat(5000), section: 'ref' } }],
    ['non-hex prefix', { type: 'request', id: 1, method: 'lookupObject', params: { prefix: 'xyz' } }],
    ['empty prefix', { type: 'request', id: 1, method: 'lookupObject', params: { prefix: '' } }],
    ['copy of a number', { type: 'copy', text: 42 }],
  ])('rejects %s', (_what, msg) => {
    expect(parseInspectorMessage(msg)).toBeUndefined();
  });
});

describe('parseCompactionMessage', () => {
  it('accepts ready, refresh and compact', () => {
    expect(parseCompactionMessage({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseCompactionMessage({ type: 'refresh' })).toEqual({ type: 'refresh' });
    expect(parseCompactionMessage({ type: 'compact', mode: 'full', stack: 'main' })).toEqual({ type: 'compact', mode: 'full', stack: 'main' });
  });
  it('rejects malformed compaction requests', () => {
    expect(parseCompactionMessage({ type: 'compact', mode: 'everything', stack: 'main' })).toBeUndefined();
    expect(parseCompactionMessage({ type: 'compact', mode: 'auto' })).toBeUndefined();
    expect(parseCompactionMessage({ type: 'compact', mode: 'auto', stack: '' })).toBeUndefined();
    expect(parseCompactionMessage({ type: 'request', id: 1, method: 'block', params: { index: 0 } })).toBeUndefined();
    expect(parseCompactionMessage(undefined)).toBeUndefined();
  });
});
