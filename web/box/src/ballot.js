// Ballots of SPEC.md 11.2–11.5: exponential ElGamal per option, one disjunctive proof per line that it holds no
// mark or one option, the ballot bytes, the card's signature and the tracker; and the check of all of it.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { decodeB64, encodeB32, encodeB64, equalBytes, fromHex, toHex } from './encoding.js';
import {
  G,
  Point,
  Transcript,
  decodeElement,
  decodeScalar,
  encodeElement,
  encodeScalar,
  eqBit,
  modL,
  msmPublic,
  randomScalar,
  selectBytes,
  systemRandom,
} from './group.js';
import { MAX_LINES, MAX_OPTIONS, deriveCard, makeParams } from './params.js';

/** The format name of a ballot's JSON. */
export const FORMAT_BALLOT = 'tinnhiem-box-ballot/v1';

/** The choice for a paper ballot's line with two or more marks: flagged in x, encrypting no option. */
export const MULTIPLE_MARKS = -1;

/** An error that names the line (1-based, 0 if none) and option (1-based, 0 if none) of a ballot at fault. */
export class BallotError extends Error {
  /** Builds the error; the message starts with the place of the fault, as the Go implementation words it. */
  constructor(line, option, message) {
    super(`${line > 0 ? `line ${line}: ` : ''}${option > 0 ? `option ${option}: ` : ''}${message}`);
    this.name = 'BallotError';
    this.line = line;
    this.option = option;
  }
}

const ZERO32 = new Uint8Array(32);

// d_i = Hs(T("tinnhiem/box/v1/line-weight", ctx, card, u32(k), E(α_1), E(β_1), …, E(α_L), E(β_L), u32(i))). The items
// before u32(i) are the same for every i, so their bytes are built once.
function lineWeights(p, card, k, ct) {
  const t = p.context(new Transcript('tinnhiem/box/v1/line-weight')).bytes(card).u32(k);
  for (const e of ct) t.element(e);
  const d = [];
  for (let i = 1; i <= p.options; i++) d.push(t.clone().u32(i).challenge());
  return d;
}

// c = Hs(T("tinnhiem/box/v1/line-proof", ctx, card, u32(k), u32(|J|), the ciphertexts, E(A_j), E(B_j) for j ∈ J)).
function lineChallenge(p, card, k, ct, commitments) {
  const t = p.context(new Transcript('tinnhiem/box/v1/line-proof')).bytes(card).u32(k).u32(commitments.length / 2);
  for (const e of ct) t.element(e);
  for (const e of commitments) t.element(e);
  return t.challenge();
}

// Z_j = N − d_j·G, Z_0 = N: public values, so variable time (and the branch on j) is harmless.
function zBranch(N, d, j) {
  return j === 0 ? N : N.subtract(G.multiplyUnsafe(d[j - 1]));
}

