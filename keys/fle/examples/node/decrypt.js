// Decrypts the fields Edgeward's field-level encryption (FLE) seals before a
// request reaches the origin. An encrypted value reads
//
//   ENC:v1:<key_id>:<base64url without padding of (enc || ct)>
//
// sealed with HPKE (RFC 9180) in base mode: KEM from the key (DHKEM(X25519,
// HKDF-SHA256), 0x0020, or MLKEM768-X25519 "X-Wing", 0x647a), HKDF-SHA256,
// AES-256-GCM, info "edgeward-fle/v1", and as AAD the binding: key id,
// distribution, method, path and field name, each as a 2-byte big-endian
// length then its bytes. A value moved to another field, path, method or
// distribution does not decrypt.
//
// Exports: loadPrivateKeys, decryptValue, decryptForm, parseValue, bindingAAD,
// DecryptError. Error messages never contain plaintext or key material.
'use strict';

const fs = require('node:fs');
const { CipherSuite, HkdfSha256, Aes256Gcm } = require('@hpke/core');
const { DhkemX25519HkdfSha256 } = require('@hpke/dhkem-x25519');
const { XWing } = require('@hpke/hybridkem-x-wing');

const PREFIX = 'ENC:v1:';
const INFO = new TextEncoder().encode('edgeward-fle/v1');
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const TAG_SIZE = 16; // AES-256-GCM

// The KEMs of the spec, by HPKE KEM id. encSize: bytes of enc at the start of
// a sealed value; privSize: bytes of a serialized private key.
const KEMS = new Map([
  [0x0020, { name: 'DHKEM(X25519, HKDF-SHA256)', encSize: 32, privSize: 32, make: () => new DhkemX25519HkdfSha256() }],
  [0x647a, { name: 'MLKEM768-X25519 (X-Wing)', encSize: 1120, privSize: 32, make: () => new XWing() }],
]);
const suites = new Map(); // KEM id -> CipherSuite, made on first use

/** A value that cannot be decrypted; code is 'malformed', 'unknown-key', 'key', or 'open'. */
class DecryptError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'DecryptError';
    this.code = code;
  }
}

