// The counting side of SPEC.md 11.7–11.9: the encrypted tally, partial decryptions (made and checked), their
// combination with Lagrange coefficients and the check of a result.

import { decodeB64, encodeB64 } from './encoding.js';
import {
  G,
  Transcript,
  ZERO,
  decodeElement,
  decodeScalar,
  encodeElement,
  encodeScalar,
  invertL,
  modL,
  msmPublic,
  randomScalar,
  systemRandom,
} from './group.js';
import { checkMembers } from './ballot.js';
import { goJSON } from './json.js';

/** The format names of the messages of this file. */
export const FORMAT_TALLY = 'tinnhiem-box-tally/v1';
export const FORMAT_PARTIAL = 'tinnhiem-box-partial/v1';
export const FORMAT_RESULT = 'tinnhiem-box-result/v1';
export const FORMAT_TRUSTEE_KEY = 'tinnhiem-box-trustee-key/v1';

function parseJSON(text, format, required, optional = []) {
  let j;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`failed to parse ${format}: ${e.message}`);
  }
  try {
    checkMembers(j, '', ['format', ...required], optional);
  } catch (e) {
    throw new Error(`failed to parse ${format}: ${e.message}`);
  }
  if (j.format !== format) throw new Error(`failed to parse ${format}: the format is not "${format}"`);
  return j;
}

function isCount(n) {
  return Number.isInteger(n) && n >= 0;
}

