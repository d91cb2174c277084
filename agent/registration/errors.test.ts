import { describe, expect, it } from 'vitest';
import { formatSui, insufficientBalanceError } from './errors.ts';

describe('registration errors', () => {
  it('formats MIST as SUI', () => {
    expect(formatSui(0n)).toBe('0');
    expect(formatSui(1_000_000_000n)).toBe('1');
    expect(formatSui(1_050_000_000n)).toBe('1.05');
    expect(formatSui(1n)).toBe('0.000000001');
  });

  it('says how much is missing and where to send it', () => {
    const err = insufficientBalanceError({ address: '0xabc', nodeId: 'w1', balance: 300_000_000n, stake: 1_000_000_000n, gas: 50_000_000n });
    expect(err.code).toBe('INSUFFICIENT_BALANCE');
    expect(err.message).toBe(
      '0xabc holds 0.3 SUI (300000000 MIST) but registering worker w1 needs 1.05 SUI (1050000000 MIST: stake 1000000000 + gas 50000000); ' +
        '0.75 SUI (750000000 MIST) missing: send it to 0xabc, or lower K8S_DAAS_STAKE_MIST (at least 1000000000)',
    );
  });
});
