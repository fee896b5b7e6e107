/**
 * The `sign-in-with-x` extension (SIWX, CAIP-122): a payer who paid for a resource once proves it
 * owns the paying wallet by signing a sign-in message, and gets the resource again without paying.
 * The server puts a fresh challenge in each 402 (`extensions["sign-in-with-x"]`: `info` with domain,
 * uri, nonce, issuedAt, ...; `supportedChains`; a JSON Schema of the proof); the client signs the
 * message built from it and sends the proof, base64 JSON, in the `SIGN-IN-WITH-X` request header.
 *
 * Wire facts (shared with the reference `@x402/extensions` 2.27): EVM chains sign an EIP-4361
 * (Sign-In with Ethereum) message with EIP-191 (`personal_sign`), smart wallets through EIP-1271 /
 * EIP-6492; Solana signs the same text with "Solana account" and the genesis-hash chain reference,
 * ed25519, the signature in Base58. Failure codes are the reference's `invalid_siwx_*` codes.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { z } from 'zod';
import { decodeBase58, encodeBase58 } from '../base58.js';
import { decodeBase64, encodeBase64 } from '../protocol/codec.js';
import { X402Error } from '../protocol/errors.js';
import { defineReasons } from '../protocol/reason-registry.js';

/** The extension key in `extensions`. */
export const SIGN_IN_WITH_X = 'sign-in-with-x';
/** The request header that carries the proof. */
export const SIWX_HEADER = 'SIGN-IN-WITH-X';

/** Reason codes of SIWX refusals (the reference's codes, and ours for a proof of no payment). */
export const SiwxReasons = defineReasons('@x402kit/core/sign-in-with-x', {
  /** The header is not base64 JSON of a proof. */
  malformed: 'invalid_siwx_header',
  domainMismatch: 'invalid_siwx_domain_mismatch',
  uriMismatch: 'invalid_siwx_uri_mismatch',
  issuedAt: 'invalid_siwx_issued_at',
  issuedAtTooOld: 'invalid_siwx_issued_at_too_old',
  issuedAtInFuture: 'invalid_siwx_issued_at_in_future',
  expirationTime: 'invalid_siwx_expiration_time',
  expired: 'invalid_siwx_expired',
  notBefore: 'invalid_siwx_not_before',
  notYetValid: 'invalid_siwx_not_yet_valid',
  /** The nonce was already used (a replay). */
  nonce: 'invalid_siwx_nonce',
  signature: 'invalid_siwx_signature',
  chainId: 'invalid_siwx_chain_id',
  /** The proof names a chain the server does not verify (no verifier for its namespace). */
  unsupportedChain: 'invalid_siwx_unsupported_chain',
  malformedSignature: 'invalid_siwx_malformed_signature',
  /** The verifier failed (an RPC error while checking a smart wallet). */
  verifierError: 'invalid_siwx_verifier_error',
  /** The signature is valid but that address has not paid for this resource. */
  notPaid: 'siwx_not_paid',
});
/** A reason code of {@link SiwxReasons}. */
export type SiwxReason = (typeof SiwxReasons)[keyof typeof SiwxReasons];

/** The signature algorithm of a chain (CAIP-122). */
export type SiwxSignatureType = 'eip191' | 'ed25519';
/** A chain the server accepts sign-ins from. */
export type SiwxSupportedChain = {
  chainId: string;
  type: SiwxSignatureType;
  signatureScheme?: 'eip191' | 'eip1271' | 'eip6492' | 'siws';
};

/** The message fields the server chooses (`info` of the declaration). */
export type SiwxInfo = {
  domain: string;
  uri: string;
  statement?: string;
  version: string;
  nonce: string;
  issuedAt: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
};

/** The challenge in a 402's `extensions["sign-in-with-x"]`. */
export type SiwxDeclaration = {
  info: SiwxInfo;
  supportedChains: SiwxSupportedChain[];
  schema: Record<string, unknown>;
};

/** The proof in the `SIGN-IN-WITH-X` header: the message fields, the signer and the signature. */
export const SiwxPayload = z.object({
  domain: z.string(),
  address: z.string(),
  statement: z.string().optional(),
  uri: z.string(),
  version: z.string(),
  chainId: z.string(),
  type: z.enum(['eip191', 'ed25519']),
  nonce: z.string(),
  issuedAt: z.string(),
  expirationTime: z.string().optional(),
  notBefore: z.string().optional(),
  requestId: z.string().optional(),
  resources: z.array(z.string()).optional(),
  signatureScheme: z.enum(['eip191', 'eip1271', 'eip6492', 'siws']).optional(),
  signature: z.string(),
});
export type SiwxPayload = z.infer<typeof SiwxPayload>;

