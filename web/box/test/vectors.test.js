// Checks this implementation against the Go implementation's vectors (ballot/box/testdata/vectors.json, SPEC.md
// 11.12), from the file alone: every message parsed and re-encoded byte for byte, the same card keys, ballot bytes,
// trackers, sums and result, every proof accepted — and, from the vectors' documented random stream, the very same
// ballots made by this implementation's encryption.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';

import { decodeB64, encodeB64, fromHex, toHex } from '../src/encoding.js';
import { G, ORDER, encodeElement } from '../src/group.js';
import { deriveCard, makeParams } from '../src/params.js';
import {
  ballotBytes,
  encryptBallotWith,
  formatBallot,
  parseBallot,
  trackerBytes,
  trackerDisplay,
  verifyBallot,
  weightsOfLine,
} from '../src/ballot.js';
import { formatCeremony, formatRound1, formatRound2, parseRound1, parseRound2, qualify, verifyRound1 } from '../src/dkg.js';
import { combine, formatPartial, formatResult, formatTally, parsePartial, parseResult, sumBallots, verifyResult } from '../src/tally.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
// The vectors embed each message as a JSON object; compact, in the same member order, it is the bytes Go writes.
const compact = (obj) => JSON.stringify(obj);
const params = () => makeParams({ ...v.params, jointKey: v.params.joint_key }, true);

test('the vectors are the format this test knows', () => {
  assert.equal(v.format, 'tinnhiem-box-vectors/v1');
});

test('multiples of the generator', () => {
  assert.equal(v.generator_multiples.length, 9);
  v.generator_multiples.forEach((hex, n) => {
    const p = n === 0 ? G.subtract(G) : G.multiply(BigInt(n));
    assert.equal(toHex(encodeElement(p)), hex, `${n}·G`);
  });
});

test('card keys derived from their codes', () => {
  assert.ok(v.card_keys.length > 0);
  for (const ck of v.card_keys) {
    assert.equal(encodeB64(deriveCard(ck.session, ck.code).publicKey), ck.public_key, ck.code);
  }
  // Case and separators do not change the key.
  const ck = v.card_keys[0];
  assert.equal(encodeB64(deriveCard(ck.session, ck.code.toLowerCase().replaceAll('-', ' ')).publicKey), ck.public_key);
});

test('the key ceremony: messages re-encode, proofs verify, the outcome follows', () => {
  const c = v.ceremony;
  const round1 = c.round1.map((m) => {
    const r = parseRound1(compact(m));
    assert.equal(formatRound1(r), compact(m), `round 1 of trustee ${m.trustee} re-encodes`);
    verifyRound1(r, v.params.session, c.n, c.t);
    return r;
  });
  const round2 = c.round2.map((m) => {
    const r = parseRound2(compact(m));
    assert.equal(formatRound2(r), compact(m), `round 2 of trustee ${m.trustee} re-encodes`);
    return r;
  });
  assert.equal(c.complaints.length, 0);
  const cer = qualify(v.params.session, c.n, c.t, round1, round2, []);
  assert.equal(formatCeremony(cer), compact(c.result));
  assert.equal(c.result.joint_key, v.params.joint_key);
});

test('ballots: bytes, trackers, weights, re-encoding and proofs', () => {
  const p = params();
  assert.equal(v.ballots.length, 4);
  for (const [n, vb] of v.ballots.entries()) {
    const b = parseBallot(compact(vb.ballot));
    assert.equal(formatBallot(b), compact(vb.ballot), `ballot ${n + 1} re-encodes`);
    const bytes = ballotBytes(p, b);
    if (vb.ballot_bytes_hex) assert.equal(toHex(bytes), vb.ballot_bytes_hex, `ballot ${n + 1} bytes`);
    assert.equal(toHex(sha256(bytes)), vb.ballot_bytes_sha256);
    assert.equal(toHex(trackerBytes(p, b)), vb.tracker);
    if (vb.line_1_weights) {
      assert.deepEqual(weightsOfLine(p, b, 1).map((d) => encodeB64(encodeScalarLE(d))), vb.line_1_weights);
    }
    const flagged = vb.choices.includes(-1);
    verifyBallot(p, b, true);
    if (flagged) {
      assert.throws(() => verifyBallot(p, b, false), /cannot flag multiple marks/);
    } else {
      verifyBallot(p, b, false);
    }
  }
  // Ballot 4 has no hints: it is checked without batching, the others with.
  assert.ok(v.ballots[3].ballot.lines.every((l) => !('h' in l)));
  assert.ok(v.ballots[0].ballot.lines.every((l) => 'h' in l));
});

