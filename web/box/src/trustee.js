// The trustee's side of the key ceremony and the count (SPEC.md 11.6–11.8, 11.6.1), for a committee member's own
// phone: its secrets (drawn, kept, sealed under a passphrase), its messages of rounds 1 to 3, its decryption key and
// its partial decryption. Every message is byte for byte what ballot/box and `tinnhiem-verify trustee` write from
// the same secrets and the same random stream, so a phone and a laptop take part in the same ceremony.
//
// Secrets never reach an error message: a secret's JSON that does not parse is refused without quoting it (V8 puts
// a piece of the text into JSON.parse's message), and the passphrase is never repeated. Multiplications by a secret
// use the constant-time ladder (Point.multiply, not multiplyUnsafe) and comparisons that depend on secrets compare
// encodings with equalBytes. BigInt arithmetic on the secret scalars (the polynomial, s = w + c·x) is not
// constant-time in any JavaScript engine; the phone runs nothing else for others while it computes.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { decodeB64, encodeB64, equalBytes, utf8 } from './encoding.js';
import { G, Transcript, decodeElement, decodeScalar, encodeElement, encodeScalar, modL, randomScalar, systemRandom } from './group.js';
import { checkMembers } from './ballot.js';
import { MAX_TRUSTEES, checkSession } from './params.js';
import { goJSON } from './json.js';
import {
  FORMAT_TRUSTEE_KEY,
  formatPartial,
  parseTally,
  parseTrusteeKey,
  partialDecrypt as partialDecryptParsed,
} from './tally.js';
import { makeParams } from './params.js';
import {
  encryptShare,
  formatCeremony,
  formatComplaint,
  formatRound1,
  formatRound2,
  formatRound3,
  parseCeremony,
  parseComplaint,
  parseRound1,
  parseRound2,
  parseRound3,
  qualify,
  receivedShare,
  round2ByDealer,
  sortedKeys,
  validRound1,
} from './dkg.js';

/** The format of a trustee's ceremony secrets (its polynomial and its share-encryption secret). */
export const FORMAT_TRUSTEE_SECRET = 'tinnhiem-box-trustee-secret/v1';

/** The format of a trustee file sealed under a passphrase (SPEC.md 11.6.1). */
export const FORMAT_SEALED = 'tinnhiem-box-sealed/v1';

/**
 * The Argon2id cost this implementation writes into new sealed files: 19 MiB, two passes, one lane (the lowest
 * setting RFC 9106's authors and OWASP accept for interactive logins), so that a mid-range phone opens its backup in
 * a couple of seconds. The laptop tool writes 64 MiB, three passes, four lanes; both read either.
 */
export const SEAL_DEFAULTS = Object.freeze({ time: 2, memory: 19456, threads: 1 });

// The bounds a reader accepts (cmd/tinnhiem-verify/trusteefiles.go), so that a crafted header cannot make the phone
// spend a gigabyte or minutes before failing.
const SEAL_BOUNDS = Object.freeze({ time: [1, 16], memory: [8192, 1048576], threads: [1, 16] });
const MAX_PASSPHRASE = 1024;

/**
 * An error for a person about a trustee file: `message` is Vietnamese, then English ("vi / en", as the laptop tool
 * prints), `vi` and `en` are each alone and `code` names the case for a page ('not-sealed', 'bad-header',
 * 'wrong-passphrase', 'bad-passphrase', 'bad-contents'). It never holds the passphrase or any part of a secret.
 */
export class TrusteeFileError extends Error {
  /** Builds the error from its two messages and its code. */
  constructor(code, vi, en) {
    super(`${vi} / ${en}`);
    this.name = 'TrusteeFileError';
    this.code = code;
    this.vi = vi;
    this.en = en;
  }
}

// secretObject parses the JSON of a secret without ever letting its text into an error.
function secretObject(text, what) {
  if (typeof text !== 'string') throw new Error(`failed to read ${what}: not a JSON text`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`failed to read ${what}: not JSON`);
  }
}

