/**
 * The slice of the protobuf wire format TRON transactions need: varints (int32/int64/enum) and
 * length-delimited fields (bytes, strings, sub-messages). proto3 semantics: default values are not written.
 */
import { X402Error } from '@x402kit/core';
import { TronReasons } from './reasons.js';

/**
 * Malformed protobuf bytes (truncated varint, length past the end, unsupported wire type); reason
 * `tron_protobuf_malformed`.
 *
 * @example
 * try { readProtoFields(bytes) } catch (e) { if (e instanceof ProtoDecodeError) console.log(e.message) }
 */
export class ProtoDecodeError extends X402Error {
  override name = 'ProtoDecodeError';

  constructor(message: string) {
    super(TronReasons.protobufMalformed, message);
  }
}

/**
 * One field as read from the wire: a varint (as unsigned 64-bit bigint) or length-delimited bytes.
 *
 * @example
 * const f: ProtoField = { field: 1, wire: 'bytes', bytes: new Uint8Array([1]) };
 */
export type ProtoField =
  | { field: number; wire: 'varint'; value: bigint }
  | { field: number; wire: 'bytes'; bytes: Uint8Array };

const TWO_64 = 1n << 64n;

/**
 * Builds a protobuf message field by field, in the order written (write in field-number order to match
 * the canonical serializers).
 *
 * @example
 * const w = new ProtoWriter(); w.varint(1, 31n); w.bytes(2, new Uint8Array([1])); w.finish();
 */
export class ProtoWriter {
  private readonly chunks: number[] = [];

  /** Writes a varint field (int64 negatives as 10-byte two's complement); skips 0. */
  varint(field: number, value: bigint | number): this {
    let v = BigInt(value);
    if (v === 0n) return this;
    if (v < 0n) v += TWO_64;
    this.tag(field, 0);
    this.raw(v);
    return this;
  }

  /** Writes a length-delimited field; skips empty bytes. */
  bytes(field: number, value: Uint8Array): this {
    if (value.length === 0) return this;
    this.tag(field, 2);
    this.raw(BigInt(value.length));
    for (const b of value) this.chunks.push(b);
    return this;
  }

  /** The message bytes. */
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private tag(field: number, wire: number): void {
    this.raw(BigInt((field << 3) | wire));
  }

  private raw(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }
}

/**
 * Reads every field of a message. Only wire types 0 (varint) and 2 (length-delimited) are accepted.
 *
 * @throws {ProtoDecodeError} on malformed bytes.
 * @example
 * readProtoFields(new Uint8Array([0x08, 0x1f])); // [{ field: 1, wire: 'varint', value: 31n }]
 */
export function readProtoFields(bytes: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new ProtoDecodeError('truncated varint');
      const b = bytes[pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result >= TWO_64) throw new ProtoDecodeError('varint longer than 64 bits');
        return result;
      }
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  };
  while (pos < bytes.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0 || field > 536_870_911) throw new ProtoDecodeError(`invalid field number ${field}`);
    if (wire === 0) {
      out.push({ field, wire: 'varint', value: varint() });
    } else if (wire === 2) {
      const length = varint();
      if (length > BigInt(bytes.length - pos)) throw new ProtoDecodeError(`field ${field} runs past the end`);
      out.push({ field, wire: 'bytes', bytes: bytes.subarray(pos, pos + Number(length)) });
      pos += Number(length);
    } else {
      throw new ProtoDecodeError(`field ${field} has unsupported wire type ${wire}`);
    }
  }
  return out;
}

/**
 * Interprets an unsigned 64-bit varint as a signed int64.
 *
 * @example
 * toInt64((1n << 64n) - 1n); // -1n
 */
export function toInt64(value: bigint): bigint {
  return value >= 1n << 63n ? value - TWO_64 : value;
}