/** The message fields plus the chain chosen, what {@link formatSiwxMessage} needs. */
export type SiwxMessageFields = Omit<SiwxPayload, 'address' | 'signature' | 'type' | 'signatureScheme'>;

/**
 * The JSON Schema (2020-12) of a proof, as the reference declares it.
 *
 * @example declaration.schema = siwxSchema()
 */
export function siwxSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      domain: { type: 'string' },
      address: { type: 'string' },
      statement: { type: 'string' },
      uri: { type: 'string', format: 'uri' },
      version: { type: 'string' },
      chainId: { type: 'string' },
      type: { type: 'string' },
      nonce: { type: 'string' },
      issuedAt: { type: 'string', format: 'date-time' },
      expirationTime: { type: 'string', format: 'date-time' },
      notBefore: { type: 'string', format: 'date-time' },
      requestId: { type: 'string' },
      resources: { type: 'array', items: { type: 'string', format: 'uri' } },
      signature: { type: 'string' },
    },
    required: ['domain', 'address', 'uri', 'version', 'chainId', 'type', 'nonce', 'issuedAt', 'signature'],
  };
}

/**
 * The signature type of a CAIP-2 network: ed25519 for `solana:*`, EIP-191 otherwise.
 *
 * @example siwxSignatureType('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1') // 'ed25519'
 */
export function siwxSignatureType(network: string): SiwxSignatureType {
  return network.startsWith('solana:') ? 'ed25519' : 'eip191';
}

/** Options of {@link createSiwxChallenge}. */
export type SiwxChallengeOptions = {
  /** The public origin the proof must name, e.g. `https://api.example.com` (no path). */
  origin: string;
  /** The resource path (and query) the 402 is for, e.g. `/weather`. */
  path: string;
  /** CAIP-2 networks accepted (usually the networks of the route's offers). */
  networks: readonly string[];
  statement?: string;
  /** Seconds the signed message stays valid; default 300. */
  expirationSeconds?: number;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
};

/**
 * A fresh challenge for one 402: domain and uri bound to the origin and path, 32 hex digits of
 * nonce, issued now, expiring after `expirationSeconds`.
 *
 * @example
 * createSiwxChallenge({ origin: 'https://api.example.com', path: '/weather', networks: ['eip155:84532'] })
 */
export function createSiwxChallenge(options: SiwxChallengeOptions): SiwxDeclaration {
  const origin = parseOrigin(options.origin);
  const uri = new URL(options.path, origin).toString();
  const now = (options.now ?? Date.now)();
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  const info: SiwxInfo = {
    domain: origin.host,
    uri,
    version: '1',
    nonce: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''),
    issuedAt: new Date(now).toISOString(),
    resources: [uri],
    expirationTime: new Date(now + (options.expirationSeconds ?? 300) * 1000).toISOString(),
    ...(options.statement ? { statement: options.statement } : {}),
  };
  const chains = [...new Set(options.networks)];
  return {
    info,
    supportedChains: chains.map((chainId) => ({ chainId, type: siwxSignatureType(chainId) })),
    schema: siwxSchema(),
  };
}

/**
 * An origin (`http(s)://host[:port]`, nothing else) as a URL. Throws an `X402Error`
 * (`invalid_siwx_uri_mismatch`) for anything else.
 *
 * @example parseOrigin('https://api.example.com').host // 'api.example.com'
 */
