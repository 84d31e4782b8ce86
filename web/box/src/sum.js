// The trustee's check before it decrypts anything (SPEC.md 11.15): the tally a server hands a trustee's device must be
// the sum of the sealed ballots it hands along, or a server could ask the committee to decrypt one ballot passed off
// as the tally. Only the α components are summed: a partial decryption reveals x_j·α and nothing of β, so α is what
// must be the sum; a wrong β would only make the result wrong, which the combination's check and the verifier catch.

import { parseBallot } from './ballot.js';
import { equalBytes } from './encoding.js';
import { decodeElement, encodeElement, ZERO } from './group.js';
import { parseTally } from './tally.js';

/** Thrown when the tally is not the sum of the ballots; .line and .option (1-based) name the first sum that differs. */
export class TallySumError extends Error {
  constructor(message, line = 0, option = 0) {
    super(message);
    this.name = 'TallySumError';
    this.line = line;
    this.option = option;
  }
}

/**
 * Checks that tallyJSON (tinnhiem-box-tally/v1) of session has lines × options sums, counts exactly the ballots of
 * ballotJSONs (tinnhiem-box-ballot/v1 texts, each of a distinct card) and its multiple marks, and that each α of it is
 * the sum of the ballots' α. Returns {ballots}; throws a TallySumError otherwise. Nothing is decrypted.
 */
export function checkTallySum({ session, lines, options, tallyJSON, ballotJSONs }) {
  const tally = parseTally(tallyJSON);
  if (tally.session !== session) throw new TallySumError('the tally is of another session');
  if (tally.lines.length !== lines || tally.lines.some((l) => l.length !== options)) {
    throw new TallySumError("the tally does not have the session's shape");
  }
  if (tally.ballots !== ballotJSONs.length) {
    throw new TallySumError(`the tally counts ${tally.ballots} ballots, ${ballotJSONs.length} were sealed`);
  }
  const sums = [];
  for (let k = 0; k < lines; k++) sums.push(new Array(options).fill(ZERO));
  const marks = new Array(lines).fill(0);
  const cards = new Set();
  ballotJSONs.forEach((text, b) => {
    const ballot = parseBallot(text);
    const card = encodeCard(ballot.card);
    if (cards.has(card)) throw new TallySumError(`sealed ballot ${b + 1} repeats a card`);
    cards.add(card);
    if (ballot.lines.length !== lines) throw new TallySumError(`sealed ballot ${b + 1} has ${ballot.lines.length} lines`);
    for (const k of ballot.x) {
      if (k >= 1 && k <= lines) marks[k - 1]++;
    }
    ballot.lines.forEach((line, k) => {
      if (line.ct.length !== 2 * options) throw new TallySumError(`sealed ballot ${b + 1}: line ${k + 1} has another shape`);
      for (let i = 0; i < options; i++) {
        let alpha;
        try {
          alpha = decodeElement(line.ct[2 * i], true);
        } catch (e) {
          throw new TallySumError(`sealed ballot ${b + 1}: line ${k + 1}: ${e.message}`, k + 1, i + 1);
        }
        sums[k][i] = sums[k][i].add(alpha);
      }
    });
  });
  for (let k = 0; k < lines; k++) {
    if (tally.multipleMarks[k] !== marks[k]) {
      throw new TallySumError(`line ${k + 1}: the tally counts ${tally.multipleMarks[k]} multiple marks, the ballots ${marks[k]}`, k + 1);
    }
    for (let i = 0; i < options; i++) {
      if (!equalBytes(encodeElement(sums[k][i]), tally.lines[k][i].alpha)) {
        throw new TallySumError(`line ${k + 1}, option ${i + 1}: the tally is not the sum of the sealed ballots`, k + 1, i + 1);
      }
    }
  }
  return { ballots: ballotJSONs.length };
}

function encodeCard(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
