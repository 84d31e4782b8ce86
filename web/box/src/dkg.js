// The public checks of the key ceremony (SPEC.md 11.6) that need no share decryption: round 1 messages and their
// Schnorr proofs, complaint proofs, and the joint key and verification keys of a set of qualified trustees.
// Judging a complaint whose proof verifies needs ChaCha20-Poly1305, which this bundle does not carry: qualify says
// so instead of guessing.

import { decodeB64, encodeB64 } from './encoding.js';
import { G, Transcript, ZERO, decodeElement, decodeScalar, encodeElement, encodeScalar, modL, msmPublic } from './group.js';
import { checkMembers } from './ballot.js';
import { MAX_TRUSTEES, checkSession } from './params.js';
import { goJSON } from './json.js';

/** The format names of the ceremony's messages. */
export const FORMAT_ROUND1 = 'tinnhiem-box-dkg-round1/v1';
export const FORMAT_ROUND2 = 'tinnhiem-box-dkg-round2/v1';
export const FORMAT_COMPLAINT = 'tinnhiem-box-dkg-complaint/v1';
export const FORMAT_CEREMONY = 'tinnhiem-box-dkg-result/v1';

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
 * Recomputes the ceremony's outcome from its public messages (SPEC.md 11.6, qualification rules 1 and 2), then
 * Y = Σ A_i0 and Y_j = Σ_i Σ_k j^k·A_ik over QUAL. A complaint whose proof verifies would need its share decrypted
 * to be judged; this implementation refuses such a ceremony rather than judge it wrongly, and a complaint whose
 * proof fails disqualifies its author.
 */
export function qualify(session, n, t, round1, round2, complaints) {
  checkSession(session);
  if (!Number.isInteger(n) || n < 2 || n > MAX_TRUSTEES) throw new Error(`the number of trustees must be between 2 and ${MAX_TRUSTEES}`);
  if (!Number.isInteger(t) || t < 1 || t > n) throw new Error(`the threshold must be between 1 and ${n}`);
  const valid = new Map();
  for (const r of round1) {
    if (!r || valid.has(r.trustee)) continue;
    try {
      verifyRound1(r, session, n, t);
      valid.set(r.trustee, r);
    } catch {
      // an invalid round 1 disqualifies its trustee below
    }
  }
  const byDealer = new Map();
  for (const r of round2) if (r && r.session === session && !byDealer.has(r.trustee)) byDealer.set(r.trustee, r);
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
    if (complaintProofHolds(c, n, t, valid.get(c.trustee), valid.get(c.against))) {
      throw new Error(`failed to qualify trustees: judging the complaint of trustee ${c.trustee} against ${c.against} needs the share decrypted (ChaCha20-Poly1305), which this implementation does not do`);
    }
    if (!reason.has(c.trustee)) reason.set(c.trustee, 'complaint');
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
