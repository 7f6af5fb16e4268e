/**
 * The benchmark harness's arithmetic and its report: ratios from the medians of interleaved
 * samples, CPU time preferred over wall time, met/missed and the start-up floor in the targets
 * table. (The measurements themselves are `npm run bench`; they print figures, not verdicts.)
 */
import { describe, expect, it } from 'vitest';
import { pairRow } from '../../../bench/lib/measure';
import { Machine, Row, renderMarkdown } from '../../../bench/lib/report';
import { median, quantile } from '../../../bench/lib/stats';

const machine: Machine = {
  cpu: 'Test CPU', cores: 2, memGb: 8, os: 'Linux', node: 'v20', git: '2.47.3', date: '2026-11-25T00:00:00Z',
  load: { start: 0.5, end: 1.5 }, startup: { cpuMs: 150, rssMb: 45 },
};

describe('benchmark report', () => {
  it('takes medians of CPU time and divides ours by git', () => {
    const row = pairRow({ workload: 'list-all', size: 10_000, variant: 'packed', target: '≤ 0.5× git' }, {
      ours: { cpu: [300, 100, 200], wall: [310, 110, 210] },
      git: { cpu: [50, 40, 60], wall: [55, 45, 65] },
      oursRssKb: 51_200,
      gitRssKb: 8_192,
    });
    expect(row.ours).toBe(200);
    expect(row.git).toBe(50);
    expect(row.ratio).toBe(4);
    expect(row.wallRatio).toBeCloseTo(210 / 55);
    expect(row.oursRssMb).toBe(50);
    expect(row.processes).toBe(1);
  });

  it('falls back to wall time when CPU time was not measured', () => {
    const row = pairRow({ workload: 'pack', variant: 'x' }, { ours: { cpu: [NaN], wall: [30] }, git: { cpu: [NaN], wall: [10] } });
    expect(row.ratio).toBe(3);
  });

  it('lists every target with its verdict and what start-up alone costs against git', () => {
    const rows: Row[] = [
      { workload: 'list-all', size: 10_000, variant: 'packed (1 table)', unit: 'ms', ours: 200, git: 40, ratio: 5, target: '≤ 0.5× git', met: false, processes: 1, floorRatio: 3.75 },
      { workload: 'seek', size: 1_000_000, variant: 'in-process p50', unit: 'µs', ours: 5.5, target: '≤ 20 µs', met: true },
    ];
    const md = renderMarkdown(machine, rows, { argv: ['--quick'], seconds: 90 });
    expect(md).toContain('`npm run bench -- --quick`');
    expect(md).toContain('costs 150 ms CPU and 45 MiB peak RSS');
    expect(md).toContain('| list-all | 10k | packed (1 table) | 5.00× | ≤ 0.5× git | **missed** | 3.75× |');
    expect(md).toContain('| seek | 1M | in-process p50 | 5.50 µs | ≤ 20 µs | met |  |');
    expect(md).toContain('## 1. List all refs');
  });

  it('nearest-rank quantiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