// proveLine makes the line proof of SPEC.md 11.4 for the real branch choice (0: no mark, i: option i).
//
// The prover knows the randomness, so M = Σ d_i·α_i = ρ·G and N = Σ d_i·β_i = δ·G + ρ·Y with ρ = Σ d_i·r_i and
// δ = d_choice (d_0 = 0). Writing every branch's response as s_j = u_j + c_j·ρ, its commitments are
// A_j = s_j·G − c_j·M = u_j·G and B_j = s_j·Y − c_j·Z_j = u_j·Y − c_j·(δ − d_j)·G: only multiplications of G and Y,
// whose tables are precomputed, and the same formula for every branch. For a simulated branch (c_j, s_j random, as
// step 4 draws them) u_j = s_j − c_j·ρ; for the real one u_j = w, and δ − d_j = 0 makes (A_j, B_j) = (w·G, w·Y).
// The randomness is drawn in the order of step 4 (r_1…r_L, w, then c_j, s_j per branch), so that from the same
// random bytes this gives the same proof as any other implementation of it. Every multiplication with a secret
// scalar is noble's constant-time one, and the real branch is selected byte by byte: neither the work nor the
// control flow depends on the choice.
function proveLine(rand, p, card, k, branches, choice, r, ct) {
  const d = lineWeights(p, card, k, ct);
  let rho = 0n;
  let delta = 0n;
  for (let i = 0; i < r.length; i++) {
    rho = modL(rho + d[i] * r[i]);
    delta += bytesToNumberLE(selectBytes(eqBit(choice, i + 1), encodeScalar(d[i]), ZERO32));
  }
  const w = randomScalar(rand);
  const wb = encodeScalar(w);
  const c = [];
  const s = [];
  const u = [];
  const hints = [];
  for (let j = 0; j < branches; j++) {
    c.push(randomScalar(rand));
    s.push(randomScalar(rand));
    const real = eqBit(j, choice);
    u.push(bytesToNumberLE(selectBytes(real, wb, encodeScalar(modL(s[j] - c[j] * rho)))));
    const e = modL(c[j] * (delta - (j === 0 ? 0n : d[j - 1])));
    // B_j = u_j·Y − e·G, computed as u_j·Y − G + (1 − e)·G: e is 0 on the real branch, and noble's constant-time
    // multiplication takes scalars in [1, ℓ) only.
    hints.push(encodeElement(G.multiply(u[j])), encodeElement(p.Y.multiply(u[j]).subtract(G).add(G.multiply(modL(1n - e)))));
  }
  const ch = lineChallenge(p, card, k, ct, hints);
  let sumSim = 0n;
  for (let j = 0; j < branches; j++) {
    sumSim += bytesToNumberLE(selectBytes(eqBit(j, choice), ZERO32, encodeScalar(c[j])));
  }
  const realCb = encodeScalar(modL(ch - sumSim));
  const cOut = [];
  const sOut = [];
  for (let j = 0; j < branches; j++) {
    const cj = bytesToNumberLE(selectBytes(eqBit(j, choice), realCb, encodeScalar(c[j])));
    cOut.push(cj);
    sOut.push(modL(u[j] + cj * rho));
  }
  return { c: cOut, s: sOut, h: hints };
}

/**
 * Encrypts choices (one per line: 0 for no mark, 1…L for an option, MULTIPLE_MARKS for a paper line with several
 * marks) under the parameters p (from makeParams), proves every line and signs with the card's Ed25519 seed. rand(n)
 * returns n random bytes. The result is a ballot object (formatBallot writes its JSON); its randomness is not kept,
 * unless keep is an array: it then receives, line by line, the L scalars r_i of the line's ciphertexts — what a
 * voter's audit (SPEC.md 11.5.1) reveals. The time it takes does not depend on the choices.
 */
export function encryptBallotWith(rand, p, cardSeed, choices, keep = null) {
  if (!Array.isArray(choices) || choices.length !== p.lines) {
    throw new Error(`failed to encrypt a ballot: ${choices?.length} choices for ${p.lines} lines`);
  }
  const card = ed25519.getPublicKey(cardSeed);
  const ballot = { card, x: [], lines: [], sig: null };
  for (let k = 0; k < p.lines; k++) {
    let choice = choices[k];
    let branches = p.options + 1;
    if (choice === MULTIPLE_MARKS) {
      ballot.x.push(k + 1);
      choice = 0;
      branches = 1;
    } else if (!Number.isInteger(choice) || choice < 0 || choice > p.options) {
      throw new Error(`failed to encrypt a ballot: line ${k + 1}: choice ${choice} is not between 0 and ${p.options}`);
    }
    const r = [];
    const ct = [];
    for (let i = 0; i < p.options; i++) {
      r.push(randomScalar(rand));
      // m_i·G with m_i = 1 for the chosen option only: (1 + m_i)·G − G, a constant-time multiplication by 1 or 2,
      // so that the choice selects no code path.
      const m = BigInt(eqBit(choice, i + 1));
      ct.push(encodeElement(G.multiply(r[i])), encodeElement(G.multiply(1n + m).subtract(G).add(p.Y.multiply(r[i]))));
    }
    if (keep) keep.push(r.slice());
    const proof = proveLine(rand, p, card, k + 1, branches, choice, r, ct);
    ballot.lines.push({ ct, ...proof });
  }
  ballot.sig = ed25519.sign(ballotBytes(p, ballot), cardSeed);
  return ballot;
}

