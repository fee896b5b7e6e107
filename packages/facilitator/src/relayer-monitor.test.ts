import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogEvent } from './log.js';
import { createRelayerMonitor, type RelayerReading } from './relayer-monitor.js';

// each chain module reads its own relayers (tested with the modules, on the devnets); here: how the
// monitor labels readings, warns below each chain's threshold and survives a chain that fails
const evm = { network: 'eip155:84532', address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', nonceLag: 2 };
const tron = { network: 'tron:nile', address: 'TYUA5rzEUFcuJSnoezWEmhaZDfvJ1Vbx9y', nonceLag: 0 };

describe('createRelayerMonitor', () => {
  it("labels each reading with its chain's unit and warns once below that chain's threshold", async () => {
    const events: LogEvent[] = [];
    const seen: RelayerReading[] = [];
    const monitor = createRelayerMonitor({
      sources: [
        { balanceUnit: 'Wei', lowBalance: 1000n, read: async () => [{ ...evm, balance: 999n }] },
        { balanceUnit: 'Sun', lowBalance: 10n, read: async () => [{ ...tron, balance: 10n }] },
      ],
      log: (event) => events.push(event),
      onReading: (reading) => seen.push(reading),
    });
    const readings = await monitor.check();
    assert.deepEqual(readings, [
      { ...evm, balance: 999n, unit: 'wei', low: true },
      { ...tron, balance: 10n, unit: 'sun', low: false },
    ]);
    assert.deepEqual(seen, readings);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.level, 'warn');
    assert.deepEqual(events[0]?.data, {
      network: 'eip155:84532',
      address: evm.address,
      balanceWei: '999',
      thresholdWei: '1000',
    });
    await monitor.check();
    assert.equal(events.length, 1, 'a low balance is warned again only after 10 minutes');
  });

  it('skips a chain whose nodes fail, logging it, and still reads the others', async () => {
    const events: LogEvent[] = [];
    const monitor = createRelayerMonitor({
      sources: [
        {
          balanceUnit: 'Lamports',
          read: async () => {
            throw new Error('connect ECONNREFUSED');
          },
        },
        { balanceUnit: 'Wei', read: async () => [{ ...evm, balance: 5n }] },
      ],
      log: (event) => events.push(event),
    });
    const readings = await monitor.check();
    assert.deepEqual(readings, [{ ...evm, balance: 5n, unit: 'wei', low: false }]);
    assert.match(events[0]?.message ?? '', /cannot read relayer balances/);
    assert.deepEqual(events[0]?.data, { unit: 'lamports', error: 'connect ECONNREFUSED' });
  });
});
