import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient, type SignCommand } from '@aws-sdk/client-kms';
import { KeyStore } from '../../local/kms/key-store.js';
import { startKmsServer } from '../../local/kms/kms-server.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { PAYMENT_RESPONSE_TYP, type PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import { BENCH_AWS } from './aws.js';

export interface BenchKms {
  url: string;
  paymentKeyArn: string;
  verdictKeyArn: string;
  /** Signs configuration answers (CreateKey), as the config function's key. */
  configKeyArn: string;
  /** The payment key's public half, as KMS's GetPublicKey gives it. */
  paymentPublicKey: KeyObject;
  /**
   * A payment response as settlement signs it (KmsJwsSigner: header, claims, low-S), made with
   * the payment key's private half in this process: thousands of tokens without a KMS call each.
   */
  mintPaymentResponse(claims: PaymentResponseClaims): Promise<string>;
  /** Sign requests the endpoint answered with a signature. */
  signed(): number;
  /** Requests it refused with ThrottlingException, over `requestsPerSecond`. */
  throttled(): number;
  close(): Promise<void>;
}

/**
 * The local KMS endpoint holding a payment key whose private half the bench holds too (written
 * to the endpoint's key store before it starts, as an earlier run would have left it), so that
 * handlers load the key from KMS as in production, and a verdict key and a config key made by
 * CreateKey. With `requestsPerSecond`, it answers ThrottlingException above that many Sign
 * requests a second, as the account's KMS quota does.
 */
export async function startBenchKms(options: { requestsPerSecond?: number } = {}): Promise<BenchKms> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-kms-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const paymentKeyId = randomUUID();
  const store = await KeyStore.open(join(dataDir, 'kms', 'keys')); // where startKmsServer keeps its keys
  await store.save({ keyId: paymentKeyId, keySpec: 'ECC_NIST_P256', description: 'bench payment key', creationDate: new Date(), privateKey });
  const server = await startKmsServer({ dataDir, port: 0, requestsPerSecond: options.requestsPerSecond });
  const close = async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  const kms = new KMSClient({ ...BENCH_AWS, endpoint: server.url });
  const createKey = async (Description: string) =>
    (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description }))).KeyMetadata!.Arn!;
  let verdictKeyArn: string;
  let configKeyArn: string;
  try {
    verdictKeyArn = await createKey('bench verdict key');
    configKeyArn = await createKey('bench config key');
  } catch (error) {
    await close();
    throw error;
  } finally {
    kms.destroy();
  }
  const paymentKeyArn = `arn:aws:kms:${BENCH_AWS.region}:000000000000:key/${paymentKeyId}`;
  // KMS Sign (RAW, ECDSA_SHA_256) answered here with the key: a DER signature, as KMS returns it.
  const inProcessKms = { send: async (command: SignCommand) => ({ Signature: sign('sha256', command.input.Message!, privateKey) }) };
  const signer = new KmsJwsSigner(inProcessKms as unknown as KMSClient, paymentKeyArn);
  return {
    url: server.url,
    paymentKeyArn,
    verdictKeyArn,
    configKeyArn,
    paymentPublicKey: publicKey,
    mintPaymentResponse: (claims) => signer.sign(PAYMENT_RESPONSE_TYP, claims),
    signed: () => server.callCount('Sign'),
    throttled: () => server.throttledCount(),
    close,
  };
}
