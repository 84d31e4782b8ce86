// The public side of the key ceremony (SPEC.md 11.6): round 1 messages and their Schnorr proofs, the shares of
// round 2 as ChaCha20-Poly1305 encrypts them (byte for byte as ballot/box/dkg.go), complaints and the round-3
// statement, judging a complaint by decrypting the share it reveals, and the joint key and verification keys of
// the qualified trustees. The trustee's secret side is trustee.js.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { decodeB64, encodeB64, equalBytes } from './encoding.js';
import { G, Transcript, ZERO, decodeElement, decodeScalar, encodeElement, encodeScalar, modL, msmPublic } from './group.js';
import { checkMembers } from './ballot.js';
import { MAX_TRUSTEES, checkSession } from './params.js';
import { goJSON } from './json.js';
import { sha512 } from '@noble/hashes/sha2.js';

/** The format names of the ceremony's messages. */
export const FORMAT_ROUND1 = 'tinnhiem-box-dkg-round1/v1';
export const FORMAT_ROUND2 = 'tinnhiem-box-dkg-round2/v1';
export const FORMAT_COMPLAINT = 'tinnhiem-box-dkg-complaint/v1';
export const FORMAT_CEREMONY = 'tinnhiem-box-dkg-result/v1';
export const FORMAT_ROUND3 = 'tinnhiem-box-dkg-round3/v1';

function parseJSON(text, format, required) {
  const j = JSON.parse(text);
  checkMembers(j, format, ['format', ...required]);
  if (j.format !== format) throw new Error(`failed to parse ${format}: the format is not "${format}"`);
  return j;
}