/**
 * Returns the ballot bytes of SPEC.md 11.5, what the card signs and the tracker hashes:
 * T("tinnhiem/box/v1/ballot", ctx, card, u32(|X|), u32(x)…, per line its ciphertexts then S(c_j), S(s_j) per branch).
 * Hints are not part of them: they follow from the rest.
 */
export function ballotBytes(p, ballot) {
  const t = p.context(new Transcript('tinnhiem/box/v1/ballot')).bytes(ballot.card).u32(ballot.x.length);
  for (const k of ballot.x) t.u32(k);
  for (const line of ballot.lines) {
    for (const e of line.ct) t.element(e);
    for (let j = 0; j < line.c.length; j++) {
      t.scalar(line.c[j]);
      if (j < line.s.length) t.scalar(line.s[j]);
    }
  }
  return t.toBytes();
}

/** Returns the tracker, SHA-256 of the ballot bytes, as 32 bytes. */
export function trackerBytes(p, ballot) {
  return sha256(ballotBytes(p, ballot));
}

/** Returns the form of a tracker the voter's phone shows: "TB1" and base32 of its first 15 bytes, 6 groups of 4. */
export function trackerDisplay(tracker) {
  const bytes = typeof tracker === 'string' ? fromHex(tracker) : tracker;
  if (bytes.length !== 32) throw new Error('a tracker is 32 bytes');
  const b32 = encodeB32(bytes.slice(0, 15));
  let out = 'TB1';
  for (let i = 0; i < 24; i += 4) out += '-' + b32.slice(i, i + 4);
  return out;
}

function joinBytes(list) {
  const out = new Uint8Array(32 * list.length);
  list.forEach((b, i) => out.set(b, 32 * i));
  return out;
}

/** Returns a ballot's JSON (SPEC.md 11.5) in the member order of the Go implementation, so the bytes agree. */
export function formatBallot(ballot) {
  const j = { format: FORMAT_BALLOT, card: encodeB64(ballot.card) };
  if (ballot.x.length > 0) j.x = ballot.x;
  j.lines = ballot.lines.map((l) => {
    const lj = {
      ct: encodeB64(joinBytes(l.ct)),
      c: encodeB64(joinBytes(l.c.map(encodeScalar))),
      s: encodeB64(joinBytes(l.s.map(encodeScalar))),
    };
    if (l.h) lj.h = encodeB64(joinBytes(l.h));
    return lj;
  });
  j.sig = encodeB64(ballot.sig);
  return JSON.stringify(j);
}