function scalarMember(s, what) {
  try {
    return decodeScalar(decodeB64(s));
  } catch (e) {
    // decodeB64 and decodeScalar name the fault (alphabet, length, canonical form), never the value.
    throw new Error(`${what}: ${e.message}`);
  }
}

function checkShape(session, n, t) {
  checkSession(session);
  if (!Number.isInteger(n) || n < 2 || n > MAX_TRUSTEES) {
    throw new Error(`the number of trustees must be between 2 and ${MAX_TRUSTEES}, got ${n}`);
  }
  if (!Number.isInteger(t) || t < 1 || t > n) throw new Error(`the threshold must be between 1 and ${n}, got ${t}`);
}

/** Reads a trustee's ceremony secrets (tinnhiem-box-trustee-secret/v1), strictly as Go's ParseTrusteeSecret. */
export function parseTrusteeSecret(text) {
  const j = secretObject(text, 'the trustee secret');
  const what = `failed to parse ${FORMAT_TRUSTEE_SECRET}`;
  try {
    checkMembers(j, '', ['format', 'session', 'n', 't', 'trustee', 'coefficients', 'encryption_secret']);
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
  if (j.format !== FORMAT_TRUSTEE_SECRET) throw new Error(`${what}: the format is not "${FORMAT_TRUSTEE_SECRET}"`);
  if (typeof j.session !== 'string' || !Array.isArray(j.coefficients) || typeof j.encryption_secret !== 'string') {
    throw new Error(`${what}: a member has the wrong type`);
  }
  checkShape(j.session, j.n, j.t);
  if (!Number.isInteger(j.trustee) || j.trustee < 1 || j.trustee > j.n || j.coefficients.length !== j.t) {
    throw new Error(`${what}: the trustee secret does not match its ceremony`);
  }
  return {
    session: j.session,
    n: j.n,
    t: j.t,
    trustee: j.trustee,
    coefficients: j.coefficients.map((c, k) => scalarMember(c, `${what}: coefficient ${k + 1}`)),
    encryptionSecret: scalarMember(j.encryption_secret, `${what}: encryption secret`),
  };
}

/** Returns the JSON of a trustee's secrets, in the Go implementation's member order (FormatTrusteeSecret). */
export function formatTrusteeSecret(ts) {
  return goJSON({
    format: FORMAT_TRUSTEE_SECRET,
    session: ts.session,
    n: ts.n,
    t: ts.t,
    trustee: ts.trustee,
    coefficients: ts.coefficients.map((c) => encodeB64(encodeScalar(c))),
    encryption_secret: encodeB64(encodeScalar(ts.encryptionSecret)),
  });
}

/** Returns the JSON of a trustee's key share, in the Go implementation's member order (FormatTrusteeKey). */
export function formatTrusteeKey(k) {
  return goJSON({
    format: FORMAT_TRUSTEE_KEY,
    session: k.session,
    trustee: k.trustee,
    joint_key: encodeB64(k.jointKey),
    secret: encodeB64(encodeScalar(k.secret)),
  });
}

// x·G for a secret scalar, in constant time; 0 (which a random draw gives with probability 2^-252) is the identity.
function baseMul(x) {
  return x === 0n ? G.subtract(G) : G.multiply(x);
}

// The round-1 transcript of a proof: dctx(i) and the whole round-1 statement.
function round1Transcript(tag, r) {
  const t = new Transcript(tag).str(r.session).u32(r.n).u32(r.t).u32(r.trustee).element(r.encryptionKey);
  for (const a of r.commitments) t.element(a);
  return t;
}

// proveSchnorr proves knowledge of x with X = x·G; the nonce is one draw of the stream (Go's proveSchnorr).
function proveSchnorr(rand, start, x) {
  const w = randomScalar(rand);
  const c = start().element(baseMul(w)).challenge();
  return { c, s: modL(w + c * x) };
}

/**
 * Draws trustee i's secrets and makes its round 1 (Go's NewTrustee), drawing from rand in Go's order: the t
 * coefficients, the encryption secret, then the nonces of the coefficient proof and of the encryption-key proof.
 */
export function newTrustee(rand, session, n, t, i) {
  checkShape(session, n, t);
  if (!Number.isInteger(i) || i < 1 || i > n) throw new Error(`failed to start the key ceremony: trustee ${i} is not between 1 and ${n}`);
  const coefficients = [];
  for (let k = 0; k < t; k++) coefficients.push(randomScalar(rand));
  const encryptionSecret = randomScalar(rand);
  const r1 = {
    session,
    n,
    t,
    trustee: i,
    encryptionKey: encodeElement(baseMul(encryptionSecret)),
    commitments: coefficients.map((a) => encodeElement(baseMul(a))),
  };
  r1.coefficientProof = proveSchnorr(rand, () => round1Transcript('tinnhiem/box/v1/dkg-coefficient-proof', r1), coefficients[0]);
  r1.encryptionKeyProof = proveSchnorr(rand, () => round1Transcript('tinnhiem/box/v1/dkg-encryption-key-proof', r1), encryptionSecret);
  return { secret: { session, n, t, trustee: i, coefficients, encryptionSecret }, round1: r1 };
}

// f(j) = Σ a_k·j^k mod ℓ (Horner).
function evalPolynomial(coef, j) {
  const x = BigInt(j);
  let acc = 0n;
  for (let k = coef.length - 1; k >= 0; k--) acc = modL(acc * x + coef[k]);
  return acc;
}

// dhWith is the Diffie–Hellman value e·E of the trustee's encryption secret and another trustee's key.
function dhWith(ts, other) {
  return encodeElement(decodeElement(other.encryptionKey, true).multiply(ts.encryptionSecret));
}

// ownRound1 returns the trustee's own valid round 1, checking that it is the one its secrets made.
function ownRound1(ts, valid, what) {
  const own = valid.get(ts.trustee);
  if (!own) throw new Error(`failed to ${what}: this trustee's own round 1 is missing or invalid`);
  if (!equalBytes(own.encryptionKey, encodeElement(baseMul(ts.encryptionSecret))) ||
      !equalBytes(own.commitments[0], encodeElement(baseMul(ts.coefficients[0])))) {
    throw new Error(`failed to ${what}: the round 1 of trustee ${ts.trustee} is not the one these secrets made`);
  }
  return own;
}

/** Makes the dealer's encrypted shares for every other trustee whose round 1 is valid (Go's TrusteeSecret.Round2). */
export function makeRound2(ts, round1) {
  const valid = validRound1(ts.session, ts.n, ts.t, round1);
  const own = ownRound1(ts, valid, 'make round 2');
  const shares = [];
  for (const j of sortedKeys(valid)) {
    if (j === ts.trustee) continue;
    const dh = dhWith(ts, valid.get(j));
    shares.push({ to: j, ct: encryptShare(ts.session, ts.n, ts.t, ts.trustee, j, own.encryptionKey, valid.get(j).encryptionKey, dh, evalPolynomial(ts.coefficients, j)) });
  }
  return { session: ts.session, trustee: ts.trustee, shares };
}

// complain makes the trustee's complaint against dealer: DH = e·E_i with its DLEQ proof, one draw for the nonce.
function complain(rand, ts, own, dealer) {
  const ei = decodeElement(dealer.encryptionKey, true);
  const dh = encodeElement(ei.multiply(ts.encryptionSecret));
  const c = { session: ts.session, trustee: ts.trustee, against: dealer.trustee, dh };
  const w = randomScalar(rand);
  const tr = new Transcript('tinnhiem/box/v1/dkg-complaint').str(c.session).u32(ts.n).u32(ts.t).u32(c.trustee).u32(c.against);
  tr.element(own.encryptionKey).element(dealer.encryptionKey).element(dh);
  tr.element(baseMul(w)).element(w === 0n ? G.subtract(G) : ei.multiply(w));
  const ch = tr.challenge();
  c.proof = { c: ch, s: modL(w + ch * ts.encryptionSecret) };
  return c;
}

/**
 * Decrypts and checks the share every other valid dealer sent this trustee and returns its round-3 statement
 * (Go's CheckShares and `trustee round3`): a complaint, in ascending dealer order, against each dealer whose share
 * is missing or wrong, and the dealers whose share checked.
 */
export function makeRound3(rand, ts, round1, round2) {
  const valid = validRound1(ts.session, ts.n, ts.t, round1);
  const own = ownRound1(ts, valid, 'check shares');
  const byDealer = round2ByDealer(ts.session, round2);
  const checked = [];
  const complaints = [];
  for (const i of sortedKeys(valid)) {
    if (i === ts.trustee) continue;
    try {
      receivedShare(ts.session, ts.n, ts.t, valid.get(i), own, byDealer.get(i), dhWith(ts, valid.get(i)));
      checked.push(i);
    } catch {
      complaints.push(complain(rand, ts, own, valid.get(i)));
    }
  }
  return { session: ts.session, trustee: ts.trustee, checked, complaints };
}

/**
 * Computes the trustee's key share x_j = Σ f_i(j) over the qualified dealers and checks it against its public
 * verification key (Go's DecryptionKey); a trustee that is not qualified gets an error.
 */
export function decryptionKey(ts, round1, round2, cer) {
  const vk = cer.verificationKeys.find((v) => v.trustee === ts.trustee);
  if (!vk || cer.session !== ts.session) throw new Error(`failed to compute the key share: trustee ${ts.trustee} is not qualified`);
  const valid = validRound1(ts.session, ts.n, ts.t, round1);
  const own = ownRound1(ts, valid, 'compute the key share');
  const byDealer = round2ByDealer(ts.session, round2);
  let x = 0n;
  for (const i of cer.qualified) {
    if (i === ts.trustee) {
      x = modL(x + evalPolynomial(ts.coefficients, i));
      continue;
    }
    if (!valid.has(i)) throw new Error(`failed to compute the key share: round 1 of trustee ${i} is missing`);
    let share;
    try {
      share = receivedShare(ts.session, ts.n, ts.t, valid.get(i), own, byDealer.get(i), dhWith(ts, valid.get(i)));
    } catch (e) {
      throw new Error(`failed to compute the key share: share of trustee ${i}: ${e.message}`);
    }
    x = modL(x + share);
  }
  if (!equalBytes(encodeElement(baseMul(x)), vk.key)) {
    throw new Error('failed to compute the key share: it does not match the verification key');
  }
  return { session: ts.session, trustee: ts.trustee, jointKey: cer.jointKey, secret: x };
}

function parseList(texts, parse, what) {
  if (!Array.isArray(texts)) throw new Error(`${what}: not a list of JSON texts`);
  return texts.map((text, n) => {
    try {
      return parse(text);
    } catch (e) {
      throw new Error(`${what} ${n + 1}: ${e.message}`);
    }
  });
}

/**
 * Round 1 on the trustee's device: returns {secret, message}, secret the JSON of the trustee's secrets (the very
 * file the laptop tool writes unsealed; keep it on the device, seal it for a backup) and message its round 1. t
 * defaults to a majority of n, ⌊n/2⌋ + 1, as the laptop tool's.
 */
export function round1({ session, n, t, trustee }, rand = systemRandom) {
  const th = t === undefined && Number.isInteger(n) ? Math.floor(n / 2) + 1 : t;
  const { secret, round1: r1 } = newTrustee(rand, session, n, th, trustee);
  return { secret: formatTrusteeSecret(secret), message: formatRound1(r1) };
}

/** Round 2: the encrypted shares (tinnhiem-box-dkg-round2/v1) from the secret and every trustee's round 1. */
export function round2({ secretJSON, round1JSONs }) {
  const ts = parseTrusteeSecret(secretJSON);
  return formatRound2(makeRound2(ts, parseList(round1JSONs, parseRound1, 'round 1')));
}

/** Round 3: the statement (tinnhiem-box-dkg-round3/v1) after checking the shares received: complaints, or none. */
export function round3({ secretJSON, round1JSONs, round2JSONs }, rand = systemRandom) {
  const ts = parseTrusteeSecret(secretJSON);
  const r1 = parseList(round1JSONs, parseRound1, 'round 1');
  const r2 = parseList(round2JSONs, parseRound2, 'round 2');
  return formatRound3(makeRound3(rand, ts, r1, r2));
}

/**
 * The decryption key file (tinnhiem-box-trustee-key/v1): recomputes the ceremony's outcome from round 1, round 2
 * and the complaints (given alone, inside round-3 statements, or both; repeated ones count once), refuses it when
 * it differs from ceremonyJSON (the result the console published, when given), then computes the key share.
 */
export function key({ secretJSON, round1JSONs, round2JSONs, complaintJSONs = [], round3JSONs = [], ceremonyJSON }) {
  const ts = parseTrusteeSecret(secretJSON);
  const r1 = parseList(round1JSONs, parseRound1, 'round 1');
  const r2 = parseList(round2JSONs, parseRound2, 'round 2');
  const seen = new Set();
  const complaints = [];
  const add = (c) => {
    const raw = formatComplaint(c);
    if (!seen.has(raw)) {
      seen.add(raw);
      complaints.push(c);
    }
  };
  for (const st of parseList(round3JSONs, parseRound3, 'round 3')) st.complaints.forEach(add);
  parseList(complaintJSONs, parseComplaint, 'complaint').forEach(add);
  const cer = qualify(ts.session, ts.n, ts.t, r1, r2, complaints);
  if (ceremonyJSON !== undefined && ceremonyJSON !== null) {
    if (formatCeremony(parseCeremony(ceremonyJSON)) !== formatCeremony(cer)) {
      throw new Error("failed to compute the key share: the ceremony's result differs from the one recomputed from the messages");
    }
  }
  const dq = cer.disqualified.find((d) => d.trustee === ts.trustee);
  if (dq) throw new Error(`failed to compute the key share: trustee ${ts.trustee} is not qualified (${dq.reason})`);
  return formatTrusteeKey(decryptionKey(ts, r1, r2, cer));
}

/**
 * The partial decryption (tinnhiem-box-partial/v1) of the encrypted tally with the trustee's key file, with its
 * DLEQ proofs, one draw per sum in line and option order (Go's PartialDecrypt).
 */
export function decrypt({ lines, options, trusteeKeyJSON, tallyJSON }, rand = systemRandom) {
  let k;
  try {
    k = parseTrusteeKey(secretText(trusteeKeyJSON));
  } catch (e) {
    throw new Error(e.message.startsWith('failed to parse') ? 'failed to read the trustee key: it is not a valid key file' : e.message);
  }
  const tally = parseTally(tallyJSON);
  const p = makeParams({ session: k.session, jointKey: k.jointKey, lines, options });
  return formatPartial(partialDecryptParsed(p, k, tally, rand));
}

// secretText refuses text that is not JSON before tally.js's parser could quote it in its message.
function secretText(text) {
  secretObject(text, 'the trustee key');
  return text;
}

// ---- sealed files (SPEC.md 11.6.1)

/**
 * Turns a passphrase into the bytes the KDF takes, as the laptop tool does: without its line end, 1–1024 bytes of
 * UTF-8 before normalisation, then in Unicode NFC (so that accents typed composed or decomposed give one key).
 */
export function passphraseBytes(passphrase) {
  if (typeof passphrase !== 'string') throw new TrusteeFileError('bad-passphrase', 'mật khẩu không phải chữ', 'the passphrase is not text');
  const p = passphrase.replace(/[\r\n]+$/, '');
  let raw;
  try {
    raw = utf8(p);
  } catch {
    throw new TrusteeFileError('bad-passphrase', 'mật khẩu không phải UTF-8', 'the passphrase is not UTF-8');
  }
  if (raw.length === 0) throw new TrusteeFileError('bad-passphrase', 'mật khẩu rỗng', 'the passphrase is empty');
  if (raw.length > MAX_PASSPHRASE) {
    throw new TrusteeFileError('bad-passphrase', `mật khẩu dài quá ${MAX_PASSPHRASE} byte`, `the passphrase is longer than ${MAX_PASSPHRASE} bytes`);
  }
  raw.fill(0);
  return utf8(p.normalize('NFC'));
}

// ad = T("tinnhiem/box/v1/sealed-file", contents, kdf, u32(time), u32(memory), u32(threads), salt, nonce).
function sealAD(h, salt, nonce) {
  return new Transcript('tinnhiem/box/v1/sealed-file').str(h.contents).str(h.kdf).u32(h.time).u32(h.memory).u32(h.threads)
    .bytes(salt).bytes(nonce).toBytes();
}

function inBounds(v, [lo, hi]) {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

async function sealKey(pass, salt, h, onProgress) {
  const opts = { t: h.time, m: h.memory, p: h.threads, dkLen: 32, maxmem: h.memory * 1024 + 1, asyncTick: 20 };
  if (onProgress) opts.onProgress = onProgress;
  return argon2idAsync(pass, salt, opts);
}

/**
 * Seals a trustee's secret or key file (its JSON) under a passphrase (SPEC.md 11.6.1): resolves to the JSON of
 * tinnhiem-box-sealed/v1, which `tinnhiem-verify trustee` opens with the same passphrase. The cost defaults to
 * SEAL_DEFAULTS and is written into the header; a cost outside what readers accept is refused. Asynchronous, so
 * that a page stays responsive while Argon2id runs (onProgress gets 0…1).
 */
export async function seal({ contentsJSON, passphrase, time = SEAL_DEFAULTS.time, memory = SEAL_DEFAULTS.memory, threads = SEAL_DEFAULTS.threads, onProgress }, rand = systemRandom) {
  const j = secretObject(contentsJSON, 'the file to seal');
  let contents;
  if (j && j.format === FORMAT_TRUSTEE_SECRET) {
    contents = formatTrusteeSecret(parseTrusteeSecret(contentsJSON));
  } else if (j && j.format === FORMAT_TRUSTEE_KEY) {
    contents = formatTrusteeKey(parseTrusteeKey(contentsJSON));
  } else {
    throw new TrusteeFileError('bad-contents', 'chỉ khóa được tệp bí mật hoặc tệp khóa giải mã', 'only a trustee secret or key file can be sealed');
  }
  const h = { format: FORMAT_SEALED, contents: j.format, kdf: 'argon2id', time, memory, threads };
  if (!inBounds(time, SEAL_BOUNDS.time) || !inBounds(memory, SEAL_BOUNDS.memory) || !inBounds(threads, SEAL_BOUNDS.threads)) {
    throw new Error('failed to seal: the Argon2id cost is outside what readers accept (time 1–16, memory 8192–1048576 KiB, threads 1–16)');
  }
  const pass = passphraseBytes(passphrase);
  const salt = rand(16);
  const nonce = rand(24);
  const k = await sealKey(pass, salt, h, onProgress);
  pass.fill(0);
  const plain = utf8(contents);
  const ct = xchacha20poly1305(k, nonce, sealAD(h, salt, nonce)).encrypt(plain);
  k.fill(0);
  plain.fill(0);
  return goJSON({ ...h, salt: encodeB64(salt), nonce: encodeB64(nonce), ciphertext: encodeB64(ct) });
}

// parseSealed reads the envelope and its header, refusing any header a reader must not accept.
function parseSealed(sealedJSON) {
  let j;
  try {
    j = JSON.parse(sealedJSON);
  } catch {
    j = null;
  }
  const keys = ['format', 'contents', 'kdf', 'time', 'memory', 'threads', 'salt', 'nonce', 'ciphertext'];
  if (!j || typeof j !== 'object' || Array.isArray(j) || j.format !== FORMAT_SEALED || Object.keys(j).some((k) => !keys.includes(k))) {
    throw new TrusteeFileError('not-sealed', 'đây không phải tệp bí mật được khóa bằng mật khẩu', 'this is not a passphrase-sealed trustee file');
  }
  const bad = () => new TrusteeFileError('bad-header', 'tệp hỏng: phần đầu của tệp khóa không hợp lệ', "the sealed file is damaged: its header is not valid");
  let salt, nonce, ct;
  try {
    salt = decodeB64(j.salt);
    nonce = decodeB64(j.nonce);
    ct = decodeB64(j.ciphertext);
  } catch {
    throw bad();
  }
  if (salt.length !== 16 || nonce.length !== 24 || ct.length < 16 || j.kdf !== 'argon2id' ||
      !inBounds(j.time, SEAL_BOUNDS.time) || !inBounds(j.memory, SEAL_BOUNDS.memory) || !inBounds(j.threads, SEAL_BOUNDS.threads) ||
      (j.contents !== FORMAT_TRUSTEE_SECRET && j.contents !== FORMAT_TRUSTEE_KEY)) {
    throw bad();
  }
  return { h: j, salt, nonce, ct };
}

/**
 * Opens a sealed file made here or by the laptop tool: resolves to the JSON inside (a trustee secret or key file,
 * checked), or rejects with a TrusteeFileError — a wrong passphrase and a changed file give the same refusal, as
 * the AEAD cannot tell them apart.
 */
export async function unseal({ sealedJSON, passphrase, onProgress }) {
  const { h, salt, nonce, ct } = parseSealed(sealedJSON);
  const pass = passphraseBytes(passphrase);
  const k = await sealKey(pass, salt, h, onProgress);
  pass.fill(0);
  let plain;
  try {
    plain = xchacha20poly1305(k, nonce, sealAD(h, salt, nonce)).decrypt(ct);
  } catch {
    throw new TrusteeFileError('wrong-passphrase', 'sai mật khẩu, hoặc tệp đã bị thay đổi', 'wrong passphrase, or the sealed file has been changed');
  } finally {
    k.fill(0);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(plain);
  plain.fill(0);
  const inner = secretObject(text, 'the sealed contents');
  if (!inner || inner.format !== h.contents) {
    throw new TrusteeFileError('bad-contents', 'nội dung tệp khóa không khớp phần đầu', "the sealed contents do not match the header");
  }
  try {
    if (h.contents === FORMAT_TRUSTEE_SECRET) parseTrusteeSecret(text);
    else parseTrusteeKey(text);
  } catch {
    throw new TrusteeFileError('bad-contents', 'nội dung tệp khóa hỏng', 'the sealed contents are damaged');
  }
  return text;
}

// Bytes that a QR code holds in byte mode at error correction level M, versions 1 to 40 (ISO/IEC 18004 table 7).
const QR_M_BYTES = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779,
  857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331];

/**
 * The text of a printable backup: the sealed file's JSON re-encoded compactly (it opens with unseal and, saved as a
 * file, with the laptop tool), its size in bytes, and the smallest QR version that holds it at level M in byte mode
 * (qrVersion), or qrVersion null when no single QR code does — then the page offers the file only.
 */
export function backupText(sealedJSON) {
  const { h, salt, nonce, ct } = parseSealed(sealedJSON);
  const text = goJSON({ format: h.format, contents: h.contents, kdf: h.kdf, time: h.time, memory: h.memory, threads: h.threads,
    salt: encodeB64(salt), nonce: encodeB64(nonce), ciphertext: encodeB64(ct) });
  const bytes = utf8(text).length;
  const v = QR_M_BYTES.findIndex((cap) => cap >= bytes);
  return { text, bytes, qrVersion: v < 0 ? null : v + 1 };
}
