import { type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import ecdsaSigFormatter from 'ecdsa-sig-formatter';
import type { JwsSigner } from '../domain/jws-signer.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import { base64url } from './base64url.js';
import { toLowS } from './ecdsa-low-s.js';
import { kidOfKeyArn } from './kms-key-id.js';
import { SigningUnavailableError } from '../errors.js';
import { withinDeadline } from './aws/call-deadline.js';
import { asOutage } from './aws/outage.js';

/**
 * Signs compact JWS (ES256) with a KMS key that never leaves KMS. The algorithm is fixed
 * here, never taken from input. KMS returns an ASN.1 DER ECDSA signature; JWS wants the
 * 64-byte r‖s form (RFC 7518 §3.4), which ecdsa-sig-formatter converts to, in its low-S
 * spelling (see ecdsa-low-s.ts).
 */
export class KmsJwsSigner implements JwsSigner {
  readonly kid: string;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyArn: string,
  ) {
    this.kid = kidOfKeyArn(keyArn);
  }

  async sign(typ: string, claims: Record<string, unknown>): Promise<string> {
    const header = { alg: SIGNING_ALGORITHM, kid: this.kid, typ };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = await this.#kmsSign(signingInput);
    const rs = Buffer.from(ecdsaSigFormatter.derToJose(Buffer.from(signature), SIGNING_ALGORITHM), 'base64url');
    return `${signingInput}.${base64url(toLowS(rs))}`;
  }

  /** The DER signature of KMS over the ASCII signing input; an outage is SigningUnavailableError (503). */
  async #kmsSign(signingInput: string): Promise<Uint8Array> {
    try {
      // RAW: KMS hashes with SHA-256 itself. The signing input is far below KMS's 4096-byte limit.
      const { Signature } = await this.kms.send(
        new SignCommand({ KeyId: this.keyArn, Message: Buffer.from(signingInput, 'ascii'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
        withinDeadline(),
      );
      if (!Signature) throw new Error('KMS Sign returned no signature');
      return Signature;
    } catch (error) {
      return asOutage(error, (cause) => new SigningUnavailableError(cause));
    }
  }
}
