// The trustee's side (src/trustee.js) against the Go implementation's vectors (ballot/box/testdata/vectors.json):
// from the vectors' documented random streams it must make the very same secrets, round 1, round 2, round-3
// statements (a confirmation, and a complaint against a tampered share), key shares and partial decryption, byte
// for byte; and its sealed files must follow SPEC.md 11.6.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sha512 } from '@noble/hashes/sha2.js';

import * as box from '../src/index.js';
import { decodeB64, encodeB64 } from '../src/encoding.js';
import { ORDER, decodeElement, decodeScalar, encodeElement } from '../src/group.js';
import { encryptShare, formatCeremony, formatRound2, parseRound1, parseRound2, parseRound3, qualify } from '../src/dkg.js';
import {
  FORMAT_SEALED,
  SEAL_DEFAULTS,
  TrusteeFileError,
  backupText,
  formatTrusteeSecret,
  makeRound2,
  makeRound3,
  newTrustee,
  parseTrusteeSecret,
  seal,
  unseal,
} from '../src/trustee.js';
import { formatRound1 } from '../src/dkg.js';
import { formatRound3 } from '../src/dkg.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const compact = (obj) => JSON.stringify(obj);
const T = box.trustee;

// detRand is the vectors' random stream: SHA-512(seed || u64 counter) blocks, one 64-byte block per draw.
function detRand(seed, first = 0) {
  const s = new TextEncoder().encode(seed);
  let n = first;
  const rand = (len) => {
    assert.equal(len, 64, 'every draw of the ceremony and the count is one 64-byte block');
    const b = new Uint8Array(s.length + 8);
    b.set(s);
    new DataView(b.buffer).setBigUint64(s.length, BigInt(n++));
    return sha512(b);
  };
  rand.drawn = () => n - first;
  return rand;
}

// replay runs a ceremony's trustees from the stream as runCeremony in ballot/box does: every round 1, every round 2,
// the cheat (if any), then every round 3 in trustee order.
function replay(seed, n, t, cheat) {
  const rand = detRand(seed);
  const made = [];
  for (let i = 1; i <= n; i++) made.push(newTrustee(rand, v.params.session, n, t, i));
  const round1 = made.map((m) => m.round1);
  const round2 = made.map((m) => makeRound2(m.secret, round1));
  if (cheat) cheat(made, round2);
  const round3 = made.map((m) => makeRound3(rand, m.secret, round1, round2));
  return { rand, made, round1, round2, round3 };
}

test('round 1 to the key shares: the same bytes as Go from the same stream', () => {
  const c = v.ceremony;
  const r = replay(v.seed, c.n, c.t);
  assert.equal(r.rand.drawn(), c.n * (c.t + 3), 'per trustee: t coefficients, the encryption secret, two nonces; no complaint');
  r.made.forEach((m, k) => {
    assert.equal(formatTrusteeSecret(m.secret), compact(v.trustees[k].secret), `secret of trustee ${k + 1}`);
    assert.equal(formatRound1(m.round1), compact(c.round1[k]), `round 1 of trustee ${k + 1}`);
    assert.equal(formatRound2(r.round2[k]), compact(c.round2[k]), `round 2 of trustee ${k + 1}`);
    assert.equal(formatRound3(r.round3[k]), compact(v.trustees[k].round3), `round 3 of trustee ${k + 1}`);
  });
  // The same through the page's API, JSON in and JSON out.
  const round1JSONs = c.round1.map(compact);
  const round2JSONs = c.round2.map(compact);
  v.trustees.forEach((vt, k) => {
    const secretJSON = compact(vt.secret);
    assert.equal(T.round2({ secretJSON, round1JSONs }), round2JSONs[k]);
    assert.equal(T.round3({ secretJSON, round1JSONs, round2JSONs }, detRand('unused')), compact(vt.round3));
    const round3JSONs = v.trustees.map((x) => compact(x.round3));
    assert.equal(T.key({ secretJSON, round1JSONs, round2JSONs, round3JSONs, ceremonyJSON: compact(c.result) }), compact(vt.key), `key of trustee ${k + 1}`);
  });
});

