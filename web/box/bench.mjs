// Benchmarks of the voter's side in Node (V8, as in Chromium): wall and CPU time of encrypting and of checking a
// ballot of K = 5 and K = 30 lines of 3 options, the tables prepared once. CPU time (process.cpuUsage) is what a
// shared machine inflates least. Run: npm run bench (in web/box).

import { readFileSync } from 'node:fs';
import * as box from './src/index.js';
import { makeParams } from './src/params.js';
import { parseBallot, verifyBallot } from './src/ballot.js';
import { formatTally, sumBallots } from './src/tally.js';

const v = JSON.parse(readFileSync(new URL('../../ballot/box/testdata/vectors.json', import.meta.url), 'utf8'));
const code = v.card_keys[0].code;
const runs = Number(process.env.RUNS || 10);

function time(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

function report(what, samples) {
  const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const min = (xs) => Math.min(...xs);
  const w = samples.map((s) => s.wall);
  const c = samples.map((s) => s.cpu);
  console.log(`${what.padEnd(28)} wall median ${med(w).toFixed(0)} ms (fastest ${min(w).toFixed(0)}), CPU median ${med(c).toFixed(0)} ms (least ${min(c).toFixed(0)}), ${samples.length} runs`);
}

for (const lines of [5, 30]) {
  const shape = { session: v.params.session, jointKey: v.params.joint_key, lines, options: 3 };
  const prep = time(() => box.prepare(shape));
  if (lines === 5) console.log(`prepare (generator and joint-key tables): wall ${prep.wall.toFixed(0)} ms, CPU ${prep.cpu.toFixed(0)} ms`);
  const choices = Array.from({ length: lines }, (_, k) => k % 4);
  let last;
  const enc = [];
  for (let i = 0; i < runs; i++) enc.push(time(() => (last = box.encryptBallot({ ...shape, token: code, choices }))));
  report(`encryptBallot K=${lines}`, enc);
  const ver = [];
  for (let i = 0; i < runs; i++) ver.push(time(() => box.verifyBallot({ ...shape, ballotJSON: last.ballotJSON })));
  report(`verifyBallot K=${lines}`, ver);
}

// The trustee's side (src/trustee.js): a whole key ceremony of n = 5, t = 3 run by five trustees in this one
// process (the time of each round is the sum over the five, so one phone's share is a fifth of it), the partial
// decryption of a tally of K = 30 lines of 3 options, and opening a sealed key at the phone's and the laptop's cost.
{
  const T = box.trustee;
  const S = v.params.session;
  const n = 5;
  const t = 3;
  const ids = [1, 2, 3, 4, 5];
  const r1 = [];
  const one = (what, f) => {
    let out;
    const s = time(() => (out = f()));
    console.log(`${what.padEnd(28)} wall ${s.wall.toFixed(0)} ms, CPU ${s.cpu.toFixed(0)} ms (all ${n} trustees; one: ~${(s.wall / n).toFixed(0)} ms)`);
    return out;
  };
  one('ceremony round1 n=5', () => ids.forEach((i) => r1.push(T.round1({ session: S, n, t, trustee: i }))));
  const m1 = r1.map((x) => x.message);
  const m2 = one('ceremony round2 n=5', () => r1.map((x) => T.round2({ secretJSON: x.secret, round1JSONs: m1 })));
  const m3 = one('ceremony round3 n=5', () => r1.map((x) => T.round3({ secretJSON: x.secret, round1JSONs: m1, round2JSONs: m2 })));
  const keys = one('ceremony key n=5', () => r1.map((x) => T.key({ secretJSON: x.secret, round1JSONs: m1, round2JSONs: m2, round3JSONs: m3 })));
  const jointKey = JSON.parse(keys[0]).joint_key;
  const shape = { session: S, jointKey, lines: 30, options: 3 };
  box.prepare(shape);
  const p = makeParams(shape, true);
  const verified = [0, 1, 2].map((b) => {
    const ballot = parseBallot(box.encryptBallot({ ...shape, token: code, choices: Array.from({ length: 30 }, (_, k) => (k + b) % 4) }).ballotJSON);
    return { lines: verifyBallot(p, ballot, false), x: ballot.x };
  });
  const tallyJSON = formatTally(sumBallots(p, verified));
  const dec = [];
  for (let i = 0; i < runs; i++) dec.push(time(() => T.decrypt({ lines: 30, options: 3, trusteeKeyJSON: keys[0], tallyJSON })));
  report('decrypt (partial) K=30 L=3', dec);
  for (const [what, cost] of [['phone', {}], ['laptop', { time: 3, memory: 65536, threads: 4 }]]) {
    const sealed = await T.seal({ contentsJSON: keys[0], passphrase: 'mật khẩu', ...cost });
    const un = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await T.unseal({ sealedJSON: sealed, passphrase: 'mật khẩu' });
      const c = process.cpuUsage(c0);
      un.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
    }
    const h = JSON.parse(sealed);
    report(`unseal (${what}: t=${h.time} m=${h.memory} p=${h.threads})`, un);
  }
}
