// The group of SPEC.md 11.1 (ristretto255 from @noble/curves), its canonical encodings, transcripts, hashing to
// scalars, randomness, and the branch-free selections that keep the voter's choice out of the control flow.

import { ristretto255 } from '@noble/curves/ed25519.js';
import { mod } from '@noble/curves/abstract/modular.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, u32, utf8 } from './encoding.js';

/** The ristretto255 point class: every element of this package is one of these. */
export const Point = ristretto255.Point;

/** ℓ, the prime order of the group. */
export const ORDER = Point.Fn.ORDER;

/** The generator G of RFC 9496. */
export const G = Point.BASE;

/** The identity element. */
export const ZERO = Point.ZERO;

/**
 * Decodes a canonical 32-byte element (RFC 9496 §4.3.1); any other length or a non-canonical encoding is refused,
 * and so is the identity when nonIdentity is set.
 */
export function decodeElement(bytes, nonIdentity = false) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('not a 32-byte element');
  let p;
  try {
    p = Point.fromBytes(bytes);
  } catch {
    throw new Error('not a canonical encoding');
  }
  if (nonIdentity && p.is0()) throw new Error('the identity element is not allowed here');
  return p;
}

/** Returns E(P), the 32-byte canonical encoding of an element. */
export function encodeElement(p) {
  return p.toBytes();
}

/** Decodes a 32-byte little-endian scalar, refusing x ≥ ℓ. */
export function decodeScalar(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('not a 32-byte scalar');
  const x = bytesToNumberLE(bytes);
  if (x >= ORDER) throw new Error('not a canonical encoding');
  return x;
}

/** Returns S(x), 32 bytes little-endian, for 0 ≤ x < ℓ. */
export function encodeScalar(x) {
  return numberToBytesLE(x, 32);
}

/** Reduces any integer modulo ℓ into [0, ℓ). */
export function modL(x) {
  return mod(x, ORDER);
}

/** Returns x^(−1) mod ℓ for x ≠ 0 mod ℓ (public values only: Lagrange coefficients). */
export function invertL(x) {
  return Point.Fn.inv(modL(x));
}

/** Hs of SPEC.md 11.1: SHA-512 of the bytes, read as a little-endian integer and reduced mod ℓ. */
export function hashToScalar(bytes) {
  return mod(bytesToNumberLE(sha512(bytes)), ORDER);
}

/**
 * A transcript T(tag, x1, …, xm) of SPEC.md 11.1: every item framed by its u32 length, so that no two lists of items
 * give the same bytes. Items are byte strings; helpers frame text, integers, elements and scalars.
 */
export class Transcript {
  /** Starts a transcript with its tag (text). */
  constructor(tag) {
    this.parts = [];
    this.str(tag);
  }

  /** Appends one framed byte string. */
  bytes(b) {
    this.parts.push(u32(b.length), b);
    return this;
  }

  /** Appends text as UTF-8. */
  str(s) {
    return this.bytes(utf8(s));
  }

  /** Appends u32(n) as an item (itself framed: 4 bytes of length, then 4 bytes of value). */
  u32(n) {
    return this.bytes(u32(n));
  }

  /** Appends E(P) for a point, or 32 bytes that already are an encoding. */
  element(p) {
    return this.bytes(p instanceof Uint8Array ? p : encodeElement(p));
  }

  /** Appends S(x). */
  scalar(x) {
    return this.bytes(encodeScalar(x));
  }

  /** Returns a transcript holding the same items, to which more can be added without changing this one. */
  clone() {
    const t = Object.create(Transcript.prototype);
    t.parts = this.parts.slice();
    return t;
  }

  /** Returns the transcript's bytes. */
  toBytes() {
    return concat(...this.parts);
  }

  /** Returns Hs(T). */
  challenge() {
    return hashToScalar(this.toBytes());
  }
}

/** The default randomness: the platform's cryptographic source (crypto.getRandomValues). */
export function systemRandom(n) {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call; every draw here is far smaller.
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** Draws a random scalar: 64 bytes from rand, little-endian, reduced mod ℓ (SPEC.md 11.1). */
export function randomScalar(rand) {
  const b = rand(64);
  if (!(b instanceof Uint8Array) || b.length !== 64) throw new Error('failed to read randomness: short read');
  const x = mod(bytesToNumberLE(b), ORDER);
  b.fill(0);
  return x;
}

/** Returns 1 when the small non-negative integers a and b are equal and 0 otherwise, without a branch. */
export function eqBit(a, b) {
  return ((a ^ b) - 1) >>> 31;
}

/** Returns a copy of a when bit is 1 and of b when bit is 0, equal lengths, without a branch on bit. */
export function selectBytes(bit, a, b) {
  const mask = -bit & 0xff;
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i] ^ (mask & (a[i] ^ b[i]));
  return out;
}

/** Returns Σ scalars[i]·points[i] in variable time: for public data only (verification, sums of public values). */
export function msmPublic(scalars, points) {
  let acc = ZERO;
  for (let i = 0; i < points.length; i++) acc = acc.add(points[i].multiplyUnsafe(modL(scalars[i])));
  return acc;
}