test('round1 through the API draws as Go does', () => {
  const rand = detRand(v.seed);
  const out = T.round1({ session: v.params.session, n: 3, t: 2, trustee: 1 }, rand);
  assert.equal(out.secret, compact(v.trustees[0].secret));
  assert.equal(out.message, compact(v.ceremony.round1[0]));
  // Without t, a majority: 3 of 5, as the laptop tool's default.
  assert.equal(JSON.parse(T.round1({ session: v.params.session, n: 5, trustee: 2 }).message).t, 3);
  assert.throws(() => T.round1({ session: v.params.session, n: 3, t: 4, trustee: 1 }), /threshold must be between 1 and 3/);
  assert.throws(() => T.round1({ session: v.params.session, n: 3, t: 2, trustee: 4 }), /trustee 4 is not between 1 and 3/);
});

// badShare is dealer's share f(to)+1 for trustee `to`, encrypted exactly as a real share: it decrypts, and only the
// check against the commitments catches it.
function badShare(made, dealer, to) {
  const ts = made[dealer - 1].secret;
  let f = 0n;
  for (let k = ts.coefficients.length - 1; k >= 0; k--) f = (f * BigInt(to) + ts.coefficients[k]) % ORDER;
  const recv = made[to - 1].round1;
  const dh = encodeElement(decodeElement(recv.encryptionKey).multiply(ts.encryptionSecret));
  return encryptShare(ts.session, ts.n, ts.t, dealer, to, made[dealer - 1].round1.encryptionKey, recv.encryptionKey, dh, (f + 1n) % ORDER);
}

test('a tampered share: round 3 complains as Go does, the dealer is disqualified, the others get their keys', () => {
  const c = v.ceremony_with_complaint;
  const r = replay(c.seed, c.n, c.t, (made, round2) => {
    round2[1].shares.find((s) => s.to === 3).ct = badShare(made, 2, 3);
  });
  assert.equal(r.rand.drawn(), c.n * (c.t + 3) + 1, 'the one complaint draws one nonce');
  r.round2.forEach((r2, k) => assert.equal(formatRound2(r2), compact(c.round2[k]), `round 2 of trustee ${k + 1}`));
  r.round3.forEach((r3, k) => assert.equal(formatRound3(r3), compact(c.trustees[k].round3), `round 3 of trustee ${k + 1}`));
  const st3 = parseRound3(compact(c.trustees[2].round3));
  assert.deepEqual(st3.checked, [1]);
  assert.equal(st3.complaints.length, 1);
  assert.equal(st3.complaints[0].against, 2);
  // qualify now judges the complaint by decrypting the share it reveals.
  const cer = qualify(v.params.session, c.n, c.t, c.round1.map((m) => parseRound1(compact(m))), c.round2.map((m) => parseRound2(compact(m))), st3.complaints);
  assert.deepEqual(cer.disqualified, [{ trustee: 2, reason: 'share' }]);
  assert.equal(formatCeremony(cer), compact(c.result));
  const args = { round1JSONs: c.round1.map(compact), round2JSONs: c.round2.map(compact), round3JSONs: c.trustees.map((x) => compact(x.round3)), ceremonyJSON: compact(c.result) };
  assert.equal(T.key({ ...args, secretJSON: compact(c.trustees[0].secret) }), compact(c.trustees[0].key));
  assert.equal(T.key({ ...args, secretJSON: compact(c.trustees[2].secret) }), compact(c.trustees[2].key));
  assert.throws(() => T.key({ ...args, secretJSON: compact(c.trustees[1].secret) }), /trustee 2 is not qualified \(share\)/);
  // A result that is not the one the messages give is refused, and so is a ceremony that ignores the complaint.
  assert.throws(() => T.key({ ...args, secretJSON: compact(c.trustees[0].secret), ceremonyJSON: compact(v.ceremony.result) }), /differs from the one recomputed/);
  assert.throws(() => T.key({ ...args, round3JSONs: [], ceremonyJSON: null, secretJSON: compact(c.trustees[2].secret) }), /share of trustee 2: the share does not match/);
});

test('a false complaint disqualifies its author', () => {
  const c = v.ceremony;
  const honest = parseRound3(compact(v.ceremony_with_complaint.trustees[2].round3)).complaints[0];
  // Trustee 3's complaint from the other ceremony does not hold here: its proof is over other keys.
  const cer = qualify(v.params.session, c.n, c.t, c.round1.map((m) => parseRound1(compact(m))), c.round2.map((m) => parseRound2(compact(m))), [honest]);
  assert.deepEqual(cer.disqualified, [{ trustee: 3, reason: 'complaint' }]);
});

