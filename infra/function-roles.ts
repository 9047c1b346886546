import { Aws, Token } from 'aws-cdk-lib';
import type { FunctionId } from '../shared/routes.js';
import type { ScheduledFunctionId } from './scheduled-functions.js';

/**
 * Names of the functions' execution roles, known before either stack exists. The signing
 * keys' policies (stateful stack) must name the roles that may use them, but the roles live
 * in the stateless stack, which depends on the stateful one: referencing them would be a
 * cycle. A name derived from the stateless stack's name and the region gives both stacks
 * the same role ARN without a reference.
 */
export interface FunctionRole {
  roleName: string;
  roleArn: string;
}

/**
 * Every function's role, scheduled ones included. Only the routed functions' roles are named in
 * key policies; the scheduled ones follow the same pattern so that every execution role of the
 * stack reads `<stack>-<function>-<region>` in IAM and CloudTrail.
 */
export type FunctionRoles = Readonly<Record<FunctionId | ScheduledFunctionId, FunctionRole>>;

const MAX_ROLE_NAME_LENGTH = 64;
// Region names are 9-15 characters today (us-isof-south-1); a token region is checked
// against this bound so that no future deployment fails at CloudFormation time.
const LONGEST_REGION_NAME = 16;

/**
 * `<stack>-<function>-<region>`: IAM role names are global to the account, so the region
 * keeps the same stack deployed to two regions from colliding.
 */
export function functionRoles<Id extends FunctionId | ScheduledFunctionId>(props: {
  statelessStackName: string;
  functionIds: readonly Id[];
  region?: string;
}): Readonly<Record<Id, FunctionRole>> {
  const region = props.region ?? Aws.REGION;
  const regionLength = Token.isUnresolved(region) ? LONGEST_REGION_NAME : region.length;
  const entries = props.functionIds.map((functionId) => {
    const prefix = `${props.statelessStackName}-${functionId}-`;
    if (prefix.length + regionLength > MAX_ROLE_NAME_LENGTH) {
      throw new Error(
        `The role name ${prefix}<region> could exceed IAM's ${MAX_ROLE_NAME_LENGTH} characters: shorten the stack name ${props.statelessStackName}`,
      );
    }
    const roleName = `${prefix}${region}`;
    return [functionId, { roleName, roleArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName}` }] as const;
  });
  return Object.fromEntries(entries) as Record<Id, FunctionRole>;
}
