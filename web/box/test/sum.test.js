// The trustee's check before decrypting (SPEC.md 11.15), on Go's vectors: the vectors' tally is the sum of their
// ballots; a tally made of fewer ballots, of one ballot alone, or with one sum changed is refused, naming the sum.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { checkTallySum, TallySumError } from '../src/sum.js';

const v = JSON.parse(readFileSync(new URL('../../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const ballots = v.ballots.map((b) => JSON.stringify(b.ballot));
const tallyJSON = JSON.stringify(v.tally);
const shape = { session: v.params.session, lines: v.params.lines, options: v.params.options };

test('the vectors tally is the sum of their ballots', () => {
  assert.deepEqual(checkTallySum({ ...shape, tallyJSON, ballotJSONs: ballots }), { ballots: ballots.length });
});

test('a tally that is not the sum of the sealed ballots is refused', () => {
  // The server hands the full tally but one ballot fewer: the count differs.
  assert.throws(() => checkTallySum({ ...shape, tallyJSON, ballotJSONs: ballots.slice(1) }), TallySumError);
  // The server hands one ballot's ciphertexts as "the tally" with that ballot alone: the count (1) is honest, but
  // then it must also be what the hall counted; with all ballots handed along, the one-ballot tally is refused.
  const one = JSON.parse(tallyJSON);
  one.lines = v.ballots[0].ballot.lines.map((l) => l.ct);
  assert.throws(() => checkTallySum({ ...shape, tallyJSON: JSON.stringify(one), ballotJSONs: ballots }), (e) => {
    assert.ok(e instanceof TallySumError);
    assert.equal(e.line, 1);
    return true;
  });
  // Two sums of one line swapped.
  const swapped = JSON.parse(tallyJSON);
  const ct = Buffer.from(swapped.lines[1], 'base64url');
  swapped.lines[1] = Buffer.concat([ct.subarray(64, 128), ct.subarray(0, 64), ct.subarray(128)]).toString('base64url');
  assert.throws(() => checkTallySum({ ...shape, tallyJSON: JSON.stringify(swapped), ballotJSONs: ballots }), TallySumError);
  // The same card twice.
  const twice = JSON.parse(tallyJSON);
  twice.ballots = ballots.length + 1;
  assert.throws(() => checkTallySum({ ...shape, tallyJSON: JSON.stringify(twice), ballotJSONs: [...ballots, ballots[0]] }), /repeats a card/);
});
