import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createPublicKeyJwkHandler } from './create-handler.js';
import { publicKeyJwkEnvSchema } from './env.js';

// The Lambda entry of the deploy-time custom resource (see create-handler.ts).
export const handler = createPublicKeyJwkHandler(new KMSClient(awsClientOptions(parseEnv(publicKeyJwkEnvSchema))));
