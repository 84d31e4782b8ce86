// Tampered inputs are refused, and the refusal names the place: built from the Go implementation's vectors, each
// case changes one thing (re-signing with the card's key where the change must get past the signature, as an
// attacker holding the card could).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';

import { decodeB64, encodeB64, fromHex } from '../src/encoding.js';
import { G, ORDER, decodeElement, encodeElement, encodeScalar, modL } from '../src/group.js';
import { deriveCard, makeParams } from '../src/params.js';
import { BallotError, ballotBytes, formatBallot, parseBallot, verifyBallot } from '../src/ballot.js';
import { parseRound1, parseRound2, qualify, verifyRound1 } from '../src/dkg.js';
import { PartialError, combine, parsePartial, parseResult, parseTally, sumBallots, verifyPartial, verifyResult } from '../src/tally.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const compact = (obj) => JSON.stringify(obj);
const P = makeParams({ ...v.params, jointKey: v.params.joint_key }, true);
const seedOf = (n) => deriveCard(v.params.session, v.ballots[n].code).seed;
const ballot = (n) => parseBallot(compact(v.ballots[n].ballot));

function resign(p, b, seed) {
  b.card = ed25519.getPublicKey(seed);
  b.sig = ed25519.sign(ballotBytes(p, b), seed);
  return b;
}

