// The public parameters of an encrypted session and the card codes (SPEC.md sections 1, 4.1, 11.1 and 11.3).

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { decodeB64, utf8 } from './encoding.js';
import { Transcript, decodeElement, eqBit } from './group.js';

/** K, the most lines (cadres) a ballot may have. */
export const MAX_LINES = 1000;
/** L, the most options a line may have. */
export const MAX_OPTIONS = 16;
/** n, the most trustees a ceremony may have. */
export const MAX_TRUSTEES = 64;

/** Refuses a session ID that is not 1 to 256 bytes of UTF-8 without control characters (SPEC.md 4.1). */
export function checkSession(session) {
  if (typeof session !== 'string' || session === '') throw new Error('session must be 1 to 256 bytes of UTF-8');
  const b = utf8(session);
  if (b.length > 256) throw new Error('session must be 1 to 256 bytes of UTF-8');
  for (const ch of session) {
    const c = ch.codePointAt(0);
    if (c < 0x20 || c === 0x7f) throw new Error('session must not hold control characters');
  }
}

/**
 * Checks and decodes the parameters {session, jointKey, lines, options} of SPEC.md 11.1 (jointKey as base64url or
 * 32 bytes). The result carries the decoded joint key (precomputed for many multiplications when precompute is set)
 * and appends the election context ctx to a transcript; a ballot made under one result is refused under any other.
 */
export function makeParams({ session, jointKey, lines, options }, precompute = false) {
  checkSession(session);
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) {
    throw new Error(`lines must be between 1 and ${MAX_LINES}, got ${lines}`);
  }
  if (!Number.isInteger(options) || options < 1 || options > MAX_OPTIONS) {
    throw new Error(`options must be between 1 and ${MAX_OPTIONS}, got ${options}`);
  }
  const keyBytes = typeof jointKey === 'string' ? decodeB64(jointKey) : jointKey;
  let Y;
  try {
    Y = decodeElement(keyBytes, true);
  } catch (e) {
    throw new Error(`joint key: ${e.message}`);
  }
  if (precompute) Y = cachedKey(keyBytes, Y);
  return {
    session,
    jointKey: Uint8Array.from(keyBytes),
    Y,
    lines,
    options,
    /** Appends ctx = session, E(Y), u32(K), u32(L). */
    context(t) {
      t.str(session).element(keyBytes).u32(lines).u32(options);
      return t;
    },
  };
}

// A joint key is used for several scalar multiplications per line; a precomputed table makes each of them as
// cheap as a multiplication of the generator. The table is kept for the last key only (a page votes in one
// session), and warming it up early (prepare) moves its cost out of the moment the voter presses "send".
let cached = { key: '', point: null };

function cachedKey(keyBytes, Y) {
  const id = Array.from(keyBytes).join(',');
  if (cached.key !== id) {
    Y.precompute(8, false);
    cached = { key: id, point: Y };
  }
  return cached.point;
}

// inRange is 1 when lo ≤ c ≤ hi and 0 otherwise, for 0 ≤ c < 2^16, without a branch.
function inRange(c, lo, hi) {
  return (((c - lo) | (hi - c)) >>> 31) ^ 1;
}

// canonicalTokenBytes maps a card code (a secret) to its canonical form as ASCII bytes: case, spaces, tabs and '-'
// ignored, then 32 characters of A–Z2–7. Every character is classified and copied with arithmetic, not branches:
// each is written at the current end and the end moves on unless it was a separator, so that a separator is
// overwritten by what follows. Only the verdict (valid or not) is branched on.
function canonicalTokenBytes(code) {
  if (typeof code !== 'string') throw new Error('a card code is text');
  const out = new Uint8Array(code.length + 1);
  let n = 0;
  let bad = 0;
  for (let i = 0; i < code.length; i++) {
    let c = code.charCodeAt(i);
    const sep = eqBit(c, 0x20) | eqBit(c, 0x09) | eqBit(c, 0x2d);
    c -= 32 * inRange(c, 0x61, 0x7a);
    bad |= 1 ^ (sep | inRange(c, 0x41, 0x5a) | inRange(c, 0x32, 0x37));
    out[n] = c;
    n += 1 ^ sep;
  }
  if (bad !== 0) throw new Error('a card code holds only the letters A-Z and digits 2-7');
  if (n !== 32) throw new Error(`a card code has 32 characters, got ${n}`);
  return out.slice(0, 32);
}

/** Returns the canonical form of a card code: case, spaces, tabs and '-' ignored, then 32 base32 characters. */
export function canonicalToken(code) {
  return String.fromCharCode(...canonicalTokenBytes(code));
}

/**
 * Derives a card's Ed25519 key from its code (SPEC.md 11.3): the seed is the first 32 bytes of
 * SHA-512(T("tinnhiem/box/v1/card-key", session, token)). The key depends on the session, so one code signs
 * nothing valid in another session. Returns {seed, publicKey}; the seed is the secret and stays on the phone.
 */
export function deriveCard(session, code) {
  checkSession(session);
  const token = canonicalTokenBytes(code);
  const t = new Transcript('tinnhiem/box/v1/card-key').str(session).bytes(token);
  const bytes = t.toBytes();
  const seed = sha512(bytes).slice(0, 32);
  bytes.fill(0);
  token.fill(0);
  return { seed, publicKey: ed25519.getPublicKey(seed) };
}
