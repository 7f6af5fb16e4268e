import { describe, expect, it } from 'vitest';
import { configBool, configGet, normalizeKey, parseBool, parseConfig } from '../../../src/store/config';
import { ReftableError } from '../../../src/engine/errors';

describe('parseConfig', () => {
  it('reads sections, subsections, case-insensitive keys and repeated values', () => {
    const cfg = parseConfig(
      [
        '[core]',
        '\trepositoryformatversion = 1',
        '\tBare = false',
        '[Extensions]',
        '\tRefStorage = reftable',
        '[remote "Origin"]',
        '\turl = /a',
        '\tfetch = +refs/heads/*:refs/remotes/Origin/*',
        '\tfetch = +refs/tags/*:refs/tags/*',
        '[branch.Main]',
        '\tremote = Origin',
      ].join('\n'),
    );
    expect(configGet(cfg, 'core.repositoryformatversion')).toBe('1');
    expect(configBool(cfg, 'core.bare')).toBe(false);
    expect(configGet(cfg, 'extensions.refstorage')).toBe('reftable');
    expect(configGet(cfg, 'EXTENSIONS.REFSTORAGE')).toBe('reftable');
    // subsections keep their case; legacy dotted ones are lower-cased like git does
    expect(cfg.get('remote.Origin.fetch')).toEqual(['+refs/heads/*:refs/remotes/Origin/*', '+refs/tags/*:refs/tags/*']);
    expect(configGet(cfg, 'remote.origin.url')).toBeUndefined();
    expect(configGet(cfg, 'branch.main.remote')).toBe('Origin');
  });

  it('handles quoting, escapes, comments, continuations and value-less keys', () => {
    const cfg = parseConfig(
      [
        '# leading comment',
        '; another',
        '[user]',
        '  name = "A  U" Thor   # trailing comment',
        '  email = a@b ; comment',
        '  quoted = "x ; not # comment"',
        '  esc = "tab\\there\\nnl \\"q\\" back\\\\slash"',
        '  cont = one \\',
        'two',
        '[core]',
        '  bare',
        '  empty =',
        '[sec "sub \\"q\\" \\\\x"]',
        '  k = v',
      ].join('\n'),
    );
    expect(configGet(cfg, 'user.name')).toBe('A  U Thor');
    expect(configGet(cfg, 'user.email')).toBe('a@b');
    expect(configGet(cfg, 'user.quoted')).toBe('x ; not # comment');
    expect(configGet(cfg, 'user.esc')).toBe('tab\there\nnl "q" back\\slash');
    expect(configGet(cfg, 'user.cont')).toBe('one two');
    expect(configBool(cfg, 'core.bare')).toBe(true);
    expect(configGet(cfg, 'core.empty')).toBe('');
    expect(configBool(cfg, 'core.empty')).toBe(false);
    expect(configGet(cfg, 'sec.sub "q" \\x.k')).toBe('v');
  });

  it('accepts CRLF files', () => {
    const cfg = parseConfig('[core]\r\n\tbare = true\r\n[extensions]\r\n\trefstorage = reftable\r\n');
    expect(configBool(cfg, 'core.bare')).toBe(true);
    expect(configGet(cfg, 'extensions.refstorage')).toBe('reftable');
  });

  it('rejects malformed lines with a typed error naming the line', () => {
    const bad = ['[core', 'key = v', '[core]\n  = v', '[core]\n k = "open', '[s "x]', '[core]\n k = \\q'];
    for (const text of bad) {
      let err: unknown;
      try {
        parseConfig(text, 'cfg');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ReftableError);
      expect((err as ReftableError).code).toBe('REPOSITORY');
      expect((err as ReftableError).message).toMatch(/line \d+ in cfg/);
    }
  });

  it('parses booleans like git', () => {
    expect(['true', 'yes', 'on', '1', '-3', 'TRUE'].map(parseBool)).toEqual([true, true, true, true, true, true]);
    expect(['false', 'no', 'off', '0', ''].map(parseBool)).toEqual([false, false, false, false, false]);
    expect(parseBool('maybe')).toBeUndefined();
    expect(normalizeKey('Remote.Origin.URL')).toBe('remote.Origin.url');
  });
});
