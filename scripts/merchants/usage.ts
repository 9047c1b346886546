export const USAGE = `Operate the merchant registry: who settles for which merchant.

Usage: npm run merchants -- <command> [arguments] [options]

Commands
  list                              the registered merchants
  get <merchantId>                  one merchant: mode, status, callers
  add <merchantId> --mode test|live --caller <caller> [--caller <caller> ...]
                                    register a merchant, active, with the callers that act for it
  add-caller <merchantId> --caller <caller> [--caller ...]
                                    let another caller act for the merchant
  remove-caller <merchantId> --caller <caller> [--caller ...]
                                    revoke a caller (a leaked credential) without suspending the
                                    merchant; the identity can then be registered elsewhere
  suspend <merchantId>              its callers can no longer settle (within the settlement
                                    function's MERCHANT_CACHE_TTL_SECONDS)
  resume <merchantId>               make a suspended merchant active again
  token <merchantId> --local        a bearer token from the local issuer for the merchant's
                                    jwt:https://issuer.signed-pay.test|<subject> caller
                                    (--days N, default 90; prints the token alone, so that
                                    TOKEN=$(npm run -s merchants -- token m_123 --local) works)

Callers (a caller acts for one merchant only)
  arn:aws:iam::123456789012:role/name   an IAM role (its assumed-role sessions included) or user
  jwt:<issuer>|<subject>                a JWT caller: the token's iss and its sub (or the claim
                                        the deployment names in CALLER_JWT_CLAIM)

Options
  --table <name>                    the merchant table (default: $MERCHANT_TABLE_NAME; 'merchants' locally)
  --local                           use the stack 'npm start' runs (reads .local/endpoints.json)
  --json                            machine-readable output
  -h, --help                        this text

Where it connects
  Local stack: AWS_ENDPOINT_URL_DYNAMODB=<the DynamoDB URL npm start prints> (or --local);
    table 'merchants', dummy credentials and region us-east-1 unless you set your own.
  AWS: the default credential chain (AWS_PROFILE, SSO, environment, instance role) and region;
    the table from --table or MERCHANT_TABLE_NAME.

Exit codes
  0 done   1 refused (unknown merchant, a caller that acts for another merchant)   2 usage error
  3 DynamoDB or AWS failed (unreachable, no credentials, no such table), or no local stack
`;
