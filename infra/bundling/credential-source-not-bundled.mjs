// Stands in, in function bundles, for the AWS SDK's credential sources that never apply on Lambda
// (shared config and credentials files, SSO, credential_process, web identity) and for the
// browser user-agent parser. Lambda hands a function its role's credentials in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which the SDK reads first; it
// imports the others only when those are absent, and then this says why the import fails.
throw new Error(
  'This function bundle reads AWS credentials from the environment, as Lambda sets them; profiles, SSO, credential_process and web identity are left out of it (see infra/constructs/bundling-options.ts)',
);
