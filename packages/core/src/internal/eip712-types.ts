/**
 * EIP-712 (and TIP-712) `types` objects written once, as the canonical `encodeType` strings the
 * contracts and specs quote (`Name(type name,type name,...)`), instead of `{ name, type }` lists
 * by hand. Plain data with no chain library, so the browser paywall script can embed it too.
 */
import { X402Error } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';

/** One `type name` member of an encodeType string as an EIP-712 field, e.g. `{ name: 'from'; type: 'address' }`. */
export type Eip712Field<Member extends string> = Member extends `${infer Type} ${infer Name}`
  ? { readonly name: Name; readonly type: Type }
  : never;

/** The comma-separated members of an encodeType string as a readonly tuple of {@link Eip712Field}s. */
export type Eip712Fields<Members extends string> = Members extends ''
  ? readonly []
  : Members extends `${infer Head},${infer Rest}`
    ? readonly [Eip712Field<Head>, ...Eip712Fields<Rest>]
    : readonly [Eip712Field<Members>];

/**
 * What {@link eip712Types} returns for `Structs`: the same type an `as const` object literal has,
 * so viem infers the message of `signTypedData` / `hashTypedData` / `verifyTypedData` from it.
 */
export type Eip712Types<Structs extends readonly string[]> = {
  readonly [Struct in Structs[number] as Struct extends `${infer Name}(${string}`
    ? Name
    : never]: Struct extends `${string}(${infer Members})` ? Eip712Fields<Members> : never;
};

const STRUCT = /^([A-Za-z_$][\w$]*)\(([^()]*)\)$/;
const MEMBER = /^([A-Za-z_$][\w$]*)((?:\[\d*\])*) ([A-Za-z_$][\w$]*)$/;
const ELEMENTARY =
  /^(?:address|bool|string|bytes(?:[1-9]|[12]\d|3[0-2])?|u?int(?:8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?)$/;

/**
 * The EIP-712 `types` object of one or more structs, each given as its encodeType string
 * (`Name(type name,...)`, no spaces but the one between type and name). Struct types a member
 * names must be among the arguments. Throws on a malformed string (an `X402Error`
 * `invalid_argument`): a programming error, found when the module declaring the types loads.
 *
 * @example
 * const depositPermit2Types = eip712Types(
 *   'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,DepositWitness witness)',
 *   'TokenPermissions(address token,uint256 amount)',
 *   'DepositWitness(bytes32 channelId)',
 * );
 * // { PermitWitnessTransferFrom: [{ name: 'permitted', type: 'TokenPermissions' }, …], TokenPermissions: […], DepositWitness: […] }
 */
export function eip712Types<const Structs extends readonly string[]>(
  ...structs: Structs
): Eip712Types<Structs> {
  const types: Record<string, Array<{ name: string; type: string }>> = {};
  const referenced: string[] = [];
  for (const struct of structs) {
    const [, name = '', members = ''] = STRUCT.exec(struct) ?? fail(struct, 'is not Name(type name,...)');
    if (Object.hasOwn(types, name)) fail(struct, `declares ${name} twice`);
    types[name] = (members === '' ? [] : members.split(',')).map((member) => {
      const [, base = '', arrays = '', field = ''] =
        MEMBER.exec(member) ?? fail(struct, `has "${member}", not "type name"`);
      if (!ELEMENTARY.test(base)) referenced.push(base);
      return { name: field, type: base + arrays };
    });
  }
  for (const base of referenced) {
    if (!Object.hasOwn(types, base)) fail(structs.join(''), `references ${base}, not given`);
  }
  return types as unknown as Eip712Types<Structs>;
}

function fail(struct: string, why: string): never {
  throw new X402Error(Reasons.invalidArgument, `eip712Types: "${struct}" ${why}`);
}

/**
 * The EIP-712 domain type of a `{ name, version, chainId, verifyingContract }` domain (EIP-3009
 * tokens, the batch-settlement escrow), for hashing a domain separator or `eth_signTypedData_v4`.
 *
 * @example
 * hashDomain({ domain: { name, version, chainId, verifyingContract }, types: EIP712_DOMAIN_TYPES })
 */
export const EIP712_DOMAIN_TYPES = eip712Types(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
);
