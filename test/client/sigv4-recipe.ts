import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type AuthRequest, createClient } from '../../client/src/index.js';

/**
 * A client for a backend that settles through the IAM authorizer: its role needs
 * execute-api:Invoke on the stack's SettlementRouteArn output, and `apiUrl` is the ApiUrl output
 * (API Gateway's own host: a signature for another host, CloudFront's, is refused).
 */
export function settlementClient(apiUrl: string, region: string) {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: defaultProvider(), // environment, SSO, shared config files, ECS and EC2 roles, web identity
    sha256: Hash.bind(null, 'sha256'),
  });
  // Called for every attempt: each retry is signed afresh, over the very headers and body sent.
  async function signRequest({ method, url, headers, body }: AuthRequest) {
    const { protocol, hostname, host, pathname } = new URL(url);
    const signed = await signer.sign({ method, protocol, hostname, path: pathname, headers: { ...headers, host }, body });
    return signed.headers;
  }
  return createClient({ baseUrl: apiUrl, auth: signRequest });
}
