import { AppError, type ValidationIssue } from '../../errors.js';

/** A layer document broke the rules; `issues` lists every problem. Nothing was written. */
export class InvalidConfigError extends AppError {
  constructor(
    readonly layer: string,
    readonly issues: ValidationIssue[],
  ) {
    super(
      'invalid-config',
      'Configuration is invalid',
      `The configuration for ${layer} is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}.`,
      { extensions: { errors: issues } },
    );
  }
}

/** Someone else changed the layer since the editor read it: nothing was overwritten. */
export class ConfigConflictError extends AppError {
  constructor(
    readonly layer: string,
    readonly expectedVersion: number | null,
    readonly currentVersion: number | null,
  ) {
    const expected = expectedVersion === null ? 'no version yet' : `version ${expectedVersion}`;
    const current = currentVersion === null ? 'has no current version' : `is at version ${currentVersion}`;
    super(
      'config-conflict',
      'Configuration was changed concurrently',
      currentVersion === expectedVersion
        ? `Another write to ${layer} is in progress; read it again and retry.`
        : `${layer} ${current}, but the change was based on ${expected}; read it again, reapply the change and retry.`,
    );
  }
}

export class ConfigVersionNotFoundError extends AppError {
  constructor(layer: string, version: number) {
    super('config-version-not-found', 'Configuration version not found', `${layer} has no version ${version}.`);
  }
}
