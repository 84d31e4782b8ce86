// The page's API end to end in this implementation: ballots encrypted with the platform's randomness verify,
// their trackers agree, bad input is refused with a clear error, and a one-trustee count (t = 1, the smallest
// ceremony's arithmetic) reads the choices back through partial decryption and combination.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as box from '../src/index.js';
import { encodeB64 } from '../src/encoding.js';
import { G, encodeElement, encodeScalar, randomScalar, systemRandom } from '../src/group.js';
import { makeParams } from '../src/params.js';
import { parseBallot, verifyBallot } from '../src/ballot.js';
import { formatTally, sumBallots } from '../src/tally.js';
import { goJSON } from '../src/json.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const base = { session: v.params.session, jointKey: v.params.joint_key, lines: 5, options: 3 };
const code = v.card_keys[1].code;

test('encryptBallot → verifyBallot, for every choice on every line', () => {
  const choices = [0, 1, 2, 3, 2];
  const out = box.encryptBallot({ ...base, token: code, choices });
  assert.match(out.tracker, /^[0-9a-f]{64}$/);
  assert.match(out.trackerDisplay, /^TB1(-[A-Z2-7]{4}){6}$/);
  assert.equal(box.trackerDisplay(out.tracker), out.trackerDisplay);
  assert.equal(out.card, box.deriveCard({ session: base.session, token: code }).card);
  const checked = box.verifyBallot({ ...base, ballotJSON: out.ballotJSON });
  assert.equal(checked.tracker, out.tracker);
  assert.equal(box.tracker({ ...base, ballotJSON: out.ballotJSON }), out.tracker);
  const j = JSON.parse(out.ballotJSON);
  assert.deepEqual(Object.keys(j), ['format', 'card', 'lines', 'sig']);
  assert.equal(j.lines.length, 5);
  for (const l of j.lines) {
    assert.deepEqual(Object.keys(l), ['ct', 'c', 's', 'h']);
    assert.equal(l.ct.length, Math.ceil((6 * 32 * 4) / 3)); // 2L elements
    assert.equal(l.c.length, Math.ceil((4 * 32 * 4) / 3)); // L + 1 branches
  }
  // The same choices again: other randomness, another ballot, another tracker.
  const again = box.encryptBallot({ ...base, token: code, choices });
  assert.notEqual(again.tracker, out.tracker);
});

test('the formal vote of confidence (L = 2) and a one-line ballot', () => {
  for (const shape of [{ lines: 4, options: 2, choices: [1, 2, 0, 1] }, { lines: 1, options: 1, choices: [1] }]) {
    const { choices, ...rest } = shape;
    const out = box.encryptBallot({ ...base, ...rest, token: code, choices });
    box.verifyBallot({ ...base, ...rest, ballotJSON: out.ballotJSON });
  }
});

test('bad input is refused before anything is made', () => {
  const bad = [
    [{ choices: [0, 1, 2, 3] }, /4 choices for 5 lines/],
    [{ choices: [0, 1, 2, 3, 4] }, /line 5: choice 4 is not between 0 and 3/],
    [{ choices: [0, 1, 2, 1.5, 0] }, /line 4: choice 1.5/],
    [{ choices: [0, '1', 2, 3, 0] }, /line 2/],
    [{ choices: [0, -2, 2, 3, 0] }, /line 2/],
    [{ token: 'ABCD-EFGH' }, /32 characters/],
    [{ token: 'ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4568' }, /only the letters A-Z and digits 2-7/],
    [{ jointKey: encodeB64(new Uint8Array(32)) }, /joint key: the identity/],
    [{ jointKey: 'AA' }, /joint key/],
    [{ jointKey: v.params.joint_key + '=' }, /base64url/],
    [{ lines: 0 }, /lines must be between 1 and 1000/],
    [{ options: 17 }, /options must be between 1 and 16/],
    [{ session: '' }, /session/],
    [{ session: 'a\nb' }, /control characters/],
  ];
  for (const [change, want] of bad) {
    assert.throws(() => box.encryptBallot({ ...base, token: code, choices: [0, 1, 2, 3, 0], ...change }), want, JSON.stringify(change));
  }
});

test('a card code signs for its session only', () => {
  const a = box.deriveCard({ session: 's1', token: code }).card;
  const b = box.deriveCard({ session: 's2', token: code }).card;
  assert.notEqual(a, b);
});

