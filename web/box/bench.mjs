// Benchmarks of the voter's side in Node (V8, as in Chromium): wall and CPU time of encrypting and of checking a
// ballot of K = 5 and K = 30 lines of 3 options, the tables prepared once. CPU time (process.cpuUsage) is what a
// shared machine inflates least. Run: npm run bench (in web/box).

import { readFileSync } from 'node:fs';
import * as box from './src/index.js';

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
