// The API of the encrypted ballot box for pages (SPEC.md section 11): JSON text and base64url in, JSON text and
// base64url out, so that a page never handles group elements. bundle.js exposes it as globalThis.tinnhiemBox.

import { encodeB64, toHex } from './encoding.js';
import { G, systemRandom } from './group.js';
import { deriveCard as deriveCardKey, makeParams } from './params.js';
import {
  encryptBallot,
  encryptBallotAuditable,
  openAudited,
  parseBallot,
  trackerBytes,
  trackerDisplay,
  verifyBallot as verifyParsedBallot,
} from './ballot.js';
import {
  combine as combineParsed,
  formatPartial,
  formatResult,
  parsePartial,
  parseResult,
  parseTally,
  parseTrusteeKey,
  partialDecrypt as partialDecryptParsed,
  verifyPartial as verifyParsedPartial,
  verifyResult as verifyParsedResult,
} from './tally.js';
import { parseCeremony } from './dkg.js';
import * as trusteeAPI from './trustee.js';

export { encryptBallot, encryptBallotAuditable, openAudited, trackerDisplay };
export { BallotError, FORMAT_AUDIT, MULTIPLE_MARKS } from './ballot.js';
export { PartialError } from './tally.js';
export { encryptPaperBallot } from './paper.js';

/** The version of the protocol this bundle speaks. */
export const PROTOCOL = 'tinnhiem/box/v1';

/**
 * Builds the tables for the generator and the session's joint key ahead of time, so that encryptBallot does not
 * pay for them when the voter presses "send". Safe to call more than once.
 */
export function prepare({ session, jointKey, lines, options }) {
  G.multiply(1n);
  makeParams({ session, jointKey, lines, options }, true);
}

/** Returns the card public key (base64url) that a card code gives in a session; the secret is not returned. */
export function deriveCard({ session, token }) {
  const { seed, publicKey } = deriveCardKey(session, token);
  seed.fill(0);
  return { card: encodeB64(publicKey) };
}

/**
 * Checks a ballot's JSON for a session (SPEC.md 11.5) and returns its {tracker, trackerDisplay, card}; throws a
 * BallotError (with .line and .option) or a parse error naming the fault.
 */
export function verifyBallot({ session, jointKey, lines, options, ballotJSON, allowMultipleMarks = false }) {
  const p = makeParams({ session, jointKey, lines, options });
  const ballot = parseBallot(ballotJSON);
  verifyParsedBallot(p, ballot, allowMultipleMarks);
  const t = trackerBytes(p, ballot);
  return { tracker: toHex(t), trackerDisplay: trackerDisplay(t), card: encodeB64(ballot.card) };
}

/** Returns the tracker (hex) of a ballot's JSON without checking the ballot. */
export function tracker({ session, jointKey, lines, options, ballotJSON }) {
  return toHex(trackerBytes(makeParams({ session, jointKey, lines, options }), parseBallot(ballotJSON)));
}

/** Checks a trustee's partial decryption (JSON) against the ceremony's outcome and the tally (JSON). */
export function verifyPartial({ session, jointKey, lines, options, ceremonyJSON, tallyJSON, partialJSON }) {
  const p = makeParams({ session, jointKey, lines, options });
  verifyParsedPartial(p, parseCeremony(ceremonyJSON), parseTally(tallyJSON), parsePartial(partialJSON));
}

/**
 * Combines partial decryptions (JSON texts) into the result (SPEC.md 11.9): returns {resultJSON, bad}, bad naming
 * the partials left out.
 */
export function combine({ session, jointKey, lines, options, ceremonyJSON, tallyJSON, partialJSONs }) {
  const p = makeParams({ session, jointKey, lines, options });
  const { result, bad } = combineParsed(p, parseCeremony(ceremonyJSON), parseTally(tallyJSON), partialJSONs.map(parsePartial));
  return { resultJSON: formatResult(result), bad: bad.map((e) => e.message) };
}

/** Checks a result (JSON) against the tally and the partials of its trustees. */
export function verifyResult({ session, jointKey, lines, options, ceremonyJSON, tallyJSON, partialJSONs, resultJSON }) {
  const p = makeParams({ session, jointKey, lines, options });
  verifyParsedResult(p, parseCeremony(ceremonyJSON), parseTally(tallyJSON), partialJSONs.map(parsePartial), parseResult(resultJSON));
}

/** Makes a trustee's partial decryption (JSON) of the tally from its key share file, on the trustee's own device. */
export function partialDecrypt({ lines, options, trusteeKeyJSON, tallyJSON }, rand = systemRandom) {
  const key = parseTrusteeKey(trusteeKeyJSON);
  const tally = parseTally(tallyJSON);
  const p = makeParams({ session: key.session, jointKey: key.jointKey, lines, options });
  return formatPartial(partialDecryptParsed(p, key, tally, rand));
}

/**
 * The trustee's side on its own device (SPEC.md 11.6–11.8, 11.6.1): round1, round2, round3, key, decrypt, seal,
 * unseal and backupText, each taking and giving JSON text as `tinnhiem-verify trustee` reads and writes it, so a phone
 * and a laptop take part in the same ceremony. seal and unseal return promises (Argon2id runs in slices so the page
 * stays responsive); the rest are synchronous.
 */
export const trustee = Object.freeze({
  round1: trusteeAPI.round1,
  round2: trusteeAPI.round2,
  round3: trusteeAPI.round3,
  key: trusteeAPI.key,
  decrypt: trusteeAPI.decrypt,
  seal: trusteeAPI.seal,
  unseal: trusteeAPI.unseal,
  backupText: trusteeAPI.backupText,
  SEAL_DEFAULTS: trusteeAPI.SEAL_DEFAULTS,
  TrusteeFileError: trusteeAPI.TrusteeFileError,
});

/**
 * Checks, before a trustee decrypts, that the tally is the sum of the sealed ballots handed along with it (SPEC.md
 * 11.15): returns {ballots}, or throws a TallySumError naming the first line and option that differ.
 */
export { checkTallySum, TallySumError } from './sum.js';