test('one trustee (t = 1): partial decryption and combination read the choices back', () => {
  const x = randomScalar(systemRandom);
  const Y = encodeElement(G.multiply(x));
  const session = 'kiem-tra-t1';
  const shape = { session, jointKey: encodeB64(Y), lines: 3, options: 3 };
  const p = makeParams(shape);
  const votes = [[1, 2, 3], [1, 0, 3], [2, 2, 3], [0, 0, 1]];
  const verified = votes.map((choices, n) => {
    const token = v.card_keys[n].code;
    const b = parseBallot(box.encryptBallot({ ...shape, token, choices }).ballotJSON);
    return { lines: verifyBallot(p, b), x: b.x };
  });
  const tallyJSON = formatTally(sumBallots(p, verified));
  const ceremonyJSON = goJSON({
    format: 'tinnhiem-box-dkg-result/v1',
    session,
    n: 2,
    t: 1,
    qualified: [1],
    disqualified: [],
    joint_key: encodeB64(Y),
    verification_keys: [{ trustee: 1, key: encodeB64(Y) }],
  });
  const trusteeKeyJSON = goJSON({
    format: 'tinnhiem-box-trustee-key/v1',
    session,
    trustee: 1,
    joint_key: encodeB64(Y),
    secret: encodeB64(encodeScalar(x)),
  });
  const partialJSON = box.partialDecrypt({ lines: 3, options: 3, trusteeKeyJSON, tallyJSON });
  box.verifyPartial({ ...shape, ceremonyJSON, tallyJSON, partialJSON });
  const { resultJSON, bad } = box.combine({ ...shape, ceremonyJSON, tallyJSON, partialJSONs: [partialJSON] });
  assert.deepEqual(bad, []);
  const res = JSON.parse(resultJSON);
  assert.deepEqual(res.lines, [
    { counts: [2, 1, 0], invalid: 1, multiple_marks: 0 },
    { counts: [0, 2, 0], invalid: 2, multiple_marks: 0 },
    { counts: [1, 0, 3], invalid: 0, multiple_marks: 0 },
  ]);
  box.verifyResult({ ...shape, ceremonyJSON, tallyJSON, partialJSONs: [partialJSON], resultJSON });
  // A partial made with another key share does not verify against the ceremony's verification key.
  const other = goJSON({ ...JSON.parse(trusteeKeyJSON), secret: encodeB64(encodeScalar(x + 1n)) });
  const wrong = box.partialDecrypt({ lines: 3, options: 3, trusteeKeyJSON: other, tallyJSON });
  assert.throws(() => box.verifyPartial({ ...shape, ceremonyJSON, tallyJSON, partialJSON: wrong }), /trustee 1: line 1: option 1/);
});

test('encryptBallotAuditable: the audit file opens every line to its choice; forget() erases the randomness', async () => {
  const { decodeElement } = await import('../src/group.js');
  const { decodeB64 } = await import('../src/encoding.js');
  const choices = [0, 1, 2, 3, 2];
  const cadres = choices.map((_, k) => ({ id: `c${k + 1}`, name: `Cán bộ ${k + 1}`, position: 'Phó Giám đốc' }));
  const enc = box.encryptBallotAuditable({ ...base, token: code, choices });
  assert.equal(box.verifyBallot({ ...base, ballotJSON: enc.ballotJSON }).tracker, enc.tracker);
  const a = JSON.parse(enc.audit(cadres));
  assert.deepEqual(Object.keys(a), ['format', 'session', 'joint_key', 'lines', 'options', 'cadres', 'ballot', 'randomness', 'tracker']);
  assert.equal(a.format, box.FORMAT_AUDIT);
  assert.equal(JSON.stringify(a.ballot), enc.ballotJSON);
  assert.equal(a.tracker, enc.tracker);
  assert.ok(!JSON.stringify(a).includes(code), 'the card code is not in the audit file');
  const Y = decodeElement(decodeB64(base.jointKey), true);
  a.ballot.lines.forEach((l, k) => {
    const ct = decodeB64(l.ct);
    const r = decodeB64(a.randomness[k]);
    const marks = [];
    for (let i = 0; i < 3; i++) {
      const ri = BigInt('0x' + Buffer.from(r.slice(32 * i, 32 * i + 32)).reverse().toString('hex'));
      const alpha = decodeElement(ct.slice(64 * i, 64 * i + 32), true);
      const beta = decodeElement(ct.slice(64 * i + 32, 64 * i + 64), false);
      assert.ok(alpha.equals(G.multiply(ri)), `line ${k + 1} option ${i + 1}: α = r·G`);
      const m = beta.subtract(Y.multiply(ri));
      if (m.equals(G)) marks.push(i + 1);
      else assert.ok(m.is0(), `line ${k + 1} option ${i + 1}: β − r·Y is 0 or G`);
    }
    assert.deepEqual(marks, choices[k] ? [choices[k]] : []);
  });
  assert.throws(() => enc.audit(cadres.slice(1)), /4 cadres for 5 lines/);
  enc.forget();
  assert.throws(() => enc.audit(cadres), /randomness was erased/);
});

test('openAudited opens the browser’s own audit file and the Go fixture; refuses other randomness', () => {
  const choices = [0, 1, 2, 3, 2];
  const cadres = choices.map((_, k) => ({ id: `c${k + 1}`, name: `Cán bộ ${k + 1}`, position: 'Phó Giám đốc' }));
  const enc = box.encryptBallotAuditable({ ...base, token: code, choices });
  const file = enc.audit(cadres);
  const o = box.openAudited(file);
  assert.deepEqual(o.lines.map((l) => l.marks), [[], [1], [2], [3], [2]]);
  assert.equal(o.trackerDisplay, enc.trackerDisplay);
  assert.ok(o.trackerMatches);
  const go = box.openAudited(readFileSync(new URL('../../../ballot/box/testdata/audit-js.json', import.meta.url), 'utf8'));
  assert.deepEqual(go.lines.map((l) => l.marks), [[3], [], [1], [2]]);
  const other = JSON.parse(box.encryptBallotAuditable({ ...base, token: code, choices }).audit(cadres));
  const mixed = JSON.parse(file);
  mixed.randomness = other.randomness;
  assert.throws(() => box.openAudited(JSON.stringify(mixed)), /line 1: option 1: alpha is not r·G/);
  const wrongTracker = JSON.parse(file);
  wrongTracker.tracker = '0'.repeat(64);
  assert.equal(box.openAudited(JSON.stringify(wrongTracker)).trackerMatches, false);
  assert.throws(() => box.openAudited(enc.ballotJSON), /member/);
});