function refused(fn, line, option, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof BallotError, `a BallotError, got ${e}`);
    assert.equal(e.line, line, `line of "${e.message}"`);
    assert.equal(e.option, option, `option of "${e.message}"`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('strict base64url', () => {
  assert.deepEqual([...decodeB64('AAE')], [0, 1]);
  for (const bad of ['AAE=', 'AA+E', 'AA/E', 'A', 'AB', 'AAF', 'AAE ', 'ÀAE']) {
    assert.throws(() => decodeB64(bad), /base64url/, bad);
  }
});

test('non-canonical elements of RFC 9496 are refused, and the identity where it must be', () => {
  const bad = [
    '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // non-canonical field element
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0100000000000000000000000000000000000000000000000000000000000000', // negative
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // s = -1
  ];
  for (const hex of bad) assert.throws(() => decodeElement(fromHex(hex)), /canonical/, hex);
  assert.throws(() => decodeElement(new Uint8Array(32), true), /identity/);
  assert.ok(decodeElement(new Uint8Array(32), false).is0());
  assert.throws(() => decodeElement(new Uint8Array(31)), /32-byte/);
});

test('malformed ballot JSON is refused', () => {
  const j = v.ballots[0].ballot;
  const cases = {
    'unknown member': { ...j, extra: 1 },
    'member "sig" is missing': (({ sig, ...rest }) => rest)(j),
    'the format is not': { ...j, format: 'tinnhiem-box-ballot/v2' },
    'card: not a 32-byte key': { ...j, card: j.card.slice(0, 40) },
    'sig: not a 64-byte signature': { ...j, sig: j.sig + 'AA' },
    'line 1: unknown member': { ...j, lines: [{ ...j.lines[0], d: 'AA' }, ...j.lines.slice(1)] },
    'line 2: ct: not a list of ciphertexts': { ...j, lines: [j.lines[0], { ...j.lines[1], ct: 'AAAA' }, j.lines[2]] },
    'line 1: c: scalar 1: not a canonical encoding': {
      ...j,
      lines: [{ ...j.lines[0], c: encodeB64(encodeScalarRaw(ORDER)) + j.lines[0].c.slice(43) }, ...j.lines.slice(1)],
    },
    'line 1: h: ': { ...j, lines: [{ ...j.lines[0], h: j.lines[0].h.slice(0, 86) }, ...j.lines.slice(1)] },
    'a ballot has 1 to 1000 lines': { ...j, lines: [] },
  };
  for (const [want, obj] of Object.entries(cases)) {
    assert.throws(() => parseBallot(JSON.stringify(obj)), (e) => e.message.includes(want), want);
  }
  assert.throws(() => parseBallot('{"format":'), /failed to parse a ballot/);
});

// encodeScalarRaw writes any integer below 2^256 little-endian, canonical or not.
function encodeScalarRaw(x) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

test('a changed signature or a ballot for another session, key or shape is refused', () => {
  const b = ballot(0);
  b.sig = b.sig.slice();
  b.sig[5] ^= 1;
  refused(() => verifyBallot(P, b), 0, 0, /signature/);
  for (const other of [
    { session: 'another-session' },
    { jointKey: encodeB64(encodeElement(G.multiply(7n))) },
    { lines: 3, options: 3, session: v.params.session + ' ' },
  ]) {
    const p2 = makeParams({ ...v.params, jointKey: v.params.joint_key, ...other });
    refused(() => verifyBallot(p2, ballot(0)), 0, 0, /signature/);
    // Re-signed under the other parameters, the line proofs still bind the original ones.
    refused(() => verifyBallot(p2, resign(p2, ballot(0), seedOf(0))), 1, 0, /proof/);
  }
  const p4 = makeParams({ ...v.params, jointKey: v.params.joint_key, lines: 4 });
  refused(() => verifyBallot(p4, ballot(0)), 0, 0, /3 lines, want 4/);
});

test('a ballot copied to another card is refused', () => {
  // Another card's holder signs the first ballot's lines as its own: the line proofs name the first card.
  refused(() => verifyBallot(P, resign(P, ballot(0), seedOf(1))), 1, 0, /proof/);
});

test('changed ciphertexts, challenges, responses and line order are refused', () => {
  const seed = seedOf(0);
  const moved = (f) => {
    const b = ballot(0);
    f(b);
    return resign(P, b, seed);
  };
  // Another valid element in line 2, option 3's β.
  refused(() => verifyBallot(P, moved((b) => (b.lines[1].ct[5] = encodeElement(decodeElement(b.lines[1].ct[5]).add(G))))), 2, 0, /proof/);
  // The identity as α, a non-canonical β.
  refused(() => verifyBallot(P, moved((b) => (b.lines[2].ct[2] = new Uint8Array(32)))), 3, 2, /alpha: the identity/);
  refused(() => verifyBallot(P, moved((b) => (b.lines[0].ct[1] = fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')))), 1, 1, /beta: not a canonical/);
  // Challenges moved between branches keep their sum, and still fail.
  refused(() => verifyBallot(P, moved((b) => {
    b.lines[0].c[0] = modL(b.lines[0].c[0] + 1n);
    b.lines[0].c[1] = modL(b.lines[0].c[1] - 1n);
  })), 1, 0, /proof/);
  refused(() => verifyBallot(P, moved((b) => (b.lines[2].s[3] = modL(b.lines[2].s[3] + 1n)))), 3, 0, /proof/);
  // The same with the hints dropped: the line is checked alone, and fails alike.
  refused(() => verifyBallot(P, moved((b) => {
    b.lines[2].h = null;
    b.lines[2].s[3] = modL(b.lines[2].s[3] + 1n);
  })), 3, 0, /proof/);
  // Lines swapped.
  refused(() => verifyBallot(P, moved((b) => ([b.lines[0], b.lines[1]] = [b.lines[1], b.lines[0]]))), 1, 0, /proof/);
  // A line proof cut to fewer branches.
  refused(() => verifyBallot(P, moved((b) => {
    b.lines[1].c = b.lines[1].c.slice(0, 1);
    b.lines[1].s = b.lines[1].s.slice(0, 1);
    b.lines[1].h = b.lines[1].h.slice(0, 2);
  })), 2, 0, /want 4/);
});

test('hints are not signed, yet a changed hint is refused and named', () => {
  const b = ballot(1);
  b.lines[2].h[3] = encodeElement(decodeElement(b.lines[2].h[3]).add(G));
  refused(() => verifyBallot(P, b), 3, 0, /proof/);
  const c = ballot(1);
  c.lines[1].h[0] = fromHex('00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff');
  refused(() => verifyBallot(P, c), 2, 0, /hint 1: not a canonical/);
  // Hints dropped from a line: the same ballot, checked without batching.
  const d = ballot(1);
  d.lines[0].h = null;
  verifyBallot(P, d);
});

test('multiple-mark flags only on paper ballots, ascending and in range', () => {
  refused(() => verifyBallot(P, ballot(2)), 2, 0, /multiple marks/);
  const seed = seedOf(2);
  for (const x of [[0], [4], [2, 2]]) {
    const b = ballot(2);
    b.x = x;
    refused(() => verifyBallot(P, resign(P, b, seed), true), 0, 0, /ascending/);
  }
  // Unflagging the line leaves a one-branch proof where four are needed.
  const b = ballot(2);
  b.x = [];
  refused(() => verifyBallot(P, resign(P, b, seed), true), 2, 0, /want 4/);
  // A ballot cast with a card flagging a line that it proves like any other: its proof has four branches.
  const c = ballot(0);
  c.x = [1];
  refused(() => verifyBallot(P, resign(P, c, seedOf(0)), true), 1, 0, /want 1/);
});

function ceremony() {
  return qualify(
    v.params.session,
    v.ceremony.n,
    v.ceremony.t,
    v.ceremony.round1.map((m) => parseRound1(compact(m))),
    v.ceremony.round2.map((m) => parseRound2(compact(m))),
    [],
  );
}

test('a changed round 1 is refused, and disqualifies its trustee', () => {
  const r = parseRound1(compact(v.ceremony.round1[1]));
  r.commitments[1] = encodeElement(decodeElement(r.commitments[1]).add(G));
  assert.throws(() => verifyRound1(r, v.params.session, 3, 2), /trustee 2: the proof of its polynomial/);
  const r1 = v.ceremony.round1.map((m) => parseRound1(compact(m)));
  r1[1] = r;
  const cer = qualify(v.params.session, 3, 2, r1, v.ceremony.round2.map((m) => parseRound2(compact(m))), []);
  assert.deepEqual(cer.disqualified, [{ trustee: 2, reason: 'round1' }]);
  assert.notEqual(encodeB64(cer.jointKey), v.params.joint_key);
  // A round 2 that leaves a trustee out disqualifies its dealer.
  const r2 = v.ceremony.round2.map((m) => parseRound2(compact(m)));
  r2[0].shares = r2[0].shares.slice(1);
  const cer2 = qualify(v.params.session, 3, 2, v.ceremony.round1.map((m) => parseRound1(compact(m))), r2, []);
  assert.deepEqual(cer2.disqualified, [{ trustee: 1, reason: 'round2' }]);
});

test('a changed partial decryption is refused and left out; a changed result is refused', () => {
  const cer = ceremony();
  const tally = parseTally(compact(v.tally));
  const parts = v.partials.map((m) => parsePartial(compact(m)));
  const bad = parsePartial(compact(v.partials[1]));
  bad.lines[1].d[2] = encodeElement(decodeElement(bad.lines[1].d[2]).add(G));
  assert.throws(() => verifyPartial(P, cer, tally, bad), (e) => {
    assert.ok(e instanceof PartialError);
    assert.deepEqual([e.trustee, e.line, e.option], [3, 2, 3]);
    return true;
  });
  // With trustee 3's partial bad, only one of the t = 2 needed remains.
  assert.throws(() => combine(P, cer, tally, [parts[0], bad]), /1 valid partial decryptions, 2 needed/);
  const res = parseResult(compact(v.result));
  verifyResult(P, cer, tally, parts, res);
  const changes = [
    (r) => (r.lines[0].counts = [2, 0, 1]),
    (r) => (r.lines[1].invalid = 0),
    (r) => (r.lines[1].multipleMarks = 0),
    (r) => (r.trustees = [3, 1]),
    (r) => (r.ballots = 5),
  ];
  for (const change of changes) {
    const r = parseResult(compact(v.result));
    change(r);
    assert.throws(() => verifyResult(P, cer, tally, parts, r), /failed to verify the result/);
  }
  assert.throws(() => verifyResult(P, cer, tally, [parts[0], bad], res), /trustee 3: line 2: option 3/);
});

test('a tally that is not the sum of the ballots differs from the recomputed one', () => {
  const verified = v.ballots.slice(0, 3).map((vb) => {
    const b = parseBallot(compact(vb.ballot));
    return { lines: verifyBallot(P, b, true), x: b.x };
  });
  const three = sumBallots(P, verified);
  const published = parseTally(compact(v.tally));
  assert.notDeepEqual(three.lines, published.lines);
  assert.equal(three.ballots, 3);
});

test('the encoding of a scalar is canonical', () => {
  assert.equal(encodeScalar(ORDER - 1n).length, 32);
});
