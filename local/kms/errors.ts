// The errors this endpoint answers with. The code travels as `__type` in the JSON 1.1 error body,
// and the AWS SDK turns it into its exception class of the same name, so the codes must be KMS's own.

export type KmsErrorCode =
  | 'AlreadyExistsException'
  | 'DisabledException'
  | 'DryRunOperationException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
  | 'KMSInternalException'
  | 'KMSInvalidSignatureException'
  | 'KMSInvalidStateException'
  | 'NotAuthorizedException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'TagException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

export class KmsError extends Error {
  constructor(
    readonly code: KmsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KmsError';
  }
}

/** KMS words request validation failures like this (the Coral framework's wording). */
export function validationError(field: string, constraint: string, value?: string): KmsError {
  const shown = value === undefined ? 'Value' : `Value '${value}'`;
  return new KmsError(
    'ValidationException',
    `1 validation error detected: ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}
