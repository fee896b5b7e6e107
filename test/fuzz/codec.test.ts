import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecProperties } from './codec-properties.js';
import { failureMessage } from './fuzz-run.js';

describe('fuzz: header decoders (codec.ts)', () => {
  for (const property of codecProperties()) {
    it(property.name, async () => {
      const report = await property.run();
      assert.ok(report.cases >= 1);
      assert.equal(report.failures, 0, failureMessage(report));
    });
  }
});