function suiteFor(kemId) {
  let s = suites.get(kemId);
  if (!s) {
    s = new CipherSuite({ kem: KEMS.get(kemId).make(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
    suites.set(kemId, s);
  }
  return s;
}

// parsePEM returns the first PEM block of the given type: its headers and bytes
// (the layout Go's encoding/pem writes: headers "Name: value", a blank line,
// then base64).
function parsePEM(text, type, source) {
  const lines = text.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.trim() === `-----BEGIN ${type}-----`);
  if (begin < 0) {
    const hint = text.includes('-----BEGIN HPKE PUBLIC KEY-----')
      ? ' (it is a public key: the origin needs the private key file, <prefix>.pem, not <prefix>.pub.pem)'
      : '';
    throw new DecryptError('key', `${source}: no "${type}" PEM block${hint}`);
  }
  const headers = {};
  let i = begin + 1;
  if (i < lines.length && lines[i].includes(':')) {
    for (; i < lines.length && lines[i].trim() !== ''; i++) {
      const colon = lines[i].indexOf(':');
      if (colon < 0) throw new DecryptError('key', `${source}: bad PEM header line`);
      headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
  }
  let b64 = '';
  for (; i < lines.length && lines[i].trim() !== `-----END ${type}-----`; i++) b64 += lines[i].trim();
  if (i === lines.length) throw new DecryptError('key', `${source}: PEM block "${type}" has no END line`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new DecryptError('key', `${source}: PEM body is not base64`);
  }
  return { headers, bytes: Buffer.from(b64, 'base64') };
}

// parsePrivateKey reads one private key file's content (spec: block "HPKE
// PRIVATE KEY", headers KEM-ID and, optionally, Key-Id).
function parsePrivateKey(pem, source, id) {
  const { headers, bytes } = parsePEM(String(pem), 'HPKE PRIVATE KEY', source);
  const kemText = headers['kem-id'];
  if (!kemText) throw new DecryptError('key', `${source}: no KEM-ID header`);
  const kemId = /^0x[0-9a-fA-F]{4}$/.test(kemText) ? parseInt(kemText.slice(2), 16) : NaN;
  const kem = KEMS.get(kemId);
  if (!kem) throw new DecryptError('key', `${source}: KEM-ID ${kemText} is not 0x0020 (X25519) or 0x647a (X-Wing)`);
  if (bytes.length !== kem.privSize) {
    throw new DecryptError('key', `${source}: a ${kem.name} private key has ${kem.privSize} bytes, not ${bytes.length}`);
  }
  const fileId = headers['key-id'];
  if (fileId !== undefined && id !== undefined && fileId !== id) {
    throw new DecryptError('key', `${source}: the file's Key-Id is ${fileId}, not ${id}`);
  }
  const keyId = fileId ?? id;
  if (keyId === undefined) throw new DecryptError('key', `${source}: no Key-Id header; give the id: {path, id}`);
  if (!KEY_ID.test(keyId)) throw new DecryptError('key', `${source}: bad key id (1-64 of A-Za-z0-9._-)`);
  return { id: keyId, kemId, bytes, cryptoKey: null };
}

/**
 * Reads private key files into a key ring (a Map from key id to key). Load it
 * once at start-up and pass it as privateKeys. Each entry is a path, or
 * {path, id} / {pem, id} for a key file without a Key-Id header. Several keys
 * may be live at once (rotation); two keys with one id are an error.
 */
function loadPrivateKeys(entries) {
  const ring = new Map();
  for (const e of entries) {
    const { path, pem, id } = typeof e === 'string' ? { path: e } : e;
    const source = path ?? `key ${id ?? '(no id)'}`;
    const key = parsePrivateKey(pem ?? fs.readFileSync(path, 'utf8'), source, id);
    if (ring.has(key.id)) throw new DecryptError('key', `${source}: a second key with id ${key.id}`);
    ring.set(key.id, key);
  }
  return ring;
}

/** Splits an ENC:v1 value into its key id and sealed bytes (enc || ct). */
function parseValue(value) {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) {
    throw new DecryptError('malformed', 'not an ENC:v1 value');
  }
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  const keyId = colon < 0 ? '' : rest.slice(0, colon);
  if (!KEY_ID.test(keyId)) throw new DecryptError('malformed', 'ENC:v1 value: bad key id');
  const b64 = rest.slice(colon + 1);
  if (!BASE64URL.test(b64) || b64.length % 4 === 1) {
    throw new DecryptError('malformed', 'ENC:v1 value: not unpadded base64url');
  }
  return { keyId, sealed: Buffer.from(b64, 'base64url') };
}

function bytesOf(v, what) {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return v;
  throw new DecryptError('malformed', `binding: ${what} is missing`);
}

/** The AAD of a binding: each component as a 2-byte big-endian length, then its bytes. */
function bindingAAD({ keyId, distribution, method, path, field }) {
  const parts = [
    ['key id', keyId], ['distribution', distribution], ['method', method], ['path', path], ['field', field],
  ].map(([what, v]) => {
    const b = bytesOf(v, what);
    if (b.length > 0xffff) throw new DecryptError('malformed', `binding: ${what} is longer than 65535 bytes`);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return [len, b];
  });
  return Buffer.concat(parts.flat());
}

function keyRing(privateKeys) {
  if (privateKeys instanceof Map) return privateKeys;
  if (Array.isArray(privateKeys)) return loadPrivateKeys(privateKeys);
  throw new DecryptError('key', 'privateKeys: give loadPrivateKeys([...]) or an array of key files');
}

/**
 * Decrypts one ENC:v1 value. opts: privateKeys (from loadPrivateKeys), and the
 * binding: distribution, method, path (the canonical request path, without
 * query string) and field (the form field's decoded name, or for JSON the
 * value's JSON pointer such as "/card_number"). Resolves to the plaintext
 * bytes (a Buffer); rejects with a DecryptError.
 */
async function decryptValue(value, { privateKeys, distribution, method, path, field }) {
  const { keyId, sealed } = parseValue(value);
  const key = keyRing(privateKeys).get(keyId);
  if (!key) throw new DecryptError('unknown-key', `no private key with id ${keyId}`);
  const aad = bindingAAD({ keyId, distribution, method, path, field });
  const { encSize } = KEMS.get(key.kemId);
  if (sealed.length < encSize + TAG_SIZE) throw new DecryptError('malformed', 'ENC:v1 value: too short');
  const suite = suiteFor(key.kemId);
  key.cryptoKey ??= suite.kem.deserializePrivateKey(new Uint8Array(key.bytes));
  try {
    const pt = await suite.open(
      { recipientKey: await key.cryptoKey, enc: new Uint8Array(sealed.subarray(0, encSize)), info: INFO },
      new Uint8Array(sealed.subarray(encSize)),
      new Uint8Array(aad),
    );
    return Buffer.from(pt);
  } catch {
    throw new DecryptError('open', `cannot decrypt the value of ${describe(field)} with key ${keyId} ` +
      '(wrong key, or the value was moved to another field, path, method or distribution, or altered)');
  }
}

function describe(field) {
  const name = typeof field === 'string' ? field : Buffer.from(field).toString('utf8');
  return `field ${JSON.stringify(name)}`;
}

// percentDecode decodes one application/x-www-form-urlencoded name or value
// to bytes: "+" is a space, %XX a byte; a bad escape is an error.
function percentDecode(s) {
  const src = Buffer.from(s.replace(/\+/g, ' '), 'utf8');
  const out = Buffer.alloc(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== 0x25) {
      out[n++] = src[i];
      continue;
    }
    const hex = src.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new DecryptError('malformed', 'form: bad %-escape');
    out[n++] = parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts every ENC:v1 value of an application/x-www-form-urlencoded body
 * (string or Buffer), each bound to its own field name. opts: as for
 * decryptValue without field, plus requireEncrypted: names of fields that
 * must arrive encrypted (a plain value there is an error: the request did
 * not come through Edgeward's FLE). Resolves to a URLSearchParams with the
 * plaintexts (decoded as UTF-8) in place; use decryptValue for binary values.
 */
async function decryptForm(urlencodedBody, opts) {
  const ring = keyRing(opts.privateKeys);
  const required = new Set(opts.requireEncrypted ?? []);
  const out = new URLSearchParams();
  for (const pair of String(urlencodedBody).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const nameBytes = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
    const valueBytes = percentDecode(eq < 0 ? '' : pair.slice(eq + 1));
    const name = nameBytes.toString('utf8');
    let value = valueBytes.toString('utf8');
    if (value.startsWith(PREFIX)) {
      const pt = await decryptValue(value, { ...opts, privateKeys: ring, field: nameBytes });
      try {
        value = utf8.decode(pt);
      } catch {
        throw new DecryptError('malformed', `field ${JSON.stringify(name)}: the plaintext is not UTF-8 (use decryptValue)`);
      }
    } else if (required.has(name)) {
      throw new DecryptError('malformed', `field ${JSON.stringify(name)} is not encrypted`);
    }
    out.append(name, value);
  }
  return out;
}

module.exports = { loadPrivateKeys, decryptValue, decryptForm, parseValue, bindingAAD, DecryptError };
