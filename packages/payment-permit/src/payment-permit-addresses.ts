/**
 * Where BofAI's `PaymentPermit` contract is deployed, per network, in each chain's own address form:
 * 0x hex on BSC, Base58Check on TRON. The one list: the EVM and TRON schemes and the devnet (which
 * places our build of the contract at these addresses) all read it from here.
 */
import type { Address } from 'viem';

/**
 * The `PaymentPermit` address on BSC (56) and BSC testnet (97): the same on both.
 *
 * @example PAYMENT_PERMIT_ADDRESSES['eip155:97'] === BSC_PAYMENT_PERMIT_ADDRESS // true
 */
export const BSC_PAYMENT_PERMIT_ADDRESS: Address = '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878';

/**
 * The `PaymentPermit` deployments known on EVM networks (BofAI's registry), by CAIP-2 id.
 *
 * @example PAYMENT_PERMIT_ADDRESSES['eip155:56'] // '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878'
 */
export const PAYMENT_PERMIT_ADDRESSES: Readonly<Record<string, Address>> = {
  'eip155:56': BSC_PAYMENT_PERMIT_ADDRESS,
  'eip155:97': BSC_PAYMENT_PERMIT_ADDRESS,
};

/**
 * BofAI `PaymentPermit` deployments on TRON (reference §1.3), Base58Check, per canonical network.
 *
 * @example
 * PAYMENT_PERMIT_TRON_ADDRESSES['tron:nile']; // 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH'
 */
export const PAYMENT_PERMIT_TRON_ADDRESSES: Readonly<
  Record<'tron:mainnet' | 'tron:nile' | 'tron:shasta', string>
> = Object.freeze({
  'tron:mainnet': 'TT8rEWbCoNX7vpEUauxb7rWJsTgs8vDLAn',
  'tron:nile': 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH',
  'tron:shasta': 'TR2XninQ3jsvRRLGTifFyUHTBysffooUjt',
});
