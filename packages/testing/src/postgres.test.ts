import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testPostgresUrl } from './postgres.js';

test('the test PostgreSQL server is reachable', async () => {
  const url = await testPostgresUrl();
  assert.match(url, /^postgres:\/\//);
});