// checkMembers refuses a JSON object with a member outside allowed or without one of required.
export function checkMembers(obj, what, required, optional = []) {
  const at = what ? `${what}: ` : '';
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${at}not a JSON object`);
  for (const k of Object.keys(obj)) {
    if (!required.includes(k) && !optional.includes(k)) throw new Error(`${at}unknown member "${k}"`);
  }
  for (const k of required) if (!(k in obj)) throw new Error(`${at}member "${k}" is missing`);
}

function cut(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

// member decodes the base64url of a member, naming it in the error.
function member(text, what) {
  try {
    return decodeB64(text);
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
}

function scalars(text, what) {
  const b = member(text, what);
  if (b.length === 0 || b.length % 32 !== 0 || b.length / 32 > MAX_OPTIONS + 1) {
    throw new Error(`${what}: not a list of scalars`);
  }
  return cut(b, 32).map((x, n) => {
    try {
      return decodeScalar(x);
    } catch (e) {
      throw new Error(`${what}: scalar ${n + 1}: ${e.message}`);
    }
  });
}

/**
 * Reads a ballot's JSON (a string): format, members, base64url and scalars are checked here; elements are decoded
 * by verifyBallot, which names the line and option of a bad one. Throws on anything malformed.
 */
export function parseBallot(json) {
  const fail = (m) => new Error(`failed to parse a ballot: ${m}`);
  let j;
  try {
    j = JSON.parse(json);
  } catch (e) {
    throw fail(e.message);
  }
  try {
    checkMembers(j, '', ['format', 'card', 'lines', 'sig'], ['x']);
  } catch (e) {
    throw fail(e.message);
  }
  if (j.format !== FORMAT_BALLOT) throw fail(`the format is not "${FORMAT_BALLOT}"`);
  const card = typeof j.card === 'string' ? safeB64(j.card) : null;
  if (!card || card.length !== 32) throw fail('card: not a 32-byte key');
  const sig = typeof j.sig === 'string' ? safeB64(j.sig) : null;
  if (!sig || sig.length !== 64) throw fail('sig: not a 64-byte signature');
  const x = j.x ?? [];
  if (!Array.isArray(x) || !x.every((k) => Number.isInteger(k))) throw fail('x: not a list of line numbers');
  if (!Array.isArray(j.lines) || j.lines.length === 0 || j.lines.length > MAX_LINES) {
    throw fail(`a ballot has 1 to ${MAX_LINES} lines`);
  }
  const lines = j.lines.map((lj, n) => {
    try {
      checkMembers(lj, '', ['ct', 'c', 's'], ['h']);
      for (const m of ['ct', 'c', 's', 'h']) {
        if (m in lj && typeof lj[m] !== 'string') throw new Error(`${m}: not a string`);
      }
      const ctb = member(lj.ct, 'ct');
      if (ctb.length === 0 || ctb.length % 64 !== 0 || ctb.length / 64 > MAX_OPTIONS) {
        throw new Error('ct: not a list of ciphertexts');
      }
      const c = scalars(lj.c, 'c');
      const s = scalars(lj.s, 's');
      if (s.length !== c.length) throw new Error(`s: ${32 * s.length} bytes, want ${32 * c.length}`);
      const line = { ct: cut(ctb, 32), c, s, h: null };
      if (lj.h !== undefined && lj.h !== '') {
        const h = member(lj.h, 'h');
        if (h.length !== 64 * c.length) throw new Error(`h: ${h.length} bytes, want ${64 * c.length}`);
        line.h = cut(h, 32);
      }
      return line;
    } catch (e) {
      throw fail(`line ${n + 1}: ${e.message}`);
    }
  });
  return { card, x, lines, sig };
}

function safeB64(s) {
  try {
    return decodeB64(s);
  } catch {
    return null;
  }
}

/**
 * Checks a ballot against the parameters (SPEC.md 11.5): K lines of L ciphertexts, x strictly ascending in 1…K (and
 * empty unless allowMultipleMarks, for a paper ballot entered by the committee), the card's signature over the ballot
 * bytes, and every line proof (11.4). Lines with hints have their challenge checked one by one and their equations
 * batched into one multi-scalar multiplication with random 128-bit weights from rand (11.10); lines without are
 * checked alone. Throws a BallotError naming the line and option at fault; returns the decoded ciphertexts
 * ([line][option] {alpha, beta}) of a valid ballot, for summing.
 */
export function verifyBallot(p, ballot, allowMultipleMarks = false, rand = systemRandom) {
  if (ballot.lines.length !== p.lines) throw new BallotError(0, 0, `${ballot.lines.length} lines, want ${p.lines}`);
  const branches = new Array(p.lines).fill(p.options + 1);
  ballot.x.forEach((k, n) => {
    if (!allowMultipleMarks) throw new BallotError(k, 0, 'a ballot cast with a card cannot flag multiple marks');
    if (k < 1 || k > p.lines || (n > 0 && k <= ballot.x[n - 1])) {
      throw new BallotError(0, 0, 'multiple-mark lines must be ascending line numbers');
    }
    branches[k - 1] = 1;
  });
  let sigOK = false;
  try {
    // Strict RFC 8032: canonical encodings of the key and of R, S below the group order.
    sigOK = ed25519.verify(ballot.sig, ballotBytes(p, ballot), ballot.card, { zip215: false });
  } catch {
    sigOK = false;
  }
  if (!sigOK) throw new BallotError(0, 0, "the card's signature does not verify");
  const batch = { points: [], scalars: [], g: 0n, y: 0n };
  const decoded = ballot.lines.map((line, n) => verifyLine(p, ballot.card, n + 1, branches[n], line, batch, rand));
  batch.points.push(G, p.Y);
  batch.scalars.push(modL(batch.g), modL(batch.y));
  if (!pippenger(Point, batch.points, batch.scalars).is0()) {
    // Name the culprit: each line with hints checked alone.
    ballot.lines.forEach((line, n) => {
      if (line.h) verifyLine(p, ballot.card, n + 1, branches[n], line, null, rand);
    });
    throw new BallotError(0, 0, 'the proof that the line holds at most one mark does not verify');
  }
  return decoded;
}

const LINE_PROOF_FAILS = 'the proof that the line holds at most one mark does not verify';

// verifyLine checks one line proof (step 6 of SPEC.md 11.4). Without hints, or without a batch, it recomputes
// A_j = s_j·G − c_j·M and B_j = s_j·Y − c_j·Z_j, requires the hints (if any) to be exactly those values — the same as
// the equations of step 6 — and the challenges to add up to c. With hints and a batch, it checks the challenge over
// the hints here and adds, with random weights z_j, z'_j, the equations
// z_j·(A_j + c_j·M − s_j·G) + z'_j·(B_j + c_j·Z_j − s_j·Y) = 0 to the batch, M and N expanded into the ciphertexts.
function verifyLine(p, card, k, branches, line, batch, rand) {
  if (line.ct.length !== 2 * p.options) {
    throw new BallotError(k, 0, `${line.ct.length / 2} ciphertexts, want ${p.options}`);
  }
  if (line.c.length !== branches || line.s.length !== branches) {
    throw new BallotError(k, 0, `proof has ${line.c.length} challenges and ${line.s.length} responses, want ${branches}`);
  }
  if (line.h && line.h.length !== 2 * branches) {
    throw new BallotError(k, 0, `proof has ${line.h.length} hints, want ${2 * branches}`);
  }
  const alpha = [];
  const beta = [];
  for (let i = 0; i < p.options; i++) {
    try {
      alpha.push(decodeElement(line.ct[2 * i], true));
    } catch (e) {
      throw new BallotError(k, i + 1, `alpha: ${e.message}`);
    }
    try {
      beta.push(decodeElement(line.ct[2 * i + 1], false));
    } catch (e) {
      throw new BallotError(k, i + 1, `beta: ${e.message}`);
    }
  }
  const hints = line.h?.map((h, n) => {
    try {
      return decodeElement(h, false);
    } catch (e) {
      throw new BallotError(k, 0, `hint ${n + 1}: ${e.message}`);
    }
  });
  const d = lineWeights(p, card, k, line.ct);
  let sum = 0n;
  for (let j = 0; j < branches; j++) sum = modL(sum + line.c[j]);
  const decoded = alpha.map((a, i) => ({ alpha: a, beta: beta[i] }));
  if (hints && batch) {
    if (lineChallenge(p, card, k, line.ct, line.h) !== sum) throw new BallotError(k, 0, LINE_PROOF_FAILS);
    let zc = 0n; // Σ z_j·c_j, the coefficient of M
    let zc2 = 0n; // Σ z'_j·c_j, the coefficient of N
    for (let j = 0; j < branches; j++) {
      const z = weight(rand);
      const z2 = weight(rand);
      batch.g -= z * line.s[j] + (j > 0 ? z2 * line.c[j] * d[j - 1] : 0n);
      batch.y -= z2 * line.s[j];
      batch.points.push(hints[2 * j], hints[2 * j + 1]);
      batch.scalars.push(z, z2);
      zc += z * line.c[j];
      zc2 += z2 * line.c[j];
    }
    for (let i = 0; i < p.options; i++) {
      batch.points.push(alpha[i], beta[i]);
      batch.scalars.push(modL(zc * d[i]), modL(zc2 * d[i]));
    }
    return decoded;
  }
  const M = msmPublic(d, alpha);
  const N = msmPublic(d, beta);
  const commitments = [];
  for (let j = 0; j < branches; j++) {
    const negC = modL(-line.c[j]);
    const Z = zBranch(N, d, j);
    commitments.push(
      encodeElement(G.multiplyUnsafe(line.s[j]).add(M.multiplyUnsafe(negC))),
      encodeElement(p.Y.multiplyUnsafe(line.s[j]).add(Z.multiplyUnsafe(negC))),
    );
  }
  if (line.h && !commitments.every((c, n) => equalBytes(c, line.h[n]))) throw new BallotError(k, 0, LINE_PROOF_FAILS);
  if (lineChallenge(p, card, k, line.ct, commitments) !== sum) throw new BallotError(k, 0, LINE_PROOF_FAILS);
  return decoded;
}

// weight draws a uniformly random 128-bit weight for one equation of a batch.
function weight(rand) {
  return bytesToNumberLE(rand(16));
}

/** Returns the ballot's weights d_1…d_L of line k (for the test vectors' line_1_weights). */
export function weightsOfLine(p, ballot, k) {
  return lineWeights(p, ballot.card, k, ballot.lines[k - 1].ct);
}

/**
 * The voter page's call: derives the card key from its code, encrypts the choices (0 for no mark, 1…L for an
 * option, one per line), proves and signs. Returns {ballotJSON, tracker (64 hex digits), trackerDisplay (TB1-…),
 * card (the card public key, base64url)}. The card code and the randomness do not leave this function.
 */
export function encryptBallot({ session, jointKey, lines, options, token, choices }, rand = systemRandom) {
  const p = makeParams({ session, jointKey, lines, options }, true);
  const { seed, publicKey } = deriveCard(session, token);
  try {
    const ballot = encryptBallotWith(rand, p, seed, choices);
    const tracker = trackerBytes(p, ballot);
    return {
      ballotJSON: formatBallot(ballot),
      tracker: toHex(tracker),
      trackerDisplay: trackerDisplay(tracker),
      card: encodeB64(publicKey),
    };
  } finally {
    seed.fill(0);
  }
}

/** The format name of the audit file of a ballot the voter checks instead of casting (SPEC.md 11.5.1). */
export const FORMAT_AUDIT = 'tinnhiem-box-audit/v1';

/**
 * The voter page's call when the voter may check the encryption (Benaloh's challenge): encryptBallot's result, plus
 * audit(cadres), which returns the audit file's JSON (SPEC.md 11.5.1) — the ballot, the randomness of every
 * ciphertext and the cadres as shown ([{id, name, position}]) — and forget(), which erases the randomness. A page
 * either sends ballotJSON and calls forget(), or calls audit() and never sends that ballot: once its randomness is
 * shown, anyone holding the file can read the choices. The card code does not leave this function.
 */
export function encryptBallotAuditable({ session, jointKey, lines, options, token, choices }, rand = systemRandom) {
  const p = makeParams({ session, jointKey, lines, options }, true);
  const { seed, publicKey } = deriveCard(session, token);
  let randomness = [];
  try {
    const ballot = encryptBallotWith(rand, p, seed, choices, randomness);
    const tracker = trackerBytes(p, ballot);
    const ballotJSON = formatBallot(ballot);
    return {
      ballotJSON,
      tracker: toHex(tracker),
      trackerDisplay: trackerDisplay(tracker),
      card: encodeB64(publicKey),
      audit(cadres) {
        if (randomness === null) throw new Error('failed to audit a ballot: its randomness was erased');
        if (!Array.isArray(cadres) || cadres.length !== lines) {
          throw new Error(`failed to audit a ballot: ${cadres?.length} cadres for ${lines} lines`);
        }
        return JSON.stringify({
          format: FORMAT_AUDIT,
          session,
          joint_key: jointKey,
          lines,
          options,
          cadres: cadres.map((c) => ({ id: String(c.id), name: String(c.name), position: String(c.position) })),
          ballot: JSON.parse(ballotJSON),
          randomness: randomness.map((r) => encodeB64(joinBytes(r.map(encodeScalar)))),
          tracker: toHex(tracker),
        });
      },
      forget() {
        randomness = null;
      },
    };
  } finally {
    seed.fill(0);
  }
}

/**
 * Opens an audit file (SPEC.md 11.5.1) without any trustee, as `tinnhiem-verify benaloh` does: checks the file's
 * members, that the ballot is valid for its session, and per line and option that α = r·G and β − r·Y ∈ {0, G}.
 * Returns {session, tracker (hex, recomputed), trackerDisplay, trackerMatches, options, lines: [{id, name,
 * position, marks: [option numbers]}]}; throws an Error naming the line and option at fault when the randomness does
 * not open the ballot, or when the file or the ballot is malformed or invalid.
 */
export function openAudited(auditJSON) {
  const fail = (m) => new Error(`failed to open the audit file: ${m}`);
  let a;
  try {
    a = JSON.parse(auditJSON);
  } catch (e) {
    throw fail(e.message);
  }
  checkMembers(a, 'audit file', ['format', 'session', 'joint_key', 'lines', 'options', 'cadres', 'ballot', 'randomness', 'tracker']);
  if (a.format !== FORMAT_AUDIT) throw fail(`the format is not "${FORMAT_AUDIT}"`);
  if (!Number.isInteger(a.lines) || !Number.isInteger(a.options)) throw fail('lines and options must be integers');
  const p = makeParams({ session: a.session, jointKey: a.joint_key, lines: a.lines, options: a.options });
  if (!Array.isArray(a.cadres) || a.cadres.length !== a.lines) throw fail(`cadres: want one per line (${a.lines})`);
  a.cadres.forEach((c, n) => checkMembers(c, `cadre ${n + 1}`, ['id', 'name', 'position']));
  if (!Array.isArray(a.randomness) || a.randomness.length !== a.lines) throw fail(`randomness: want ${a.lines} lines`);
  if (typeof a.tracker !== 'string' || !/^[0-9a-f]{64}$/.test(a.tracker)) throw fail('tracker: not 64 lowercase hex digits');
  const ballot = parseBallot(JSON.stringify(a.ballot));
  verifyBallot(p, ballot);
  const lines = ballot.lines.map((line, k) => {
    let r;
    try {
      r = cut(member(String(a.randomness[k]), 'randomness'), 32);
    } catch (e) {
      throw new BallotError(k + 1, 0, e.message);
    }
    if (r.length !== p.options || r.some((x) => x.length !== 32)) throw new BallotError(k + 1, 0, `randomness: want ${p.options} scalars`);
    const marks = [];
    for (let i = 0; i < p.options; i++) {
      let ri;
      try {
        ri = decodeScalar(r[i]);
      } catch (e) {
        throw new BallotError(k + 1, i + 1, `randomness: ${e.message}`);
      }
      const alpha = decodeElement(line.ct[2 * i], true);
      const beta = decodeElement(line.ct[2 * i + 1], false);
      if (!G.multiplyUnsafe(ri).equals(alpha)) {
        throw new BallotError(k + 1, i + 1, 'alpha is not r·G: the randomness does not belong to this ciphertext');
      }
      const m = beta.subtract(p.Y.multiplyUnsafe(ri));
      if (m.equals(G)) marks.push(i + 1);
      else if (!m.is0()) throw new BallotError(k + 1, i + 1, 'β − r·Y is neither 0 nor G: the ciphertext encrypts no valid mark');
    }
    const c = a.cadres[k];
    return { id: String(c.id), name: String(c.name), position: String(c.position), marks };
  });
  const tracker = trackerBytes(p, ballot);
  return {
    session: a.session,
    tracker: toHex(tracker),
    trackerDisplay: trackerDisplay(tracker),
    trackerMatches: toHex(tracker) === a.tracker,
    options: p.options,
    lines,
  };
}