test('partial decryption from the stream: the same bytes as Go', () => {
  const pfs = v.partial_from_stream;
  const out = T.decrypt({ lines: v.params.lines, options: v.params.options, trusteeKeyJSON: compact(v.trustees[0].key), tallyJSON: compact(v.tally) }, detRand(pfs.seed));
  assert.equal(out, compact(pfs.partial));
  const shape = { session: v.params.session, jointKey: v.params.joint_key, lines: v.params.lines, options: v.params.options };
  box.verifyPartial({ ...shape, ceremonyJSON: compact(v.ceremony.result), tallyJSON: compact(v.tally), partialJSON: out });
});

test('secrets never appear in an error', () => {
  const secretJSON = compact(v.trustees[0].secret);
  const keyJSON = compact(v.trustees[0].key);
  const pieces = [...v.trustees[0].secret.coefficients, v.trustees[0].secret.encryption_secret, v.trustees[0].key.secret]
    .flatMap((s) => [s.slice(0, 12), s.slice(20, 32)]);
  const errors = [];
  const grab = (f) => {
    try {
      f();
    } catch (e) {
      errors.push(String(e.message) + String(e.stack));
      return;
    }
    assert.fail('expected an error');
  };
  const round1JSONs = v.ceremony.round1.map(compact);
  for (const cut of [secretJSON.slice(0, 150), secretJSON.slice(0, -1), secretJSON + 'x', secretJSON.replace('"n":3', '"n":"3"')]) {
    grab(() => T.round2({ secretJSON: cut, round1JSONs }));
  }
  grab(() => T.round2({ secretJSON: secretJSON.replace('"trustee":1', '"trustee":2'), round1JSONs }));
  for (const cut of [keyJSON.slice(0, 120), keyJSON.replace('"trustee"', '"Trustee"')]) {
    grab(() => T.decrypt({ lines: 3, options: 3, trusteeKeyJSON: cut, tallyJSON: compact(v.tally) }));
  }
  assert.equal(errors.length, 7);
  for (const e of errors) for (const p of pieces) assert.ok(!e.includes(p), `an error quotes a secret: ${e}`);
  assert.match(errors[4], /not the one these secrets made|missing or invalid/);
});

test('sealed files: round trip, NFC, wrong passphrase, header bound to the ciphertext, reader bounds', async () => {
  const keyJSON = compact(v.trustees[0].key);
  const pass = 'Bầu cử trung thực, khách quan';
  assert.notEqual(pass.normalize('NFC'), pass.normalize('NFD'));
  const sealed = await seal({ contentsJSON: keyJSON, passphrase: pass.normalize('NFC') + '\n' });
  const h = JSON.parse(sealed);
  assert.deepEqual(Object.keys(h), ['format', 'contents', 'kdf', 'time', 'memory', 'threads', 'salt', 'nonce', 'ciphertext']);
  assert.equal(h.format, FORMAT_SEALED);
  assert.equal(h.contents, 'tinnhiem-box-trustee-key/v1');
  assert.deepEqual([h.time, h.memory, h.threads], [SEAL_DEFAULTS.time, SEAL_DEFAULTS.memory, SEAL_DEFAULTS.threads]);
  assert.equal(decodeB64(h.salt).length, 16);
  assert.equal(decodeB64(h.nonce).length, 24);
  assert.ok(!sealed.includes(v.trustees[0].key.secret));
  // Typed decomposed on another keyboard, the passphrase opens the file.
  assert.equal(await unseal({ sealedJSON: sealed, passphrase: pass.normalize('NFD') }), keyJSON);
  await assert.rejects(unseal({ sealedJSON: sealed, passphrase: pass + '!' }), (e) => e instanceof TrusteeFileError && e.code === 'wrong-passphrase' && /^sai mật khẩu/.test(e.message) && !e.message.includes(pass));
  // A header changed to a cheaper cost, to other contents or with another salt does not open, with the same refusal.
  for (const change of [{ time: 1 }, { memory: 8192 }, { contents: 'tinnhiem-box-trustee-secret/v1' }, { salt: encodeB64(new Uint8Array(16)) }]) {
    await assert.rejects(unseal({ sealedJSON: JSON.stringify({ ...h, ...change }), passphrase: pass }), (e) => e.code === 'wrong-passphrase', JSON.stringify(change));
  }
  // Outside the reader's bounds, or not a sealed file: refused before any Argon2id runs.
  for (const change of [{ memory: 4096 }, { time: 17 }, { threads: 0 }, { kdf: 'scrypt' }, { contents: 'tinnhiem-box-partial/v1' }, { nonce: 'AAAA' }]) {
    await assert.rejects(unseal({ sealedJSON: JSON.stringify({ ...h, ...change }), passphrase: pass }), (e) => e.code === 'bad-header', JSON.stringify(change));
  }
  await assert.rejects(unseal({ sealedJSON: keyJSON, passphrase: pass }), (e) => e.code === 'not-sealed');
  await assert.rejects(unseal({ sealedJSON: JSON.stringify({ ...h, extra: 1 }), passphrase: pass }), (e) => e.code === 'not-sealed');
  await assert.rejects(seal({ contentsJSON: keyJSON, passphrase: '\n' }), (e) => e.code === 'bad-passphrase');
  await assert.rejects(seal({ contentsJSON: keyJSON, passphrase: 'x'.repeat(1025) }), (e) => e.code === 'bad-passphrase');
  await assert.rejects(seal({ contentsJSON: compact(v.tally), passphrase: pass }), (e) => e.code === 'bad-contents');
  await assert.rejects(seal({ contentsJSON: keyJSON, passphrase: pass, memory: 4096 }), /outside what readers accept/);
  // A secret file seals too, at the laptop tool's cost as well.
  const secretJSON = compact(v.trustees[1].secret);
  const s2 = await seal({ contentsJSON: secretJSON, passphrase: pass, time: 1, memory: 8192, threads: 4 });
  assert.equal(await unseal({ sealedJSON: s2, passphrase: pass }), secretJSON);
});

