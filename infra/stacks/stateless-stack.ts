import { join } from 'node:path';
import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DELEGATION_SCOPES } from '../../shared/domain/delegation/delegation.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { ROUTES, handlerEntryOf, type FunctionId } from '../../shared/routes.js';
import type { DeploymentContext, SettlementAuthorizerSetting } from '../context.js';
import { ApiDistribution } from '../constructs/api-distribution.js';
import { ApiFunction } from '../constructs/api-function.js';
import { ConfigRolloutDriver } from '../constructs/config-rollout-driver.js';
import {
  bindConfigForRead,
  bindConfigKeyForPublishing,
  bindConfigSigner,
  bindDelegationReader,
  bindLedgerForRead,
  bindLedgerForWrite,
  bindMerchantRegistryForRead,
  bindPaymentSigner,
  bindSigningMode,
  bindTrustedPaymentKeys,
  bindVerdictKeyForPublishing,
  bindVerdictSigner,
} from '../constructs/bindings.js';
import { OperationsMonitoring } from '../constructs/operations-monitoring.js';
import { RoutedHttpApi } from '../constructs/routed-http-api.js';
import type { FunctionRoles } from '../function-roles.js';
import { REPOSITORY_ROOT } from '../project-root.js';
import type { StatefulStack } from './stateful-stack.js';
import { ENV_CONTRACTS, type EnvContracts } from '../../functions/env-contracts.js';

export interface StatelessStackProps extends StackProps {
  stateful: StatefulStack;
  settings: DeploymentContext;
  /** Execution role names, fixed in advance: the signing keys' policies name these roles. */
  functionRoles: FunctionRoles;
}

/**
 * The functions, the HTTP API built from the route table, and CloudFront in front of it.
 * Holds no data: everything with state comes from the stateful stack.
 */