function point(s, nonIdentity, what) {
  try {
    return decodeElement(decodeB64(s), nonIdentity).toBytes();
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
}

function proof(j, what) {
  checkMembers(j, what, ['c', 's']);
  return { c: decodeScalar(decodeB64(j.c)), s: decodeScalar(decodeB64(j.s)) };
}

/** Reads a round 1 message; verifyRound1 checks it against the ceremony. */
export function parseRound1(text) {
  const j = parseJSON(text, FORMAT_ROUND1, [
    'session', 'n', 't', 'trustee', 'encryption_key', 'commitments', 'coefficient_proof', 'encryption_key_proof',
  ]);
  if (!Array.isArray(j.commitments) || j.commitments.length === 0 || j.commitments.length > MAX_TRUSTEES) {
    throw new Error('failed to parse round 1: commitments: wrong number');
  }
  return {
    session: j.session,
    n: j.n,
    t: j.t,
    trustee: j.trustee,
    encryptionKey: point(j.encryption_key, true, 'failed to parse round 1: encryption key'),
    commitments: j.commitments.map((a, k) => point(a, k === 0, `failed to parse round 1: commitment ${k + 1}`)),
    coefficientProof: proof(j.coefficient_proof, 'coefficient proof'),
    encryptionKeyProof: proof(j.encryption_key_proof, 'encryption key proof'),
  };
}

// The Schnorr check of round 1: R = s·G − c·X, then c = Hs(T(tag, dctx(i), E(E_i), E(A_i0), …, E(R))).
function schnorrHolds(tag, r, X, pr) {
  const R = G.multiplyUnsafe(pr.s).add(decodeElement(X).multiplyUnsafe(modL(-pr.c)));
  const t = new Transcript(tag).str(r.session).u32(r.n).u32(r.t).u32(r.trustee).element(r.encryptionKey);
  for (const a of r.commitments) t.element(a);
  return t.element(R).challenge() === pr.c;
}

/** Checks a round 1 message for the ceremony (session, n, t): shape, non-identity keys and both proofs. */
export function verifyRound1(r, session, n, t) {
  if (r.session !== session || r.n !== n || r.t !== t) throw new Error(`trustee ${r.trustee}: round 1 is for another ceremony`);
  if (!Number.isInteger(r.trustee) || r.trustee < 1 || r.trustee > n) {
    throw new Error(`round 1 of trustee ${r.trustee}, who is not between 1 and ${n}`);
  }
  if (r.commitments.length !== t) throw new Error(`trustee ${r.trustee}: ${r.commitments.length} commitments, want ${t}`);
  decodeElement(r.encryptionKey, true);
  decodeElement(r.commitments[0], true);
  if (!schnorrHolds('tinnhiem/box/v1/dkg-coefficient-proof', r, r.commitments[0], r.coefficientProof)) {
    throw new Error(`trustee ${r.trustee}: the proof of its polynomial's constant term does not verify`);
  }
  if (!schnorrHolds('tinnhiem/box/v1/dkg-encryption-key-proof', r, r.encryptionKey, r.encryptionKeyProof)) {
    throw new Error(`trustee ${r.trustee}: the proof of its encryption key does not verify`);
  }
}

/** Reads a round 2 message (the shares stay encrypted: 48 bytes each). */
export function parseRound2(text) {
  const j = parseJSON(text, FORMAT_ROUND2, ['session', 'trustee', 'shares']);
  return {
    session: j.session,
    trustee: j.trustee,
    shares: j.shares.map((s) => {
      checkMembers(s, 'share', ['to', 'ct']);
      const ct = decodeB64(s.ct);
      if (ct.length !== 48) throw new Error(`failed to parse round 2: share for trustee ${s.to} is not 48 bytes`);
      return { to: s.to, ct };
    }),
  };
}

/** Reads a complaint. */
export function parseComplaint(text) {
  const j = parseJSON(text, FORMAT_COMPLAINT, ['session', 'trustee', 'against', 'dh', 'proof']);
  return { session: j.session, trustee: j.trustee, against: j.against, dh: point(j.dh, false, 'dh'), proof: proof(j.proof, 'proof') };
}

/**
 * Says whether a complaint's DLEQ proof verifies (log_G E_j = log_{E_i} DH, SPEC.md 11.6 round 3), given the
 * complainer's and the accused's round 1. A complaint whose proof fails is false.
 */
export function complaintProofHolds(c, n, t, from, against) {
  const ej = decodeElement(from.encryptionKey);
  const ei = decodeElement(against.encryptionKey);
  const dh = decodeElement(c.dh);
  const negC = modL(-c.proof.c);
  const r1 = G.multiplyUnsafe(c.proof.s).add(ej.multiplyUnsafe(negC));
  const r2 = ei.multiplyUnsafe(c.proof.s).add(dh.multiplyUnsafe(negC));
  const tr = new Transcript('tinnhiem/box/v1/dkg-complaint').str(c.session).u32(n).u32(t).u32(c.trustee).u32(c.against);
  tr.element(from.encryptionKey).element(against.encryptionKey).element(c.dh).element(r1).element(r2);
  return tr.challenge() === c.proof.c;
}

/**
 * Recomputes the ceremony's outcome from its public messages (SPEC.md 11.6) exactly as Go's Qualify: a missing or
 * invalid round 1 or round 2 disqualifies its trustee, a justified complaint (its DLEQ proof verifies and the share
 * it reveals is missing, does not decrypt or fails the dealer's commitments) disqualifies the dealer and a false one
 * its author; then Y = Σ A_i0 and Y_j = Σ_i Σ_k j^k·A_ik over QUAL. Throws when fewer than t qualify.
 */
export function qualify(session, n, t, round1, round2, complaints) {
  checkSession(session);
  if (!Number.isInteger(n) || n < 2 || n > MAX_TRUSTEES) throw new Error(`the number of trustees must be between 2 and ${MAX_TRUSTEES}`);
  if (!Number.isInteger(t) || t < 1 || t > n) throw new Error(`the threshold must be between 1 and ${n}`);
  const valid = validRound1(session, n, t, round1);
  const byDealer = round2ByDealer(session, round2);
  const reason = new Map();
  for (let i = 1; i <= n; i++) if (!valid.has(i)) reason.set(i, 'round1');
  for (const i of [...valid.keys()].sort((a, b) => a - b)) {
    const r2 = byDealer.get(i);
    if (!r2) {
      reason.set(i, 'round2');
      continue;
    }
    let got = 0;
    let last = 0;
    for (const s of r2.shares) {
      if (s.to <= last) reason.set(i, 'round2');
      last = s.to;
      if (s.to !== i && valid.has(s.to)) got++;
    }
    if (got !== valid.size - 1) reason.set(i, 'round2');
  }
  for (const c of complaints) {
    if (!c || c.session !== session || !valid.has(c.trustee) || !valid.has(c.against) || c.trustee === c.against) continue;
    if (judge(session, n, t, c, valid.get(c.trustee), valid.get(c.against), byDealer.get(c.against))) {
      if (!reason.has(c.against)) reason.set(c.against, 'share');
    } else if (!reason.has(c.trustee)) reason.set(c.trustee, 'complaint');
  }
  const qualified = [];
  const disqualified = [];
  for (let i = 1; i <= n; i++) {
    if (reason.has(i)) disqualified.push({ trustee: i, reason: reason.get(i) });
    else qualified.push(i);
  }
  if (qualified.length < t) throw new Error(`failed to qualify trustees: ${qualified.length} qualified, ${t} needed`);
  const commitments = qualified.map((i) => valid.get(i).commitments.map((a) => decodeElement(a)));
  let y = ZERO;
  for (const c of commitments) y = y.add(c[0]);
  if (y.is0()) throw new Error('failed to qualify trustees: the joint key is the identity');
  const verificationKeys = qualified.map((j) => {
    let yj = ZERO;
    for (const c of commitments) {
      const powers = [];
      let x = 1n;
      for (let k = 0; k < c.length; k++) {
        powers.push(x);
        x = modL(x * BigInt(j));
      }
      yj = yj.add(msmPublic(powers, c));
    }
    return { trustee: j, key: encodeElement(yj) };
  });
  return { session, n, t, qualified, disqualified, jointKey: encodeElement(y), verificationKeys };
}

/** Returns the JSON of a ceremony's outcome, in the Go implementation's member order. */
export function formatCeremony(c) {
  return goJSON({
    format: FORMAT_CEREMONY,
    session: c.session,
    n: c.n,
    t: c.t,
    qualified: c.qualified,
    disqualified: c.disqualified.map((d) => ({ trustee: d.trustee, reason: d.reason })),
    joint_key: encodeB64(c.jointKey),
    verification_keys: c.verificationKeys.map((v) => ({ trustee: v.trustee, key: encodeB64(v.key) })),
  });
}

/** Reads a ceremony's outcome; a verifier recomputes it with qualify and compares. */
export function parseCeremony(text) {
  const j = parseJSON(text, FORMAT_CEREMONY, ['session', 'n', 't', 'qualified', 'disqualified', 'joint_key', 'verification_keys']);
  return {
    session: j.session,
    n: j.n,
    t: j.t,
    qualified: j.qualified,
    disqualified: j.disqualified.map((d) => {
      checkMembers(d, 'disqualified', ['trustee', 'reason']);
      return { trustee: d.trustee, reason: d.reason };
    }),
    jointKey: point(j.joint_key, true, 'joint key'),
    verificationKeys: j.verification_keys.map((v) => {
      checkMembers(v, 'verification key', ['trustee', 'key']);
      return { trustee: v.trustee, key: point(v.key, false, `key of trustee ${v.trustee}`) };
    }),
  };
}

/** Returns the JSON of a round 1 message, in the Go implementation's member order. */
export function formatRound1(r) {
  const pr = (x) => ({ c: encodeB64(encodeScalar(x.c)), s: encodeB64(encodeScalar(x.s)) });
  return goJSON({
    format: FORMAT_ROUND1,
    session: r.session,
    n: r.n,
    t: r.t,
    trustee: r.trustee,
    encryption_key: encodeB64(r.encryptionKey),
    commitments: r.commitments.map(encodeB64),
    coefficient_proof: pr(r.coefficientProof),
    encryption_key_proof: pr(r.encryptionKeyProof),
  });
}

/** Returns the JSON of a round 2 message, in the Go implementation's member order. */
export function formatRound2(r) {
  return goJSON({
    format: FORMAT_ROUND2,
    session: r.session,
    trustee: r.trustee,
    shares: r.shares.map((s) => ({ to: s.to, ct: encodeB64(s.ct) })),
  });
}

/**
 * Returns the valid round 1 message of each trustee (the first valid one, if one sent several), as a Map keyed by
 * trustee number; invalid ones are left out, as Go's validRound1 does.
 */
export function validRound1(session, n, t, round1) {
  const valid = new Map();
  for (const r of round1) {
    if (!r || valid.has(r.trustee)) continue;
    try {
      verifyRound1(r, session, n, t);
      valid.set(r.trustee, r);
    } catch {
      // an invalid round 1 disqualifies its trustee in qualify
    }
  }
  return valid;
}

/** Returns the first round 2 of each dealer in this session, as a Map keyed by dealer. */
export function round2ByDealer(session, round2) {
  const out = new Map();
  for (const r of round2) if (r && r.session === session && !out.has(r.trustee)) out.set(r.trustee, r);
  return out;
}

/** Returns the numbers of a Map's keys in ascending order. */
export function sortedKeys(m) {
  return [...m.keys()].sort((a, b) => a - b);
}

/**
 * The key and associated data of the share from dealer `from` to trustee `to` (SPEC.md 11.6 round 2):
 * key = SHA-512(T("tinnhiem/box/v1/dkg-share-key", session, u32(n), u32(t), u32(from), u32(to), E(E_from), E(E_to),
 * E(DH)))[0:32], ad = T("tinnhiem/box/v1/dkg-share", session, u32(n), u32(t), u32(from), u32(to)).
 */
function shareKey(session, n, t, from, to, eFrom, eTo, dh) {
  const key = new Transcript('tinnhiem/box/v1/dkg-share-key').str(session).u32(n).u32(t).u32(from).u32(to);
  key.element(eFrom).element(eTo).element(dh);
  const ad = new Transcript('tinnhiem/box/v1/dkg-share').str(session).u32(n).u32(t).u32(from).u32(to).toBytes();
  return { key: sha512(key.toBytes()).slice(0, 32), ad };
}

const ZERO_NONCE = new Uint8Array(12);

/**
 * Encrypts the 32-byte share S(share) for trustee `to` with ChaCha20-Poly1305 under the shares' key and a zero
 * nonce (each key encrypts one message only), giving the 48 bytes of Go's encryptShare.
 */
export function encryptShare(session, n, t, from, to, eFrom, eTo, dh, share) {
  const { key, ad } = shareKey(session, n, t, from, to, eFrom, eTo, dh);
  const pt = encodeScalar(share);
  const ct = chacha20poly1305(key, ZERO_NONCE, ad).encrypt(pt);
  key.fill(0);
  pt.fill(0);
  return ct;
}

/** Decrypts a share; throws "the share does not decrypt" when its tag fails and refuses a non-canonical scalar. */
export function decryptShare(session, n, t, from, to, eFrom, eTo, dh, ct) {
  const { key, ad } = shareKey(session, n, t, from, to, eFrom, eTo, dh);
  let pt;
  try {
    pt = chacha20poly1305(key, ZERO_NONCE, ad).decrypt(ct);
  } catch {
    throw new Error('the share does not decrypt');
  } finally {
    key.fill(0);
  }
  if (pt.length !== 32) throw new Error('the share is not 32 bytes');
  try {
    return decodeScalar(pt);
  } catch {
    throw new Error('the share is not a canonical scalar');
  } finally {
    pt.fill(0);
  }
}

/** Returns Σ_k j^k·A_k, the public image of the share f(j), from a dealer's commitments (encodings). */
export function committedShare(commitments, j) {
  const powers = [];
  let x = 1n;
  for (let k = 0; k < commitments.length; k++) {
    powers.push(x);
    x = modL(x * BigInt(j));
  }
  return msmPublic(powers, commitments.map((a) => decodeElement(a)));
}

/**
 * Decrypts and checks dealer's share for receiver given their DH value (32 bytes): returns the share, or throws
 * naming what is wrong (no round 2, no share, it does not decrypt, it does not match the commitments). The
 * comparison of share·G with the commitments is over encodings, in constant time.
 */
export function receivedShare(session, n, t, dealer, receiver, r2, dh) {
  if (!r2) throw new Error('no round 2');
  const s = r2.shares.find((x) => x.to === receiver.trustee);
  if (!s) throw new Error('no share');
  const share = decryptShare(session, n, t, dealer.trustee, receiver.trustee, dealer.encryptionKey, receiver.encryptionKey, dh, s.ct);
  const want = encodeElement(committedShare(dealer.commitments, receiver.trustee));
  if (!equalBytes(encodeElement(share === 0n ? ZERO : G.multiply(share)), want)) {
    throw new Error("the share does not match the dealer's commitments");
  }
  return share;
}

// judge says whether a complaint is justified: its DLEQ proof verifies and the share it reveals is bad.
function judge(session, n, t, c, from, against, r2) {
  if (!complaintProofHolds(c, n, t, from, against)) return false;
  try {
    receivedShare(session, n, t, against, from, r2, c.dh);
    return false;
  } catch {
    return true;
  }
}

/** Returns the JSON of a complaint, in the Go implementation's member order. */
export function formatComplaint(c) {
  return goJSON({
    format: FORMAT_COMPLAINT,
    session: c.session,
    trustee: c.trustee,
    against: c.against,
    dh: encodeB64(c.dh),
    proof: { c: encodeB64(encodeScalar(c.proof.c)), s: encodeB64(encodeScalar(c.proof.s)) },
  });
}

/**
 * Returns the JSON of a round-3 statement (SPEC.md 11.6.1): checked ascending, the complaints as their own JSON;
 * an empty list of complaints is the trustee's confirmation.
 */
export function formatRound3(r) {
  const complaints = r.complaints.map(formatComplaint).join(',');
  const head = goJSON({ format: FORMAT_ROUND3, session: r.session, trustee: r.trustee, checked: r.checked });
  return `${head.slice(0, -1)},"complaints":[${complaints}]}`;
}

/** Reads a round-3 statement; every complaint must be its author's, in its session. */
export function parseRound3(text) {
  const j = parseJSON(text, FORMAT_ROUND3, ['session', 'trustee', 'checked', 'complaints']);
  if (!Array.isArray(j.checked) || !j.checked.every(Number.isInteger) || !Array.isArray(j.complaints)) {
    throw new Error(`failed to parse ${FORMAT_ROUND3}: a member has the wrong type`);
  }
  const complaints = j.complaints.map((c, k) => {
    let parsed;
    try {
      parsed = parseComplaint(JSON.stringify(c));
    } catch (e) {
      throw new Error(`complaint ${k + 1}: ${e.message}`);
    }
    if (parsed.session !== j.session || parsed.trustee !== j.trustee) {
      throw new Error(`complaint ${k + 1} is not trustee ${j.trustee}'s in this session`);
    }
    return parsed;
  });
  return { session: j.session, trustee: j.trustee, checked: j.checked, complaints };
}
