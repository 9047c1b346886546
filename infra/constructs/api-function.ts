import { relative } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type * as z from '../../shared/zod.js';
import { type EnvName, requiredEnvNames } from '../../shared/lambda-env/parse-env.js';
import { METRICS_NAMESPACE } from '../../shared/observability/metric-names.js';
import { buildSync } from 'esbuild';
import { ENTRY_NAME, lambdaBuildOptions } from './bundling-options.js';

export interface ApiFunctionProps<Contract extends z.ZodMiniObject> {
  /** The handler's environment contract (functions/<id>/env.ts): which variables may be set, which must. */
  environmentContract: Contract;
  /** Absolute path of the handler file; it exports `handler`. */
  entry: string;
  /** Absolute path of the repository root: where esbuild resolves the packages it bundles. */
  projectRoot: string;
  /** Powertools service name, the `service` key of every log line. */
  serviceName: string;
  description: string;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /**
   * @default 512. Lambda gives CPU in proportion to memory (a whole vCPU only at 1769 MB).
   * Requests mostly wait on KMS and DynamoDB, but a new container's first request is
   * CPU-bound: TLS handshakes to both services, SigV4 signing, JSON and ECDSA format
   * conversion. 512 MB gives that twice the CPU of 256 MB for about 0.17 USD more per
   * million 50 ms requests on arm64; memory itself stays far below either size. Re-measure
   * with the benchmark before changing it.
   */
  memorySize?: number;
  /** Active X-Ray tracing. @default false */
  tracing?: boolean;
  /**
   * A fixed name for the execution role, for key policies that must name it before it
   * exists (see infra/function-roles.ts). @default a name CloudFormation generates
   */
  roleName?: string;
  /** Declare LOCAL_ENDPOINT_VARIABLES, empty, for `sam local invoke` (context `samLocal`). @default false */
  declareLocalEndpoints?: boolean;
}

/** The AWS SDK's standard variables that point a function at the local stack's DynamoDB and KMS. */
export const LOCAL_ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_KMS'] as const;

const DEFAULT_MEMORY_MB = 512;
// API Gateway HTTP APIs give up after 30 s; 10 s leaves room for SDK retries to KMS and
// DynamoDB while failing fast enough that clients can retry with their Idempotency-Key.
const TIMEOUT = Duration.seconds(10);

/**
 * What a bind helper needs of a function: to set variables of its environment contract (a name
 * outside it is a type error: `setEnvironment` is a property, so its parameter is checked
 * strictly) and to be granted the calls the handler makes.
 */
export interface BindTarget<Name extends string> {
  readonly setEnvironment: (name: Name, value: string) => void;
  addToRolePolicy(statement: PolicyStatement): void;
}

/**
 * A Lambda function behind the HTTP API with our fixed defaults: nodejs22.x on arm64, an ESM
 * bundle with source maps, its own log group with a retention, and a role that may write only
 * to that log group until bind helpers add exactly what the function needs. Its environment
 * is its handler's contract: only its variables can be set, and synth fails while a required
 * one is unset. Functions run on a schedule (the config rollout driver) use it too, for the same defaults.
 */
export class ApiFunction<Contract extends z.ZodMiniObject = z.ZodMiniObject> extends LambdaFunction implements BindTarget<EnvName<Contract>> {
  readonly setEnvironment: (name: EnvName<Contract>, value: string) => void;

  constructor(scope: Construct, id: string, props: ApiFunctionProps<Contract>) {
    // The log group and role are siblings because they must exist before super(): the
    // function takes them as props. Our own role (instead of the one CDK makes)
    // avoids the AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs of a payment service are evidence; they outlive a deleted stack and still expire.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
      roleName: props.roleName,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      code: bundledCode(props.entry, props.projectRoot),
      handler: `${ENTRY_NAME}.handler`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: TIMEOUT,
      role,
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        // Without it Node prints bundle positions, not source positions, in stack traces.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        // Where the functions' EMF metrics go: the namespace the alarms and the dashboard read.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    if (props.declareLocalEndpoints) {
      // Empty is what the SDK takes for unset (the service's own endpoint); declared, SAM's
      // --env-vars can set them. Outside the handlers' contracts: the SDK reads them, not our code.
      for (const name of LOCAL_ENDPOINT_VARIABLES) this.addEnvironment(name, '');
    }

    const set = new Set<string>();
    this.setEnvironment = (name, value) => {
      this.addEnvironment(name, value);
      set.add(name);
    };
    this.node.addValidation({
      validate: () => {
        const missing = requiredEnvNames(props.environmentContract).filter((name) => !set.has(name));
        return missing.length ? [`${id} leaves required variables of its environment contract unset: ${missing.join(', ')}`] : [];
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime this project targets and tests against (Node 22 APIs, bundle target node22); moving to a newer runtime is a deliberate, tested change, not a default.',
    });
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions; "*" is the only resource they accept.',
      });
    }
  }
}

/**
 * The function's code: esbuild run in-process when CDK stages the asset (no Docker), with the
 * options the benchmark measures. NodejsFunction cannot do this: it bundles to one file, and
 * code splitting needs an output directory. The asset hash is the bundle's, so a change that
 * leaves the bundle unchanged deploys nothing.
 */
function bundledCode(entry: string, projectRoot: string): Code {
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      // CDK reuses a bundle within a synth when the source directory and bundling options match,
      // and a function (tryBundle) does not count: without the entry named here, every function
      // got the first one's code.
      environment: { ENTRY: relative(projectRoot, entry) },
      local: {
        tryBundle(outputDir) {
          buildSync(lambdaBuildOptions(entry, outputDir));
          return true;
        },
      },
    },
  });
}
