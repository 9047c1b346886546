/**
 * The `--env-vars` file of `sam local invoke` for the running local stack: the environment the
 * stack gives its own functions, with its DynamoDB and KMS reached from SAM's container.
 *
 * SAM applies a variable from this file only if the template declares it on the function;
 * the synth with `-c samLocal=true` declares the SDK's endpoint variables for that reason
 * (test/local/sam-local.test.ts checks that every variable here is declared).
 */
export interface SamEnvFile {
  /** SAM's section for variables shared by every function. */
  Parameters: Record<string, string>;
}

/** How a container reaches the machine it runs on (Docker Desktop; `--add-host host.docker.internal:host-gateway` on Linux). */
export const CONTAINER_HOST = 'host.docker.internal';

export function samEnvFile(functionEnvironment: Record<string, string>, endpoints: { dynamodb: string; kms: string }): SamEnvFile {
  return {
    Parameters: {
      // Powertools' settings stay the template's: each function's own service name, not the local stack's shared one.
      ...withoutPowertools(functionEnvironment),
      AWS_ENDPOINT_URL_DYNAMODB: fromContainer(endpoints.dynamodb),
      AWS_ENDPOINT_URL_KMS: fromContainer(endpoints.kms),
    },
  };
}

function withoutPowertools(variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !name.startsWith('POWERTOOLS_')));
}

/** A loopback URL as the container sees it; any other host is already reachable as it is. */
function fromContainer(url: string): string {
  const parsed = new URL(url);
  if (['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'].includes(parsed.hostname)) parsed.hostname = CONTAINER_HOST;
  return parsed.href.replace(/\/$/, '');
}
