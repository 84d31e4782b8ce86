// Paper ballots entered by the counting committee (SPEC.md 11.5.2): the marks a paper shows are encrypted with the
// card printed on it, every random scalar drawn from a stream keyed by K_paper, so that two members who enter the
// same paper make byte-identical ballots and the server compares their trackers without seeing any mark.

import { sha512 } from '@noble/hashes/sha2.js';
import { encodeB64, toHex } from './encoding.js';
import { Transcript } from './group.js';
import { deriveCard, makeParams } from './params.js';
import { MULTIPLE_MARKS, encryptBallotWith, formatBallot, trackerBytes, trackerDisplay } from './ballot.js';

/** The protocol tag of the paper-entry key. */
export const PAPER_TAG = 'tinnhiem/paper-entry/v1';

/**
 * Returns, per line, the ascending options marked: a choice is 0 (no mark), an option 1…L, or an array of the
 * options ticked (none, one, or several: a multiple-mark line). Throws on anything else.
 */
export function paperMarks(p, choices) {
  if (!Array.isArray(choices) || choices.length !== p.lines) {
    throw new Error(`failed to read a paper ballot: ${choices?.length} lines of marks for ${p.lines} lines`);
  }
  return choices.map((c, k) => {
    const m = Array.isArray(c) ? c.slice() : c === 0 ? [] : [c];
    m.forEach((o, i) => {
      if (!Number.isInteger(o) || o < 1 || o > p.options || m.indexOf(o) !== i) {
        throw new Error(`failed to read a paper ballot: line ${k + 1}: mark ${o} is not an option between 1 and ${p.options}, or repeated`);
      }
    });
    return m.sort((a, b) => a - b);
  });
}

/** Returns K_paper = SHA-512(T(PAPER_TAG, session, seed, u32(K), per line u32(|M_k|), u32(m)… ascending)). */
export function paperKey(p, seed, marks) {
  const t = new Transcript(PAPER_TAG).str(p.session).bytes(seed).u32(marks.length);
  for (const m of marks) {
    t.u32(m.length);
    for (const o of m) t.u32(o);
  }
  return sha512(t.toBytes());
}

/** Returns rand(n) reading the blocks SHA-512(T(PAPER_TAG + "/stream", key, u32(i))), i = 0, 1, …, in order. */
export function paperStream(key) {
  let n = 0;
  let buf = new Uint8Array(0);
  return (len) => {
    while (buf.length < len) {
      const block = sha512(new Transcript(`${PAPER_TAG}/stream`).bytes(key).u32(n++).toBytes());
      const next = new Uint8Array(buf.length + block.length);
      next.set(buf);
      next.set(block, buf.length);
      buf = next;
    }
    const out = buf.slice(0, len);
    buf = buf.slice(len);
    return out;
  };
}

/**
 * Encrypts a paper ballot as the Go implementation's box.EncryptPaper does, byte for byte: choices per line 0, an
 * option 1…L, or an array of the options ticked (several = a multiple-mark line, invalid for that cadre). Returns
 * {ballotJSON, tracker, trackerDisplay, card, multipleMarks} (multipleMarks: the 1-based lines flagged). The card's
 * seed and the key are wiped before returning.
 */
export function encryptPaperBallot({ session, jointKey, lines, options, token, choices }) {
  const p = makeParams({ session, jointKey, lines, options }, true);
  const marks = paperMarks(p, choices);
  const { seed, publicKey } = deriveCard(session, token);
  const key = paperKey(p, seed, marks);
  try {
    const ballot = encryptBallotWith(
      paperStream(key),
      p,
      seed,
      marks.map((m) => (m.length === 0 ? 0 : m.length === 1 ? m[0] : MULTIPLE_MARKS)),
    );
    const tracker = trackerBytes(p, ballot);
    return {
      ballotJSON: formatBallot(ballot),
      tracker: toHex(tracker),
      trackerDisplay: trackerDisplay(tracker),
      card: encodeB64(publicKey),
      multipleMarks: ballot.x.slice(),
    };
  } finally {
    seed.fill(0);
    key.fill(0);
  }
}