export function parseOrigin(origin: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new X402Error(SiwxReasons.uriMismatch, `SIWX origin "${origin}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new X402Error(
      SiwxReasons.uriMismatch,
      `SIWX origin "${origin}" must be http(s) without credentials`,
    );
  if (url.pathname !== '/' || url.search || url.hash)
    throw new X402Error(
      SiwxReasons.uriMismatch,
      `SIWX origin "${origin}" must have no path, query or fragment`,
    );
  return url;
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** EIP-55 form of a 20-byte hex address; mixed-case input is kept as written. */
function checksummed(address: string): string {
  if (!HEX_ADDRESS.test(address)) return address;
  const digits = address.slice(2);
  if (digits !== digits.toLowerCase() && digits !== digits.toUpperCase()) return address;
  const lower = digits.toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < lower.length; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  }
  return out;
}

/**
 * The text a wallet signs: EIP-4361 (Sign-In with Ethereum) for `eip155:*`, its Solana form (SIWS)
 * for `solana:*`, byte for byte as the reference builds them. Throws an `X402Error`
 * (`invalid_siwx_chain_id` / `invalid_siwx_unsupported_chain`) for another chain id.
 *
 * @example
 * formatSiwxMessage({ ...challenge.info, chainId: 'eip155:84532' }, account.address)
 * // 'api.example.com wants you to sign in with your Ethereum account:\n0xAb…\n\n\nURI: …'
 */
export function formatSiwxMessage(fields: SiwxMessageFields, address: string): string {
  if (fields.chainId.startsWith('eip155:')) {
    const match = /^eip155:(\d+)$/.exec(fields.chainId);
    if (!match) throw new X402Error(SiwxReasons.chainId, `"${fields.chainId}" is not eip155:<number>`);
    const head = `${fields.domain} wants you to sign in with your Ethereum account:\n${checksummed(address)}`;
    const lines = [
      `URI: ${fields.uri}`,
      `Version: ${fields.version}`,
      `Chain ID: ${Number.parseInt(match[1]!, 10)}`,
      `Nonce: ${fields.nonce}`,
    ];
    if (fields.issuedAt) lines.push(`Issued At: ${fields.issuedAt}`);
    if (fields.expirationTime) lines.push(`Expiration Time: ${fields.expirationTime}`);
    if (fields.notBefore) lines.push(`Not Before: ${fields.notBefore}`);
    if (fields.requestId !== undefined) lines.push(`Request ID: ${fields.requestId}`);
    if (fields.resources) lines.push(['Resources:', ...fields.resources.map((r) => `- ${r}`)].join('\n'));
    const top = fields.statement === undefined ? `${head}\n\n` : `${head}\n\n${fields.statement}\n`;
    return `${top}\n${lines.join('\n')}`;
  }
  if (fields.chainId.startsWith('solana:')) {
    const lines = [`${fields.domain} wants you to sign in with your Solana account:`, address, ''];
    if (fields.statement) lines.push(fields.statement, '');
    lines.push(
      `URI: ${fields.uri}`,
      `Version: ${fields.version}`,
      `Chain ID: ${fields.chainId.split(':')[1] ?? ''}`,
      `Nonce: ${fields.nonce}`,
      `Issued At: ${fields.issuedAt}`,
    );
    if (fields.expirationTime) lines.push(`Expiration Time: ${fields.expirationTime}`);
    if (fields.notBefore) lines.push(`Not Before: ${fields.notBefore}`);
    if (fields.requestId) lines.push(`Request ID: ${fields.requestId}`);
    if (fields.resources && fields.resources.length > 0)
      lines.push('Resources:', ...fields.resources.map((r) => `- ${r}`));
    return lines.join('\n');
  }
  throw new X402Error(
    SiwxReasons.unsupportedChain,
    `chain "${fields.chainId}" is not supported: use eip155:* or solana:*`,
  );
}

/**
 * The `SIGN-IN-WITH-X` header value of a proof: base64 of its JSON.
 *
 * @example headers.set(SIWX_HEADER, encodeSiwxHeader(proof))
 */
export function encodeSiwxHeader(payload: SiwxPayload): string {
  return encodeBase64(JSON.stringify(payload));
}

/**
 * The proof in a `SIGN-IN-WITH-X` header. Throws an `X402Error` (`invalid_siwx_header`) naming what
 * is wrong: not base64, not JSON, or a field missing or of the wrong type.
 *
 * @example const proof = parseSiwxHeader(request.headers.get('sign-in-with-x') ?? '')
 */
export function parseSiwxHeader(header: string): SiwxPayload {
  if (header.length === 0 || header.length > 16_384 || !/^[A-Za-z0-9+/]+={0,2}$/.test(header))
    throw new X402Error(SiwxReasons.malformed, 'the SIGN-IN-WITH-X header is not base64');
  let json: unknown;
  try {
    json = JSON.parse(decodeBase64(header));
  } catch {
    throw new X402Error(SiwxReasons.malformed, 'the SIGN-IN-WITH-X header is not base64 JSON');
  }
  const parsed = SiwxPayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new X402Error(SiwxReasons.malformed, `the SIGN-IN-WITH-X proof is invalid: ${issues}`);
  }
  return parsed.data;
}

/** A refusal: the reason code and what to tell the caller. */
export type SiwxRefusal = { reason: SiwxReason; message: string };

/** What a proof's fields must match, see {@link checkSiwxFields}. */
export type SiwxExpectation = {
  /** The server's public origin. */
  origin: string;
  /** The path of the resource asked for (the proof's `uri` must name it). */
  path: string;
  /** Oldest `issuedAt` accepted, in ms; default 5 minutes. */
  maxAgeMs?: number;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
};

/**
 * Check a proof's fields (not its signature): domain = the origin's host, uri on the origin and for
 * this path, issuedAt recent and not in the future, expirationTime ahead, notBefore passed.
 *
 * @example
 * const refusal = checkSiwxFields(proof, { origin: 'https://api.example.com', path: '/weather' })
 */
export function checkSiwxFields(payload: SiwxPayload, expect: SiwxExpectation): SiwxRefusal | undefined {
  const origin = parseOrigin(expect.origin);
  const now = (expect.now ?? Date.now)();
  const maxAgeMs = expect.maxAgeMs ?? 5 * 60_000;
  if (payload.domain !== origin.host)
    return {
      reason: SiwxReasons.domainMismatch,
      message: `domain "${payload.domain}" is not "${origin.host}"`,
    };
  let uri: URL;
  try {
    uri = new URL(payload.uri);
  } catch {
    return { reason: SiwxReasons.uriMismatch, message: `uri "${payload.uri}" is not a URL` };
  }
  if (uri.origin !== origin.origin)
    return { reason: SiwxReasons.uriMismatch, message: `uri "${payload.uri}" is not on ${origin.origin}` };
  if (uri.pathname.toLowerCase() !== new URL(expect.path, origin).pathname.toLowerCase())
    return { reason: SiwxReasons.uriMismatch, message: `uri "${payload.uri}" is not for ${expect.path}` };
  const issuedAt = Date.parse(payload.issuedAt);
  if (Number.isNaN(issuedAt)) return { reason: SiwxReasons.issuedAt, message: 'issuedAt is not a time' };
  if (now - issuedAt > maxAgeMs)
    return { reason: SiwxReasons.issuedAtTooOld, message: `issuedAt is older than ${maxAgeMs / 1000} s` };
  if (issuedAt - now > 5_000)
    return { reason: SiwxReasons.issuedAtInFuture, message: 'issuedAt is in the future' };
  if (payload.expirationTime !== undefined) {
    const expires = Date.parse(payload.expirationTime);
    if (Number.isNaN(expires))
      return { reason: SiwxReasons.expirationTime, message: 'expirationTime is not a time' };
    if (expires <= now) return { reason: SiwxReasons.expired, message: 'the sign-in message expired' };
  }
  if (payload.notBefore !== undefined) {
    const notBefore = Date.parse(payload.notBefore);
    if (Number.isNaN(notBefore)) return { reason: SiwxReasons.notBefore, message: 'notBefore is not a time' };
    if (notBefore > now)
      return { reason: SiwxReasons.notYetValid, message: 'the sign-in message is not valid yet' };
  }
  return undefined;
}

/**
 * Checks one chain family's signature of a sign-in message: true when `signature` is `address`'s
 * over `message`. Throwing means the check could not be made (`invalid_siwx_verifier_error`).
 */
export type SiwxVerifier = (input: {
  address: string;
  message: string;
  signature: string;
  chainId: string;
}) => Promise<boolean>;

/** Verifiers by CAIP-2 namespace (`eip155`, `solana`). */
export type SiwxVerifiers = Readonly<Record<string, SiwxVerifier>>;

/**
 * Verify a Solana sign-in (ed25519 over the SIWS text, Base58 signature and address) with Web Crypto.
 *
 * @example const verifiers = { solana: verifySolanaSiwx, eip155: createEvmSiwxVerifier() }
 */
export const verifySolanaSiwx: SiwxVerifier = async ({ address, message, signature }) => {
  const key = decodeBase58(address);
  const sig = decodeBase58(signature);
  if (key?.length !== 32 || sig?.length !== 64) return false;
  const subtle = globalThis.crypto.subtle;
  const publicKey = await subtle.importKey('raw', bytesOf(key), { name: 'Ed25519' }, false, ['verify']);
  return subtle.verify({ name: 'Ed25519' }, publicKey, bytesOf(sig), new TextEncoder().encode(message));
};

function bytesOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * Verify a proof's signature with the verifier of its chain's namespace. Resolves the signer's
 * address, or the refusal.
 *
 * @example
 * const result = await verifySiwxSignature(proof, { eip155: createEvmSiwxVerifier() })
 * if (result.ok) console.log('signed in as', result.address)
 */
export async function verifySiwxSignature(
  payload: SiwxPayload,
  verifiers: SiwxVerifiers,
): Promise<{ ok: true; address: string } | ({ ok: false } & SiwxRefusal)> {
  const namespace = payload.chainId.split(':')[0] ?? '';
  const verify = verifiers[namespace];
  if (!verify)
    return {
      ok: false,
      reason: SiwxReasons.unsupportedChain,
      message: `this server verifies no sign-in on ${payload.chainId}`,
    };
  let message: string;
  try {
    message = formatSiwxMessage(payload, payload.address);
  } catch (error) {
    return { ok: false, ...refusalOf(error, SiwxReasons.chainId) };
  }
  if (namespace === 'eip155' && !/^0x[0-9a-fA-F]*$/.test(payload.signature))
    return { ok: false, reason: SiwxReasons.malformedSignature, message: 'the signature is not hex' };
  let valid: boolean;
  try {
    valid = await verify({
      address: payload.address,
      message,
      signature: payload.signature,
      chainId: payload.chainId,
    });
  } catch (error) {
    return { ok: false, ...refusalOf(error, SiwxReasons.verifierError) };
  }
  if (!valid)
    return { ok: false, reason: SiwxReasons.signature, message: 'the signature does not match the address' };
  return { ok: true, address: payload.address };
}

function refusalOf(error: unknown, fallback: SiwxReason): SiwxRefusal {
  if (error instanceof X402Error) return { reason: error.reason as SiwxReason, message: error.message };
  return { reason: fallback, message: error instanceof Error ? error.message : String(error) };
}

/** A wallet that signs sign-in messages (a viem account fits through {@link evmSiwxSigner}). */
export type SiwxSigner = {
  address: string;
  type: SiwxSignatureType;
  /** The signature as the wire wants it: `0x` hex (EVM), Base58 (Solana). */
  signMessage(message: string): Promise<string>;
};

/**
 * A SIWX signer over an EVM account that signs EIP-191 messages (viem's `privateKeyToAccount`, a
 * wallet client's account).
 *
 * @example const signer = evmSiwxSigner(privateKeyToAccount(key))
 */
export function evmSiwxSigner(account: {
  address: string;
  signMessage(args: { message: string }): Promise<string>;
}): SiwxSigner {
  return {
    address: account.address,
    type: 'eip191',
    signMessage: (message) => account.signMessage({ message }),
  };
}

/**
 * A SIWX signer over an ed25519 key pair (Web Crypto `CryptoKeyPair`, the Solana key's public half
 * as its address).
 *
 * @example const signer = await solanaSiwxSigner(keyPair)
 */
export async function solanaSiwxSigner(keys: CryptoKeyPair): Promise<SiwxSigner> {
  const raw = new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', keys.publicKey));
  return {
    address: encodeBase58(raw),
    type: 'ed25519',
    async signMessage(message) {
      const sig = await globalThis.crypto.subtle.sign(
        { name: 'Ed25519' },
        keys.privateKey,
        new TextEncoder().encode(message),
      );
      return encodeBase58(new Uint8Array(sig));
    },
  };
}

/**
 * Answer a 402's SIWX challenge: pick the first supported chain of the signer's type, check the
 * challenge is bound to the URL that answered (domain and uri origin; a challenge for another site
 * is refused), sign, and return the proof. `undefined` when no chain fits the signer.
 *
 * @example
 * const proof = await createSiwxProof(paymentRequired.extensions['sign-in-with-x'], signer, url)
 * if (proof) headers.set(SIWX_HEADER, encodeSiwxHeader(proof))
 */
export async function createSiwxProof(
  declaration: SiwxDeclaration,
  signer: SiwxSigner,
  requestUrl: string,
): Promise<SiwxPayload | undefined> {
  const chain = declaration.supportedChains?.find((c) => c.type === signer.type);
  if (!chain) return undefined;
  const url = new URL(requestUrl);
  const { info } = declaration;
  if (info.domain !== url.host || new URL(info.uri).origin !== url.origin) {
    throw new X402Error(
      SiwxReasons.uriMismatch,
      `the SIWX challenge names ${info.domain} (${info.uri}), not ${url.origin}: not signing it`,
    );
  }
  const fields: SiwxMessageFields = { ...pickInfo(info), chainId: chain.chainId };
  const signature = await signer.signMessage(formatSiwxMessage(fields, signer.address));
  return {
    ...fields,
    address: signer.address,
    type: chain.type,
    ...(chain.signatureScheme ? { signatureScheme: chain.signatureScheme } : {}),
    signature,
  };
}

function pickInfo(info: SiwxInfo): Omit<SiwxMessageFields, 'chainId'> {
  const out: Omit<SiwxMessageFields, 'chainId'> = {
    domain: info.domain,
    uri: info.uri,
    version: info.version,
    nonce: info.nonce,
    issuedAt: info.issuedAt,
  };
  for (const key of ['statement', 'expirationTime', 'notBefore', 'requestId', 'resources'] as const) {
    if (info[key] !== undefined) Object.assign(out, { [key]: info[key] });
  }
  return out;
}