export class StatelessStack extends Stack {
  readonly functions: { readonly [Id in FunctionId]: ApiFunction<EnvContracts[Id]> };
  /** Runs every minute, outside the HTTP API: advances staged config rollouts, rolls them back on alarm. */
  readonly configRollout: ConfigRolloutDriver;
  readonly httpApi: RoutedHttpApi;
  readonly distribution: ApiDistribution;
  readonly monitoring: OperationsMonitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful, settings } = props;

    // Generated at deploy time and never in the template: both CloudFront and the config
    // function receive it through a dynamic reference resolved by CloudFormation.
    const originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      description: 'Value of the x-origin-verify header CloudFront adds to API requests',
      // Letters and digits only: it travels as an HTTP header value.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      // Nothing depends on its old value once CloudFront and the function have a new one.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(originVerifySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'CloudFront and the config function read this value through CloudFormation dynamic references, which resolve only at deployment; a Secrets Manager rotation would leave them disagreeing until the next deployment. It is rotated by replacing the secret in a deployment instead.',
    });
    const originVerifyValue = originVerifySecret.secretValue.unsafeUnwrap();

    const newFunction = <Id extends FunctionId>(functionId: Id): ApiFunction<EnvContracts[Id]> =>
      new ApiFunction(this, `${pascalCase(functionId)}Function`, {
        environmentContract: ENV_CONTRACTS[functionId],
        entry: join(REPOSITORY_ROOT, handlerEntryOf(functionId)),
        projectRoot: REPOSITORY_ROOT,
        serviceName: functionId,
        description: `signed-pay ${functionId}`,
        logRetention: settings.logRetention,
        tracing: settings.tracing,
        roleName: props.functionRoles[functionId].roleName,
        declareLocalEndpoints: settings.samLocal,
      });
    // One entry per FunctionId, each typed by its function's environment contract: adding a function
    // to the route table without wiring it here, or setting a variable its handler does not read,
    // is a type error; leaving a required one unset fails synth.
    const wire: { [Id in FunctionId]: (fn: ApiFunction<EnvContracts[Id]>) => void } = {
      settlement: (fn) => {
        bindPaymentSigner(fn, stateful.paymentKeys.current);
        bindSigningMode(fn, settings, stateful.delegationTable, PAYMENT_RESPONSE_TYP);
        bindLedgerForWrite(fn, stateful.ledgerTable);
        bindMerchantRegistryForRead(fn, stateful.merchantTable);
        fn.setEnvironment('PAYMENT_ISSUER', settings.paymentIssuer);
        fn.setEnvironment('PAYMENT_PROCESSOR', settings.paymentProcessor);
        fn.setEnvironment('CALLER_JWT_CLAIM', settings.callerJwtClaim);
        fn.setEnvironment('MERCHANT_CACHE_TTL_SECONDS', String(settings.merchantCacheTtlSeconds));
      },
      jwks: (fn) => {
        bindTrustedPaymentKeys(fn, stateful.paymentKeys);
        bindVerdictKeyForPublishing(fn, stateful.verdictKey, stateful.verdictPublicJwk);
        bindConfigKeyForPublishing(fn, stateful.configKey, stateful.configPublicJwk);
        // Delegated mode only: in kms mode the documents hold root keys alone and jwks loads no AWS SDK.
        // (After a switch back to kms, verification still accepts the last hour's delegated tokens.)
        if (settings.signingMode === 'delegated') bindDelegationReader(fn, stateful.delegationTable, DELEGATION_SCOPES, { getByKid: false });
        // Only delegations that name our issuer are published.
        fn.setEnvironment('PAYMENT_ISSUER', settings.paymentIssuer);
        // In delegated mode the documents change with every new container: cached seconds, not minutes.
        fn.setEnvironment('SIGNING_MODE', settings.signingMode);
      },
      verification: (fn) => {
        bindTrustedPaymentKeys(fn, stateful.paymentKeys);
        bindVerdictSigner(fn, stateful.verdictKey);
        bindSigningMode(fn, settings, stateful.delegationTable, VERIFICATION_RESULT_TYP);
        // In either mode: payment responses of delegated keys stay checkable after a switch back to kms.
        bindDelegationReader(fn, stateful.delegationTable, [PAYMENT_RESPONSE_TYP], { getByKid: true });
        bindLedgerForRead(fn, stateful.ledgerTable);
        fn.setEnvironment('PAYMENT_ISSUER', settings.paymentIssuer);
      },
      config: (fn) => {
        bindConfigForRead(fn, stateful.configTable);
        // Signed once per answer and configuration version, with a key of its own.
        bindConfigSigner(fn, stateful.configKey);
        fn.setEnvironment('PAYMENT_ISSUER', settings.paymentIssuer);
        fn.setEnvironment('VIEWER_COUNTRY_ORIGIN_SECRET', originVerifyValue);
        fn.setEnvironment('CONFIG_CACHE_TTL_SECONDS', String(settings.configCacheTtlSeconds));
        // An app waits for its configuration at start-up: give up on a hanging DynamoDB (or KMS) within
        // about two seconds and answer from the last known configuration or signature (or 503) instead.
        fn.setEnvironment('AWS_REQUEST_TIMEOUT_MS', '1000');
        fn.setEnvironment('AWS_MAX_ATTEMPTS', '2');
        const cacheControl = settings.configCacheControl;
        const cacheControlEnv = {
          CONFIG_MAX_AGE_SECONDS: cacheControl.maxAgeSeconds,
          CONFIG_STALE_WHILE_REVALIDATE_SECONDS: cacheControl.staleWhileRevalidateSeconds,
          CONFIG_STALE_IF_ERROR_SECONDS: cacheControl.staleIfErrorSeconds,
        };
        for (const [name, value] of Object.entries(cacheControlEnv)) if (value !== undefined) fn.setEnvironment(name as keyof typeof cacheControlEnv, String(value));
      },
    };
    const build = <Id extends FunctionId>(functionId: Id): ApiFunction<EnvContracts[Id]> => {
      const fn = newFunction(functionId);
      (wire[functionId] as (fn: ApiFunction<EnvContracts[Id]>) => void)(fn);
      return fn;
    };
    const functions: { [Id in FunctionId]: ApiFunction<EnvContracts[Id]> } = {
      settlement: build('settlement'),
      jwks: build('jwks'),
      verification: build('verification'),
      config: build('config'),
    };
    this.functions = functions;
    // Rotation: the functions that trust a new key must be updated before settlement signs with it,
    // or for a few seconds fresh responses would verify as UNKNOWN_KEY.
    functions.settlement.node.addDependency(functions.verification, functions.jwks);

    this.httpApi = new RoutedHttpApi(this, 'HttpApi', {
      routes: ROUTES,
      functions,
      authenticatedRouteAuthorizer: authorizerFor(settings.settlementAuthorizer),
      throttle: settings.throttle,
      accessLogRetention: settings.logRetention,
    });

    this.distribution = new ApiDistribution(this, 'Cdn', {
      apiDomainName: this.httpApi.domainName,
      originVerifySecret: originVerifyValue,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url });
    new CfnOutput(this, 'CloudFrontUrl', { value: `https://${this.distribution.distribution.distributionDomainName}` });
    new CfnOutput(this, 'SettlementRouteArn', {
      description: 'Grant execute-api:Invoke on this to the callers allowed to settle (IAM authorizer)',
      value: this.httpApi.api.arnForExecuteApi('POST', '/v1/settlements', '$default'),
    });

    this.configRollout = new ConfigRolloutDriver(this, 'ConfigRollout', {
      configTable: stateful.configTable,
      projectRoot: REPOSITORY_ROOT,
      logRetention: settings.logRetention,
      tracing: settings.tracing,
      roleName: props.functionRoles['config-rollout'].roleName,
      declareLocalEndpoints: settings.samLocal,
    });

    this.monitoring = new OperationsMonitoring(this, 'Operations', {
      routes: ROUTES,
      functions,
      scheduledFunctions: { 'config-rollout': this.configRollout.function },
      apiStage: this.httpApi.stage,
      tables: { ledger: stateful.ledgerTable, merchants: stateful.merchantTable, config: stateful.configTable, delegations: stateful.delegationTable },
      signingMode: settings.signingMode,
      alarmSubscriptions: settings.alarmSubscriptions,
    });
    // After the alarms exist: the driver rolls back when clients of the config route are hurt.
    this.configRollout.watch(this.monitoring.alarms.configClientAlarms);
    new CfnOutput(this, 'ConfigRolloutLogGroupName', {
      description: 'Where the config rollout driver writes what it did each minute',
      value: this.configRollout.function.logGroup.logGroupName,
    });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Every alarm notifies this topic (context alarmSubscriptions)', value: this.monitoring.alarmTopic.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'DashboardUrl', { value: this.monitoring.dashboard.url });
  }
}

/** IAM (SigV4) unless the deployment names a JWT issuer and audience. */
function authorizerFor(setting: SettlementAuthorizerSetting): IHttpRouteAuthorizer {
  if (setting.kind === 'jwt') {
    return new HttpJwtAuthorizer('SettlementJwtAuthorizer', setting.issuer, { jwtAudience: setting.audience });
  }
  return new HttpIamAuthorizer();
}

function pascalCase(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
