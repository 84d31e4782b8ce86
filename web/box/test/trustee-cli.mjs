// A committee member's phone, driven from files: the committed bundle (web/static/box.js, what the trustee page
// loads) run as a page runs its classic script, its tinnhiemBox.trustee called with the messages of a
// folder, its outputs written as the laptop tool writes its files. cmd/tinnhiem-verify's interoperability test runs
// it as trustee 1 beside the real `tinnhiem-verify trustee` binary.
//
//   node trustee-cli.mjs round1  SESSION N T I SECRET_OUT MESSAGE_OUT [PASSFILE]
//   node trustee-cli.mjs round2  SECRET INBOX OUT [PASSFILE]
//   node trustee-cli.mjs round3  SECRET INBOX OUT [PASSFILE]
//   node trustee-cli.mjs key     SECRET INBOX RESULT OUT [PASSFILE]
//   node trustee-cli.mjs decrypt KEY TALLY LINES OPTIONS OUT [PASSFILE]
//   node trustee-cli.mjs seal    CONTENTS PASSFILE OUT
//   node trustee-cli.mjs unseal  SEALED PASSFILE OUT
//
// SECRET and KEY may be sealed (tinnhiem-box-sealed/v1): they are opened with PASSFILE's first line; with PASSFILE
// round1 seals the secret it writes. Secrets are written with mode 0600 and never over an existing file. Exit
// status 0 done, 1 refused (the error on standard error, without any secret), 2 usage. Run without arguments (as
// `node --test test/` does), it tests itself.

import { readFileSync, readdirSync, writeFileSync, mkdtempSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import vm from 'node:vm';

// loadBundle runs the bundle as a page's classic script, in this global scope: a separate vm context would be
// truer to a page's isolation but runs Argon2id's loops over ten times slower than any browser does.
function loadBundle() {
  vm.runInThisContext(readFileSync(new URL('../../static/box.js', import.meta.url), 'utf8'), { filename: 'box.js' });
  return globalThis.tinnhiemBox.trustee;
}

const read = (path) => readFileSync(path, 'utf8').trim();

// The passphrase is the file's first line, as --passphrase-file reads it.
const passphrase = (path) => readFileSync(path, 'utf8').split('\n')[0];

function writeSecret(path, text) {
  writeFileSync(path, text + '\n', { mode: 0o600, flag: 'wx' });
}

function writePublic(path, text) {
  writeFileSync(path, text + '\n', { mode: 0o644, flag: 'wx' });
}

async function openFile(T, path, passFile) {
  const text = read(path);
  if (JSON.parse(text).format !== 'tinnhiem-box-sealed/v1') return text;
  if (!passFile) throw new Error(`${path} is sealed: give the passphrase file`);
  return T.unseal({ sealedJSON: text, passphrase: passphrase(passFile) });
}

// inbox sorts a folder's messages by format, in file name order.
function inbox(dir) {
  const out = { round1: [], round2: [], round3: [], complaint: [] };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const text = read(join(dir, name));
    const format = JSON.parse(text).format;
    const kind = { 'tinnhiem-box-dkg-round1/v1': 'round1', 'tinnhiem-box-dkg-round2/v1': 'round2', 'tinnhiem-box-dkg-round3/v1': 'round3', 'tinnhiem-box-dkg-complaint/v1': 'complaint' }[format];
    if (kind) out[kind].push(text);
  }
  return out;
}

async function run(args) {
  const T = loadBundle();
  const [op, ...a] = args;
  switch (op) {
    case 'round1': {
      const [session, n, t, i, secretOut, messageOut, passFile] = a;
      const r = T.round1({ session, n: Number(n), t: Number(t), trustee: Number(i) });
      const secret = passFile ? await T.seal({ contentsJSON: r.secret, passphrase: passphrase(passFile) }) : r.secret;
      writeSecret(secretOut, secret);
      writePublic(messageOut, r.message);
      return;
    }
    case 'round2': {
      const [secret, dir, out, passFile] = a;
      writePublic(out, T.round2({ secretJSON: await openFile(T, secret, passFile), round1JSONs: inbox(dir).round1 }));
      return;
    }
    case 'round3': {
      const [secret, dir, out, passFile] = a;
      const m = inbox(dir);
      writePublic(out, T.round3({ secretJSON: await openFile(T, secret, passFile), round1JSONs: m.round1, round2JSONs: m.round2 }));
      return;
    }
    case 'key': {
      const [secret, dir, result, out, passFile] = a;
      const m = inbox(dir);
      const key = T.key({ secretJSON: await openFile(T, secret, passFile), round1JSONs: m.round1, round2JSONs: m.round2,
        round3JSONs: m.round3, complaintJSONs: m.complaint, ceremonyJSON: read(result) });
      writeSecret(out, key);
      return;
    }
    case 'decrypt': {
      const [keyFile, tally, lines, options, out, passFile] = a;
      writePublic(out, T.decrypt({ lines: Number(lines), options: Number(options), trusteeKeyJSON: await openFile(T, keyFile, passFile), tallyJSON: read(tally) }));
      return;
    }
    case 'seal': {
      const [contents, passFile, out] = a;
      writeSecret(out, await T.seal({ contentsJSON: read(contents), passphrase: passphrase(passFile) }));
      return;
    }
    case 'unseal': {
      const [sealed, passFile, out] = a;
      writeSecret(out, await T.unseal({ sealedJSON: read(sealed), passphrase: passphrase(passFile) }));
      return;
    }
  }
  process.stderr.write(`trustee-cli: unknown operation ${JSON.stringify(op)}\n`);
  process.exit(2);
}

if (process.argv.length > 2) {
  run(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`trustee-cli: ${e.message}\n`);
    process.exit(1);
  });
} else {
  // Self-test: round 1 through the bundle writes a sealed 0600 secret that opens again, and never overwrites.
  const { test } = await import('node:test');
  const assert = (await import('node:assert/strict')).default;
  test('trustee-cli: round 1 seals a 0600 secret, unseal opens it, nothing is overwritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustee-cli-'));
    try {
      const me = new URL(import.meta.url).pathname;
      const cli = (...x) => spawnSync(process.execPath, [me, ...x], { cwd: dir, encoding: 'utf8' });
      writeFileSync(join(dir, 'pass.txt'), 'mật khẩu thử\n');
      let r = cli('round1', 's', '3', '2', '1', 'secret.json', 'round1.json', 'pass.txt');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(statSync(join(dir, 'secret.json')).mode & 0o777, 0o600);
      assert.equal(JSON.parse(read(join(dir, 'secret.json'))).format, 'tinnhiem-box-sealed/v1');
      r = cli('unseal', 'secret.json', 'pass.txt', 'plain.json');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(read(join(dir, 'plain.json'))).trustee, 1);
      r = cli('round1', 's', '3', '2', '1', 'secret.json', 'other.json');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /EEXIST/);
      writeFileSync(join(dir, 'wrong.txt'), 'sai\n');
      r = cli('unseal', 'secret.json', 'wrong.txt', 'plain2.json');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /sai mật khẩu/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