function cut(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

function join(list) {
  const out = new Uint8Array(32 * list.length);
  list.forEach((b, i) => out.set(b, 32 * i));
  return out;
}

/**
 * Adds up the ciphertexts of verified ballots (the values verifyBallot returns, one list per ballot, with each
 * ballot's x), per line and option: the encrypted tally of SPEC.md 11.7 with every element encoded.
 */
export function sumBallots(p, verified) {
  const acc = [];
  for (let k = 0; k < p.lines; k++) {
    acc.push(Array.from({ length: p.options }, () => ({ alpha: ZERO, beta: ZERO })));
  }
  const multipleMarks = new Array(p.lines).fill(0);
  for (const { lines, x } of verified) {
    lines.forEach((line, k) =>
      line.forEach((ct, i) => {
        acc[k][i] = { alpha: acc[k][i].alpha.add(ct.alpha), beta: acc[k][i].beta.add(ct.beta) };
      }),
    );
    for (const k of x) multipleMarks[k - 1]++;
  }
  return {
    session: p.session,
    ballots: verified.length,
    lines: acc.map((line) => line.map((ct) => ({ alpha: encodeElement(ct.alpha), beta: encodeElement(ct.beta) }))),
    multipleMarks,
  };
}

/** Returns the JSON of an encrypted tally, in the Go implementation's member order. */
export function formatTally(t) {
  return goJSON({
    format: FORMAT_TALLY,
    session: t.session,
    ballots: t.ballots,
    lines: t.lines.map((line) => encodeB64(join(line.flatMap((ct) => [ct.alpha, ct.beta])))),
    multiple_marks: t.multipleMarks,
  });
}

/** Reads an encrypted tally's JSON; every element must be canonical. */
export function parseTally(text) {
  const j = parseJSON(text, FORMAT_TALLY, ['session', 'ballots', 'lines', 'multiple_marks']);
  if (typeof j.session !== 'string' || !isCount(j.ballots) || !Array.isArray(j.lines) || !Array.isArray(j.multiple_marks)) {
    throw new Error(`failed to parse ${FORMAT_TALLY}: a member has the wrong type`);
  }
  const lines = j.lines.map((s, k) => {
    const b = typeof s === 'string' ? decodeB64(s) : new Uint8Array(0);
    if (b.length === 0 || b.length % 64 !== 0) {
      throw new Error(`failed to parse the tally: line ${k + 1}: not a list of ciphertexts`);
    }
    const pts = cut(b, 32);
    pts.forEach((e, n) => {
      try {
        decodeElement(e);
      } catch (err) {
        throw new Error(`failed to parse the tally: line ${k + 1}: element ${n + 1}: ${err.message}`);
      }
    });
    const out = [];
    for (let i = 0; i < pts.length; i += 2) out.push({ alpha: pts[i], beta: pts[i + 1] });
    return out;
  });
  if (!j.multiple_marks.every(isCount)) throw new Error('failed to parse the tally: multiple_marks: not counts');
  return { session: j.session, ballots: j.ballots, lines, multipleMarks: j.multiple_marks };
}

function checkTally(p, t) {
  if (t.session !== p.session) throw new Error('the tally is of another session');
  if (t.lines.length !== p.lines || t.multipleMarks.length !== p.lines) {
    throw new Error("the tally does not have the session's shape");
  }
  t.lines.forEach((line, k) => {
    if (line.length !== p.options) throw new Error(`tally line ${k + 1} has ${line.length} options`);
    if (t.multipleMarks[k] > t.ballots) throw new Error(`tally line ${k + 1}: multiple marks out of range`);
  });
}

// c = Hs(T("tinnhiem/box/v1/partial-decryption", ctx, u32(j), E(Y_j), u32(k), u32(i), E(α), E(β), E(D), E(R1), E(R2))).
function partialChallenge(p, j, yj, k, i, ct, d, r1, r2) {
  const t = p.context(new Transcript('tinnhiem/box/v1/partial-decryption'));
  t.u32(j).element(yj).u32(k).u32(i).element(ct.alpha).element(ct.beta).element(d).element(r1).element(r2);
  return t.challenge();
}

/** An error naming the trustee, line and option (0 when not about one share) of a partial that does not verify. */
export class PartialError extends Error {
  /** Builds the error with the place of the fault first. */
  constructor(trustee, line, option, message) {
    super(`trustee ${trustee}: ${line > 0 ? `line ${line}: option ${option}: ` : ''}${message}`);
    this.name = 'PartialError';
    this.trustee = trustee;
    this.line = line;
    this.option = option;
  }
}

/** Reads a trustee's key share file (tinnhiem-box-trustee-key/v1). */
export function parseTrusteeKey(text) {
  const j = parseJSON(text, FORMAT_TRUSTEE_KEY, ['session', 'trustee', 'joint_key', 'secret']);
  if (typeof j.session !== 'string' || !isCount(j.trustee)) throw new Error('failed to parse a trustee key: wrong type');
  return {
    session: j.session,
    trustee: j.trustee,
    jointKey: decodeElement(decodeB64(j.joint_key), true).toBytes(),
    secret: decodeScalar(decodeB64(j.secret)),
  };
}

/**
 * Computes trustee key.trustee's partial decryption of every sum of the tally, D = x_j·α, each with its DLEQ proof
 * (SPEC.md 11.8). The key share is multiplied in constant time; it never leaves this function.
 */
export function partialDecrypt(p, key, tally, rand = systemRandom) {
  if (key.session !== p.session || encodeB64(key.jointKey) !== encodeB64(p.jointKey)) {
    throw new Error('failed to decrypt partially: the key share is of another session or joint key');
  }
  checkTally(p, tally);
  const x = key.secret;
  const yj = encodeElement(G.multiply(x));
  return {
    session: p.session,
    trustee: key.trustee,
    lines: tally.lines.map((line, k) => {
      const out = { d: [], c: [], s: [] };
      line.forEach((ct, i) => {
        const alpha = decodeElement(ct.alpha);
        const d = encodeElement(alpha.is0() ? ZERO : alpha.multiply(x));
        const w = randomScalar(rand);
        const r1 = encodeElement(G.multiply(w));
        const r2 = encodeElement(alpha.is0() ? ZERO : alpha.multiply(w));
        const c = partialChallenge(p, key.trustee, yj, k + 1, i + 1, ct, d, r1, r2);
        out.d.push(d);
        out.c.push(c);
        out.s.push(modL(w + c * x));
      });
      return out;
    }),
  };
}

/** Returns the JSON of a partial decryption, in the Go implementation's member order. */
export function formatPartial(part) {
  return goJSON({
    format: FORMAT_PARTIAL,
    session: part.session,
    trustee: part.trustee,
    lines: part.lines.map((l) => ({
      d: encodeB64(join(l.d)),
      c: encodeB64(join(l.c.map(encodeScalar))),
      s: encodeB64(join(l.s.map(encodeScalar))),
    })),
  });
}

/** Reads a partial decryption's JSON; elements and scalars must be canonical. */
export function parsePartial(text) {
  const j = parseJSON(text, FORMAT_PARTIAL, ['session', 'trustee', 'lines']);
  if (typeof j.session !== 'string' || !isCount(j.trustee) || !Array.isArray(j.lines)) {
    throw new Error(`failed to parse ${FORMAT_PARTIAL}: a member has the wrong type`);
  }
  const lines = j.lines.map((lj, k) => {
    const fail = (m) => new Error(`failed to parse a partial decryption: line ${k + 1}: ${m}`);
    try {
      checkMembers(lj, '', ['d', 'c', 's']);
    } catch (e) {
      throw fail(e.message);
    }
    const d = decodeB64(lj.d);
    const c = decodeB64(lj.c);
    const s = decodeB64(lj.s);
    if (d.length === 0 || d.length % 32 !== 0) throw fail('d: not a list of elements');
    if (c.length !== d.length || s.length !== d.length) throw fail('c, s: one scalar per element');
    const ds = cut(d, 32);
    ds.forEach((e, n) => {
      try {
        decodeElement(e);
      } catch (err) {
        throw fail(`d: element ${n + 1}: ${err.message}`);
      }
    });
    const sc = (b, what) =>
      cut(b, 32).map((x, n) => {
        try {
          return decodeScalar(x);
        } catch (err) {
          throw fail(`${what}: scalar ${n + 1}: ${err.message}`);
        }
      });
    return { d: ds, c: sc(c, 'c'), s: sc(s, 's') };
  });
  return { session: j.session, trustee: j.trustee, lines };
}

/**
 * Checks a partial decryption against the trustee's verification key (from the ceremony) and the tally: for every
 * share, R1 = s·G − c·Y_j and R2 = s·α − c·D give back c. Throws a PartialError naming the share at fault.
 */
export function verifyPartial(p, ceremony, tally, part) {
  checkTally(p, tally);
  const fail = (k, i, m) => new PartialError(part.trustee, k, i, m);
  if (ceremony.session !== p.session || encodeB64(ceremony.jointKey) !== encodeB64(p.jointKey)) {
    throw fail(0, 0, "the ceremony is not the session's");
  }
  if (part.session !== p.session) throw fail(0, 0, 'the partial decryption is of another session');
  const vk = ceremony.verificationKeys.find((v) => v.trustee === part.trustee);
  if (!vk) throw fail(0, 0, 'not a qualified trustee');
  const yj = decodeElement(vk.key);
  if (part.lines.length !== p.lines) throw fail(0, 0, `${part.lines.length} lines, want ${p.lines}`);
  tally.lines.forEach((line, k) => {
    const pl = part.lines[k];
    if (pl.d.length !== p.options || pl.c.length !== p.options || pl.s.length !== p.options) {
      throw fail(k + 1, 0, `${pl.d.length} shares, want ${p.options}`);
    }
    line.forEach((ct, i) => {
      let alpha;
      let d;
      try {
        alpha = decodeElement(ct.alpha);
        d = decodeElement(pl.d[i]);
      } catch (e) {
        throw fail(k + 1, i + 1, e.message);
      }
      const c = pl.c[i];
      const s = pl.s[i];
      const negC = modL(-c);
      const r1 = encodeElement(G.multiplyUnsafe(s).add(yj.multiplyUnsafe(negC)));
      const r2 = encodeElement(alpha.multiplyUnsafe(s).add(d.multiplyUnsafe(negC)));
      if (partialChallenge(p, part.trustee, vk.key, k + 1, i + 1, ct, pl.d[i], r1, r2) !== c) {
        throw fail(k + 1, i + 1, 'the proof of the decryption share does not verify');
      }
    });
  });
}

/** Returns λ_j = Π_{m∈S, m≠j} m·(m − j)^(−1) mod ℓ for every j of the set S (trustee numbers). */
export function lagrange(set) {
  return set.map((j) => {
    let num = 1n;
    let den = 1n;
    for (const m of set) {
      if (m === j) continue;
      num = modL(num * BigInt(m));
      den = modL(den * BigInt(m - j));
    }
    return modL(num * invertL(den));
  });
}

// decryptedPoints returns n_ki·G = β_ki − Σ λ_j·D_jki for every sum, line by line.
function decryptedPoints(p, tally, set, parts) {
  const lambda = lagrange(set);
  return tally.lines.map((line, k) =>
    line.map((ct, i) => {
      const ds = set.map((j) => decodeElement(parts.get(j).lines[k].d[i]));
      return decodeElement(ct.beta).subtract(msmPublic(lambda, ds));
    }),
  );
}

// discreteLog solves n·G = P for 0 ≤ n ≤ max by baby-step giant-step (public data: variable time is harmless).
function discreteLog(max) {
  let m = 1;
  while (m * m < max + 1) m++;
  const baby = new Map();
  let e = ZERO;
  for (let j = 0; j < m; j++) {
    baby.set(encodeB64(encodeElement(e)), j);
    e = e.add(G);
  }
  const giant = G.multiplyUnsafe(BigInt(m)).negate();
  return (P) => {
    let q = P;
    for (let s = 0; s * m <= max; s++) {
      const j = baby.get(encodeB64(encodeElement(q)));
      if (j !== undefined) {
        const n = s * m + j;
        return n <= max ? n : -1;
      }
      q = q.add(giant);
    }
    return -1;
  };
}

/**
 * Checks every partial, leaves out those that fail, combines the t smallest valid trustee numbers with Lagrange
 * coefficients and solves the counts (SPEC.md 11.9). Returns {result, bad} (bad: the PartialErrors of the left-out
 * partials); throws when fewer than t partials are valid or a sum decrypts to no count.
 */
export function combine(p, ceremony, tally, partials) {
  const bad = [];
  const good = new Map();
  for (const part of partials) {
    if (!part || good.has(part.trustee)) continue;
    try {
      verifyPartial(p, ceremony, tally, part);
      good.set(part.trustee, part);
    } catch (e) {
      if (!(e instanceof PartialError)) throw e;
      bad.push(e);
    }
  }
  if (good.size < ceremony.t) {
    throw new Error(`failed to combine partial decryptions: ${good.size} valid partial decryptions, ${ceremony.t} needed`);
  }
  const set = [...good.keys()].sort((a, b) => a - b).slice(0, ceremony.t);
  const points = decryptedPoints(p, tally, set, good);
  const solve = discreteLog(tally.ballots);
  const lines = points.map((line, k) => {
    const counts = line.map((P, i) => {
      const n = solve(P);
      if (n < 0) {
        throw new Error(`failed to combine partial decryptions: line ${k + 1}, option ${i + 1}: no count between 0 and ${tally.ballots}`);
      }
      return n;
    });
    const sum = counts.reduce((a, b) => a + b, 0);
    if (sum > tally.ballots) throw new Error(`failed to combine partial decryptions: line ${k + 1}: counts exceed the ballots`);
    return { counts, invalid: tally.ballots - sum, multipleMarks: tally.multipleMarks[k] };
  });
  return { result: { session: p.session, ballots: tally.ballots, trustees: set, lines }, bad };
}

/** Returns the JSON of a result, in the Go implementation's member order. */
export function formatResult(r) {
  return goJSON({
    format: FORMAT_RESULT,
    session: r.session,
    ballots: r.ballots,
    trustees: r.trustees,
    lines: r.lines.map((l) => ({ counts: l.counts, invalid: l.invalid, multiple_marks: l.multipleMarks })),
  });
}

/** Reads a result's JSON. */
export function parseResult(text) {
  const j = parseJSON(text, FORMAT_RESULT, ['session', 'ballots', 'trustees', 'lines']);
  if (typeof j.session !== 'string' || !isCount(j.ballots) || !Array.isArray(j.trustees) || !Array.isArray(j.lines)) {
    throw new Error(`failed to parse ${FORMAT_RESULT}: a member has the wrong type`);
  }
  return {
    session: j.session,
    ballots: j.ballots,
    trustees: j.trustees,
    lines: j.lines.map((l, k) => {
      checkMembers(l, `result line ${k + 1}`, ['counts', 'invalid', 'multiple_marks']);
      if (!Array.isArray(l.counts) || !l.counts.every(Number.isInteger) || !Number.isInteger(l.invalid) || !Number.isInteger(l.multiple_marks)) {
        throw new Error(`failed to parse ${FORMAT_RESULT}: line ${k + 1}: counts must be integers`);
      }
      return { counts: l.counts, invalid: l.invalid, multipleMarks: l.multiple_marks };
    }),
  };
}

/**
 * Checks a result against the tally and its trustees' partials (SPEC.md 11.9): t trustees in ascending order, each
 * partial verifies, n_ki·G + Σ λ_j·D_jki = β_ki for every count, invalid = V − Σ n_ki and the tally's multiple marks.
 */
export function verifyResult(p, ceremony, tally, partials, res) {
  checkTally(p, tally);
  const fail = (m) => new Error(`failed to verify the result: ${m}`);
  if (res.session !== p.session || res.ballots !== tally.ballots || res.lines.length !== p.lines) {
    throw fail('it is not of this tally');
  }
  if (res.trustees.length !== ceremony.t || res.trustees.some((j, n) => n > 0 && j <= res.trustees[n - 1])) {
    throw fail(`it must name ${ceremony.t} distinct trustees in ascending order`);
  }
  const parts = new Map();
  for (const part of partials) if (part && !parts.has(part.trustee)) parts.set(part.trustee, part);
  for (const j of res.trustees) {
    if (!parts.has(j)) throw fail(`the partial decryption of trustee ${j} is missing`);
    verifyPartial(p, ceremony, tally, parts.get(j));
  }
  const points = decryptedPoints(p, tally, res.trustees, parts);
  res.lines.forEach((rl, k) => {
    if (rl.counts.length !== p.options) throw fail(`line ${k + 1} has ${rl.counts.length} counts`);
    let sum = 0;
    rl.counts.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 0 || n > tally.ballots) throw fail(`line ${k + 1}, option ${i + 1}: count out of range`);
      if (!G.multiplyUnsafe(BigInt(n)).equals(points[k][i])) {
        throw fail(`line ${k + 1}, option ${i + 1}: the count is not what the sum decrypts to`);
      }
      sum += n;
    });
    if (sum > tally.ballots || rl.invalid !== tally.ballots - sum || rl.multipleMarks !== tally.multipleMarks[k]) {
      throw fail(`line ${k + 1}: invalid or multiple-mark count is wrong`);
    }
  });
}
