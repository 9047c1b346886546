import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { RetirementInsideWindowError } from '../infra/key-retirement.js';
import { PAYMENT_KEY_RECORD_FILE, readPaymentKeyRecord } from '../infra/payment-key-record.js';
import { lockDataDirOrExit } from './data-dir-lock.js';
import { startKmsServer } from './kms/kms-server.js';
import { LOCAL_REGION } from './local-stack.js';
import { rotatePaymentKey } from './signing-keys.js';

/**
 * `npm run keys:rotate [-- --force]`: what `npm run keys -- rotate` and a deploy do on AWS, for
 * the local stack, under the same rule: the key it would retire must be past its retirement
 * window (from deploy/payment-keys.json), or forced. Refused while `npm start` runs on the same
 * data; the next start signs with the new key. Exit 1 when refused, 2 on a bad command line.
 */
const REFUSED = 1;
const USAGE = 2;

let force: boolean;
try {
  force = parseArgs({ options: { force: { type: 'boolean' } }, strict: true }).values.force === true;
} catch (error) {
  console.error(`${(error as Error).message}\nUsage: npm run keys:rotate [-- --force]`);
  process.exit(USAGE);
}
const dataDir = resolve(process.env.LOCAL_DATA_DIR || '.local');
mkdirSync(dataDir, { recursive: true });

const release = lockDataDirOrExit(dataDir, 'npm run keys:rotate', REFUSED);

const kmsServer = await startKmsServer({ dataDir, region: LOCAL_REGION });
const kms = new KMSClient({ endpoint: kmsServer.url, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
try {
  const { receiptVerifiableHours } = readPaymentKeyRecord(PAYMENT_KEY_RECORD_FILE);
  const keys = await rotatePaymentKey(kms, dataDir, { now: new Date(), receiptVerifiableHours, force });
  console.log(`current payment key:  ${keys.paymentKeyArns[0]}`);
  console.log(`previous (trusted):   ${keys.paymentKeyArns[1]}`);
  console.log('npm start now signs with it.');
} catch (error) {
  if (!(error instanceof RetirementInsideWindowError)) throw error;
  console.error(`Refused: ${error.message}`);
  process.exitCode = REFUSED;
} finally {
  kms.destroy();
  await kmsServer.close();
  release();
}
