// The committed bundle (web/static/box.js, what the phones get) as a page sees it: a classic script run in a fresh
// global scope exposes tinnhiemBox, which checks Go's vector ballots and makes ballots that it checks back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const code = readFileSync(new URL('../../static/box.js', import.meta.url), 'utf8');

test('the bundle exposes the API and agrees with Go', () => {
  // Only what a browser page has: the platform's crypto and text encoder.
  const page = vm.createContext({ crypto: globalThis.crypto, TextEncoder });
  vm.runInContext(code, page);
  const box = page.tinnhiemBox;
  for (const name of ['deriveCard', 'encryptBallot', 'verifyBallot', 'tracker', 'trackerDisplay', 'prepare',
    'verifyPartial', 'combine', 'verifyResult', 'partialDecrypt']) {
    assert.equal(typeof box[name], 'function', name);
  }
  assert.ok(Object.isFrozen(box));
  for (const name of ['round1', 'round2', 'round3', 'key', 'decrypt', 'seal', 'unseal', 'backupText']) {
    assert.equal(typeof box.trustee[name], 'function', `trustee.${name}`);
  }
  assert.ok(Object.isFrozen(box.trustee));
  // The bundled trustee side makes Go's round 2 of trustee 1 from its secret.
  const round1JSONs = v.ceremony.round1.map((m) => JSON.stringify(m));
  assert.equal(box.trustee.round2({ secretJSON: JSON.stringify(v.trustees[0].secret), round1JSONs }), JSON.stringify(v.ceremony.round2[0]));
  const shape = { session: v.params.session, jointKey: v.params.joint_key, lines: v.params.lines, options: v.params.options };
  const vb = v.ballots[0];
  assert.equal(box.verifyBallot({ ...shape, ballotJSON: JSON.stringify(vb.ballot) }).tracker, vb.tracker);
  assert.equal(box.deriveCard({ session: shape.session, token: vb.code }).card, vb.ballot.card);
  box.prepare(shape);
  const out = box.encryptBallot({ ...shape, token: vb.code, choices: [3, 0, 1] });
  assert.equal(box.verifyBallot({ ...shape, ballotJSON: out.ballotJSON }).tracker, out.tracker);
  assert.throws(() => box.encryptBallot({ ...shape, token: vb.code, choices: [4, 0, 1] }), /line 1: choice 4/);
});
