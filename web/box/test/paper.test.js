// Checks the browser's paper entry against Go's box.EncryptPaper (ballot/box/testdata/paper-vectors.json, SPEC.md
// 11.5.2): from the card code and the marks alone, the same key, the very same ballot bytes and tracker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { toHex } from '../src/encoding.js';
import { deriveCard, makeParams } from '../src/params.js';
import { parseBallot, verifyBallot } from '../src/ballot.js';
import { encryptPaperBallot, paperKey, paperMarks } from '../src/paper.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/paper-vectors.json', import.meta.url), 'utf8'));
const params = { ...v.params, jointKey: v.params.joint_key };

test('the paper vectors are the format this test knows', () => {
  assert.equal(v.format, 'tinnhiem-box-paper-vectors/v1');
  assert.ok(v.entries.length >= 4);
});

test('every paper ballot of the vectors is made again byte for byte', () => {
  const p = makeParams(params, true);
  for (const e of v.entries) {
    const { seed } = deriveCard(v.params.session, e.code);
    assert.equal(toHex(paperKey(p, seed, paperMarks(p, e.marks))), e.key_hex, `K_paper of ${JSON.stringify(e.marks)}`);
    // The page gives one mark as a number and none as 0; the key is the same.
    const choices = e.marks.map((m) => (m.length === 0 ? 0 : m.length === 1 ? m[0] : m));
    const out = encryptPaperBallot({ ...params, token: e.code, choices });
    assert.equal(out.ballotJSON, JSON.stringify(e.ballot), `ballot of ${JSON.stringify(e.marks)}`);
    assert.equal(out.tracker, e.tracker);
    verifyBallot(p, parseBallot(out.ballotJSON), true);
    if (out.multipleMarks.length > 0) {
      assert.throws(() => verifyBallot(p, parseBallot(out.ballotJSON), false), /multiple marks/);
    }
  }
});

test('marks in another order are the same paper; bad marks are refused', () => {
  const e = v.entries.find((x) => x.marks.some((m) => m.length > 1));
  const swapped = e.marks.map((m) => m.slice().reverse());
  assert.equal(encryptPaperBallot({ ...params, token: e.code, choices: swapped }).tracker, e.tracker);
  for (const bad of [[1, 2], [4, 0, 0], [[1, 1], 0, 0], [-1, 0, 0]]) {
    assert.throws(() => encryptPaperBallot({ ...params, token: e.code, choices: bad }), /paper ballot/);
  }
});
