import { join } from 'node:path';
import { type CfnResource, CrossStackReferences, CustomResource, ReferenceStrength, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { publicKeyJwkEnvSchema } from '../../functions/public-key-jwk/env.js';
import { REPOSITORY_ROOT } from '../project-root.js';
import { ApiFunction } from './api-function.js';

/**
 * Public halves of signing keys, read from KMS at deploy time (functions/public-key-jwk), for
 * the configuration of the functions that verify with them: CloudFormation has no attribute for
 * a KMS key's public key, and AwsCustomResource mangles the binary blob GetPublicKey returns.
 * A verifying function that gets its keys this way checks signatures without loading the AWS
 * SDK or calling KMS at cold start.
 *
 * Create it before the keys: their policies must let `readerRoleArn` call kms:GetPublicKey.
 */
export class PublicKeyJwks extends Construct {
  /** The role of the function that reads the public keys. */
  readonly readerRoleArn: string;
  readonly #reader: ApiFunction<typeof publicKeyJwkEnvSchema>;
  readonly #provider: Provider;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.#reader = new ApiFunction(this, 'Reader', {
      environmentContract: publicKeyJwkEnvSchema,
      entry: join(REPOSITORY_ROOT, 'functions/public-key-jwk/handler.ts'),
      projectRoot: REPOSITORY_ROOT,
      serviceName: 'public-key-jwk',
      description: 'signed-pay: reads the public halves of the signing keys at deploy time',
    });
    this.readerRoleArn = this.#reader.role!.roleArn;
    this.#provider = new Provider(this, 'Provider', {
      onEventHandler: this.#reader,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    const readerLogicalId = Stack.of(this).getLogicalId(this.#reader.node.defaultChild as CfnResource);
    Validations.of(this.#provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The custom resource framework function of aws-cdk-lib creates its own role with the basic execution policy; it only relays CloudFormation events to our reader function.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${readerLogicalId}.Arn>:*]`,
        reason: 'The framework may invoke any version of the reader function; the wildcard covers its versions only.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'aws-cdk-lib picks the runtime of its custom resource framework function; our own reader function runs nodejs22.x like the others.',
      },
    );
  }

  /** The JWK of `key`, as a JSON string CloudFormation resolves at deploy time. */
  jwkOf(key: IKey, id: string): string {
    this.#reader.addToRolePolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [key.keyArn] }));
    const resource = new CustomResource(this, id, {
      serviceToken: this.#provider.serviceToken,
      resourceType: 'Custom::PublicKeyJwk',
      properties: { KeyArn: key.keyArn },
    });
    // Read by the other stack through Fn::GetStackOutput, as the payment keys are (see
    // PaymentSigningKeys): an export would block retiring a key for one deployment.
    CrossStackReferences.of(resource).produce(ReferenceStrength.WEAK);
    return resource.getAttString('Jwk');
  }
}
