const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([A-Za-z0-9-]{1,128})$/;

export function isKmsKeyArn(value: string): boolean {
  return KEY_ARN.test(value);
}

/**
 * The JWS `kid` of a KMS key is its key id (the uuid at the end of the ARN): stable for the
 * key's life, unique, and it does not publish the account id.
 */
export function kidOfKeyArn(keyArn: string): string {
  const match = KEY_ARN.exec(keyArn);
  if (!match?.[1]) throw new Error(`Not a KMS key ARN: ${keyArn}`);
  return match[1];
}
