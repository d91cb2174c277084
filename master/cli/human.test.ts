import { describe, expect, it } from 'vitest';
import { humanAge, humanBytes, renderTable, shortAddress } from './human.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanAge (kubectl HumanDuration)', () => {
  it.each([
    [-5 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 30 * S, '2m30s'],
    [10 * M + 59 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [47 * H, '47h'],
    [2 * D + 4 * H, '2d4h'],
    [30 * D, '30d'],
    [2 * 365 * D + 10 * D, '2y10d'],
    [9 * 365 * D, '9y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanAge(ms)).toBe(text);
  });
});

describe('humanBytes', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1536, '1.5Ki'],
    [512 * 1024 ** 2, '512Mi'],
    [1.2 * 1024 ** 3, '1.2Gi'],
    [7.8 * 1024 ** 3, '7.8Gi'],
    [15.6 * 1024 ** 3, '15.6Gi'],
    [128 * 1024 ** 3, '128Gi'],
    [2 * 1024 ** 4, '2.0Ti'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});

describe('shortAddress', () => {
  it('keeps the first and last four hex digits', () => {
    expect(shortAddress(`0x1234${'0'.repeat(56)}abcd`)).toBe('0x1234…abcd');
    expect(shortAddress('0x1')).toBe('0x1');
  });
});

describe('renderTable', () => {
  it('aligns columns two spaces apart, counting … as one column, with no trailing blanks', () => {
    expect(
      renderTable([
        ['A', 'BB', 'C'],
        ['xxx…', 'y', ''],
      ]),
    ).toBe('A     BB  C\nxxx…  y\n');
  });
});
