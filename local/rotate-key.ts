import { resolve } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { startKmsServer } from './kms/kms-server.js';
import { LOCAL_REGION } from './local-stack.js';
import { rotatePaymentKey } from './signing-keys.js';

/**
 * `npm run keys:rotate`: what `-c paymentKeyGenerations=<new>,<current>` does on AWS, for the
 * local stack. Run it while `npm start` is stopped; the next start signs with the new key.
 */
const dataDir = resolve(process.env.LOCAL_DATA_DIR || '.local');
const kmsServer = await startKmsServer({ dataDir, region: LOCAL_REGION });
const kms = new KMSClient({ endpoint: kmsServer.url, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
try {
  const keys = await rotatePaymentKey(kms, dataDir);
  console.log(`current payment key:  ${keys.paymentKeyArns[0]}`);
  console.log(`previous (trusted):   ${keys.paymentKeyArns[1]}`);
  console.log('Restart npm start to use it.');
} finally {
  kms.destroy();
  await kmsServer.close();
}
