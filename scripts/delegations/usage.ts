/** Each command's lines of the usage: `<command> --help` prints its own with the shared part. */
export const COMMAND_USAGE = {
  list: `  list                              the live delegations (not yet ended), revoked ones included:
                                    kid, from, until, root kid, registered at, revoked (when, why)`,
  show: `  show <kid>                        one delegation: live, ended or revoked, and its signed
                                    delegation (a JWS of the root key: anyone can check it against
                                    that key's public half in the JWKS)`,
  revoke: `  revoke <kid> --reason "<text>"    no token the key signed is accepted any more: verifiers and the
                                    JWKS refuse it within DELEGATION_REVOCATION_CHECK_SECONDS (5 s by
                                    default), and the container that held the key makes a new one.
                                    Revoking again keeps the first time and reason`,
} as const;

const SHARED = `Options
  --scope payment|verdict           which keys: payment responses (default) or verification verdicts
  --table <name>                    the delegation table (default: $DELEGATION_TABLE_NAME; 'delegations' locally)
  --local                           use the stack 'npm start' runs (reads .local/endpoints.json)
  --json                            machine-readable output
  -h, --help                        this text

Where it connects
  Local stack: AWS_ENDPOINT_URL_DYNAMODB=<the DynamoDB URL npm start prints> (or --local);
    table 'delegations', dummy credentials and region us-east-1 unless you set your own.
    Delegations exist in delegated signing mode only: SIGNING_MODE=delegated npm start.
  AWS: the default credential chain (AWS_PROFILE, SSO, environment, instance role) and region;
    the table from --table or DELEGATION_TABLE_NAME (the stateful stack's DelegationTableName output).

Exit codes
  0 done   1 refused (no delegation of that kid in the scope)   2 usage error
  3 DynamoDB or AWS failed (unreachable, no credentials, no such table), or no local stack`;

const INTRODUCTION = `Operate the delegation registry of delegated signing: the ephemeral keys that KMS root keys
certified, one per signing container.`;

export const USAGE = `${INTRODUCTION}

Usage: npm run delegations -- <command> [arguments] [options]

Commands
${Object.values(COMMAND_USAGE).join('\n')}

${SHARED}
`;

export function commandUsage(command: keyof typeof COMMAND_USAGE): string {
  return `Usage: npm run delegations -- ${command} [arguments] [options]\n\n${COMMAND_USAGE[command]}\n\n${SHARED}\n`;
}