test('backup text: a key file and a secret file each fit one QR code at level M', async (t) => {
  const pass = 'mật khẩu';
  const cheap = { passphrase: pass, time: 1, memory: 8192 };
  const k = backupText(await seal({ contentsJSON: compact(v.trustees[0].key), ...cheap }));
  // 32 secret bytes, the joint key and the session (19 bytes here) in base64url, sealed: about 500 bytes.
  assert.ok(k.bytes > 450 && k.bytes < 600 && k.qrVersion >= 16 && k.qrVersion <= 18, JSON.stringify(k));
  t.diagnostic(`sealed key file: ${k.bytes} bytes, QR version ${k.qrVersion} at level M`);
  assert.equal(await unseal({ sealedJSON: k.text, passphrase: pass }), compact(v.trustees[0].key));
  // The secret grows with t: 43 base64url characters a coefficient, sealed about 61 bytes. Its size does not depend
  // on the random draws, so the largest t that fits is found from the plaintext and checked by sealing either side.
  const secretOf = (t) => T.round1({ session: v.params.session, n: 64, t, trustee: 1 }).secret;
  const sealedSize = (t) => backupText(JSON.stringify({ ...JSON.parse(k.text), ciphertext: encodeB64(new Uint8Array(new TextEncoder().encode(secretOf(t)).length + 16)), contents: 'tinnhiem-box-trustee-secret/v1' })).bytes;
  let fits = 1;
  while (fits < 64 && sealedSize(fits + 1) <= 2331) fits++;
  const at = async (t) => backupText(await seal({ contentsJSON: secretOf(t), ...cheap }));
  const [s3, sMax, sOver] = [await at(3), await at(fits), await at(fits + 1)];
  t.diagnostic(`sealed secret file: t=3 ${s3.bytes} bytes (QR version ${s3.qrVersion}); largest t in one QR: ${fits} (${sMax.bytes} bytes); t=${fits + 1}: ${sOver.bytes} bytes`);
  assert.ok(s3.qrVersion !== null && s3.qrVersion <= 22, JSON.stringify(s3));
  assert.ok(sMax.qrVersion === 40 && sOver.qrVersion === null, JSON.stringify([sMax.bytes, sOver.bytes]));
  // A ceremony of up to 57 trustees has a majority threshold of at most 29: its secrets fit; beyond, the file only.
  assert.ok(fits >= 29, `t=${fits}`);
});

test('the decoded secret scalars are canonical and the vectors hold them', () => {
  const ts = parseTrusteeSecret(compact(v.trustees[2].secret));
  assert.equal(ts.trustee, 3);
  for (const c of v.trustees[2].secret.coefficients) decodeScalar(decodeB64(c));
});