function encodeScalarLE(x) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

// detRand is the vectors' random stream ("SHA-512(seed || u64 counter) blocks"); every draw of the protocol is one
// 64-byte block.
function detRand(seed, first) {
  const s = new TextEncoder().encode(seed);
  let n = first;
  return (len) => {
    assert.equal(len, 64, 'every draw of an encryption is one 64-byte block');
    const b = new Uint8Array(s.length + 8);
    b.set(s);
    new DataView(b.buffer).setBigUint64(s.length, BigInt(n++));
    return sha512(b);
  };
}

test('the same random stream gives the same ballots, byte for byte', () => {
  // The ceremony drew first: per trustee t coefficients, its encryption secret and two Schnorr nonces, and no
  // complaint was made; the ballots' randomness starts right after.
  const first = v.ceremony.n * (v.ceremony.t + 3);
  const rand = detRand(v.seed, first);
  const p = params();
  // The first draw after the ceremony is r_1 of line 1 of ballot 1: its α is r_1·G.
  const r1 = bytesToNumberLE(detRand(v.seed, first)(64)) % ORDER;
  assert.equal(toHex(encodeElement(G.multiply(r1))), toHex(decodeB64(v.ballots[0].ballot.lines[0].ct).slice(0, 32)));
  for (const [n, vb] of v.ballots.entries()) {
    const b = encryptBallotWith(rand, p, deriveCard(v.params.session, vb.code).seed, vb.choices);
    if (!vb.ballot.lines.some((l) => 'h' in l)) b.lines.forEach((l) => (l.h = null)); // stored without hints
    assert.equal(formatBallot(b), compact(vb.ballot), `ballot ${n + 1}`);
  }
});

test('the tally is the sum of the ballots; partials verify; the result follows', () => {
  const p = params();
  const verified = v.ballots.map((vb) => {
    const b = parseBallot(compact(vb.ballot));
    return { lines: verifyBallot(p, b, true), x: b.x };
  });
  const tally = sumBallots(p, verified);
  assert.equal(formatTally(tally), compact(v.tally));
  const cer = qualify(
    v.params.session,
    v.ceremony.n,
    v.ceremony.t,
    v.ceremony.round1.map((m) => parseRound1(compact(m))),
    v.ceremony.round2.map((m) => parseRound2(compact(m))),
    [],
  );
  const parts = v.partials.map((m) => {
    const part = parsePartial(compact(m));
    assert.equal(formatPartial(part), compact(m));
    return part;
  });
  const { result, bad } = combine(p, cer, tally, parts);
  assert.deepEqual(bad, []);
  assert.equal(formatResult(result), compact(v.result));
  verifyResult(p, cer, tally, parts, parseResult(compact(v.result)));
  // What the ballots' choices say, counted by hand: every option once per line, one invalid per line, and line 2
  // flagged once as carrying several marks.
  assert.deepEqual(
    result.lines.map((l) => [l.counts, l.invalid, l.multipleMarks]),
    [[[1, 1, 1], 1, 0], [[1, 1, 1], 1, 1], [[1, 1, 1], 1, 0]],
  );
});

test('tracker display form', () => {
  const t = v.ballots[0].tracker;
  const shown = trackerDisplay(t);
  assert.match(shown, /^TB1(-[A-Z2-7]{4}){6}$/);
  assert.equal(trackerDisplay(fromHex(t)), shown);
  // The first 15 bytes in base32 are the 24 characters after TB1.
  assert.equal(shown.slice(4, 8), base32First4(fromHex(t)));
});

function base32First4(b) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...b.slice(0, 3)].map((x) => x.toString(2).padStart(8, '0')).join('');
  return [0, 5, 10, 15].map((i) => A[parseInt(bits.slice(i, i + 5), 2)]).join('');
}

test('decodeB64 of the vectors round-trips', () => {
  const s = v.params.joint_key;
  assert.equal(encodeB64(decodeB64(s)), s);
});
