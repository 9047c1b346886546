import { Match } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORS_POLICY, FUNCTION_IDS, ROUTES } from '../../shared/routes.js';
import {
  SYNTH_TIMEOUT_MS,
  allGrantedActions,
  environmentOf,
  logicalIdOf,
  readable,
  roleStatementsOf,
  synthesize,
  type SynthesizedApp,
} from './support/synth.js';

// The default deployment: no context beyond what cdk.json would give.
let app: SynthesizedApp;
let ids: {
  paymentKey: string;
  verdictKey: string;
  configKey: string;
  ledger: string;
  merchant: string;
  config: string;
  delegation: string;
  originSecret: string;
};

/** The logical id of a deploy-time public key resource (infra/constructs/public-key-jwks.ts). */
function publicJwkId(id: string): string {
  return logicalIdOf(app.stateful.node.findChild('PublicKeyJwks').node.findChild(id));
}

beforeAll(() => {
  app = synthesize();
  ids = {
    paymentKey: logicalIdOf(app.stateful.paymentKeys.current),
    verdictKey: logicalIdOf(app.stateful.verdictKey),
    configKey: logicalIdOf(app.stateful.configKey),
    ledger: logicalIdOf(app.stateful.ledgerTable),
    merchant: logicalIdOf(app.stateful.merchantTable),
    config: logicalIdOf(app.stateful.configTable),
    delegation: logicalIdOf(app.stateful.delegationTable),
    originSecret: logicalIdOf(app.stateless.node.findChild('OriginVerifySecret')),
  };
}, SYNTH_TIMEOUT_MS);

const logStatement = (functionId: string) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: expect.stringMatching(new RegExp(`^${functionId}FunctionLogGroup[0-9A-F]{8}\\.Arn$`, 'i')),
});

/** Item actions on the delegation registry, confined to the items of some scopes (test/infra/delegated-signing.test.ts has the rest). */
const delegationStatement = (Action: string[], leadingKeys: string[]) => ({
  Action,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
  Effect: 'Allow',
  Resource: `${ids.delegation}.Arn`,
});

describe('the stateful stack', () => {
  it('keeps, for one release, the exports a stateless stack of the previous release imports, so an upgrade can deploy', () => {
    // The names CloudFormation knows them by in a deployment of the previous release (its idempotency table).
    const exported = Object.values(app.statefulTemplate.toJSON().Outputs as Record<string, { Export?: { Name: string } }>).map(
      (output) => output.Export?.Name,
    );
    expect(exported).toEqual(
      expect.arrayContaining([
        'SignedPayStateful:ExportsOutputRefIdempotencyTable22A5A209F6C0179A',
        'SignedPayStateful:ExportsOutputFnGetAttIdempotencyTable22A5A209Arn796E3A97',
      ]),
    );
    // ...and no function of this release uses that table.
    expect(JSON.stringify(app.statelessTemplate.toJSON())).not.toContain('IdempotencyTable');
  });

  it('has one payment signing key (generation 1), a verdict key and a config key, all ES256 and retained', () => {
    const template = app.statefulTemplate;
    template.resourceCountIs('AWS::KMS::Key', 3);
    for (const [id, description] of [
      [ids.paymentKey, 'Signs payment responses (generation 1)'],
      [ids.verdictKey, 'Signs verification verdicts'],
      [ids.configKey, 'Signs configuration answers'],
    ] as const) {
      expect(template.toJSON().Resources[id]).toMatchObject({
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description },
      });
    }
    expect(ids.paymentKey).toMatch(/Generation1/);
  });

  it('names the keys by alias: one per generation, one for the current key, one for the verdict key, one for the config key', () => {
    const aliases = Object.values(app.statefulTemplate.findResources('AWS::KMS::Alias')).map((alias) =>
      readable(alias.Properties, []),
    );
    expect(aliases).toEqual(
      expect.arrayContaining([
        { AliasName: 'alias/SignedPayStateful-payment-signing-1', TargetKeyId: `${ids.paymentKey}.Arn` },
        { AliasName: 'alias/SignedPayStateful-payment-signing-current', TargetKeyId: `${ids.paymentKey}.Arn` },
        { AliasName: 'alias/SignedPayStateful-verdict-signing', TargetKeyId: `${ids.verdictKey}.Arn` },
        { AliasName: 'alias/SignedPayStateful-config-signing', TargetKeyId: `${ids.configKey}.Arn` },
      ]),
    );
    expect(aliases).toHaveLength(4);
  });

  it('keeps every table on demand, with point-in-time recovery and deletion protection, retained and unnamed', () => {
    const tables = app.statefulTemplate.findResources('AWS::DynamoDB::GlobalTable');
    // The previous release's idempotency table stays one release, unused (see the upgrade test below).
    expect(Object.keys(tables).filter((id) => !id.startsWith('IdempotencyTable')).sort()).toEqual([ids.config, ids.delegation, ids.ledger, ids.merchant].sort());
    expect(Object.keys(tables)).toHaveLength(5);
    for (const table of Object.values(tables)) {
      expect(table).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          Replicas: [{ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
        },
      });
      expect(table.Properties.TableName).toBeUndefined();
    }
  });

  it('keys the ledger by paymentId, merchants by pk alone, config by pk and sk, with no TTL anywhere', () => {
    const tables = app.statefulTemplate.toJSON().Resources;
    expect(tables[ids.ledger].Properties.KeySchema).toEqual([{ AttributeName: 'paymentId', KeyType: 'HASH' }]);
    expect(tables[ids.merchant].Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(tables[ids.config].Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    for (const id of [ids.ledger, ids.merchant, ids.config]) expect(tables[id].Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('gives no function an idempotency table any more: the ledger is settlement’s one idempotency record', () => {
    expect(JSON.stringify(app.statelessTemplate.toJSON())).not.toMatch(/IdempotencyTable|IDEMPOTENCY_TABLE/);
  });

  it('outputs the current payment key, the verdict key, the config key and the tables operators manage', () => {
    const outputs = readable(app.statefulTemplate.toJSON().Outputs, []) as Record<string, { Value: unknown }>;
    expect(outputs.CurrentPaymentSigningKeyArn?.Value).toBe(`${ids.paymentKey}.Arn`);
    expect(outputs.CurrentPaymentSigningKeyId?.Value).toBe(ids.paymentKey);
    expect(outputs.VerdictSigningKeyArn?.Value).toBe(`${ids.verdictKey}.Arn`);
    expect(outputs.VerdictSigningKeyId?.Value).toBe(ids.verdictKey);
    expect(outputs.ConfigSigningKeyArn?.Value).toBe(`${ids.configKey}.Arn`);
    expect(outputs.ConfigSigningKeyId?.Value).toBe(ids.configKey);
    expect(outputs.MerchantTableName?.Value).toBe(ids.merchant);
    expect(outputs.ConfigTableName?.Value).toBe(ids.config);
  });
});

describe('the functions', () => {
  it('are one per function id, each on nodejs22.x arm64 with a 10 s timeout and its own log group', () => {
    const functions = app.statelessTemplate.findResources('AWS::Lambda::Function');
    // And the config rollout driver, which no route reaches (test/infra/config-rollout.test.ts).
    expect(Object.keys(functions).sort()).toEqual([...FUNCTION_IDS.map((functionId) => app.stateless.functions[functionId]), app.stateless.configRollout.function].map(logicalIdOf).sort());
    for (const functionId of FUNCTION_IDS) {
      const fn = app.stateless.functions[functionId];
      const resource = functions[logicalIdOf(fn)];
      expect(resource?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
      });
    }
    app.statelessTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('give settlement the current payment key, ledger, merchant registry, issuer, processor, caller claim and merchant cache TTL', () => {
    expect(environmentOf(app, app.stateless.functions.settlement)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'settlement',
      POWERTOOLS_METRICS_NAMESPACE: 'SignedPay',
      PAYMENT_SIGNING_KEY_ARN: `${ids.paymentKey}.Arn`,
      PAYMENT_ISSUER: 'signed-pay',
      LEDGER_TABLE_NAME: ids.ledger,
      MERCHANT_TABLE_NAME: ids.merchant,
      PAYMENT_PROCESSOR: 'sandbox',
      CALLER_JWT_CLAIM: 'sub',
      MERCHANT_CACHE_TTL_SECONDS: '30',
      SIGNING_MODE: 'kms',
      DELEGATION_LIFETIME_SECONDS: '3600',
      DELEGATION_RETENTION_HOURS: '720',
    });
  });

  it('read each signing key\'s public half at deploy time, with a reader that may read those keys and do nothing else', () => {
    const readable_ = (value: unknown) => readable(value, Object.keys(app.statefulTemplate.toJSON().Resources as object));
    const jwks = app.statefulTemplate.findResources('Custom::PublicKeyJwk');
    expect(Object.values(jwks).map((resource) => readable_(resource.Properties.KeyArn)).sort()).toEqual(
      [`${ids.paymentKey}.Arn`, `${ids.verdictKey}.Arn`, `${ids.configKey}.Arn`].sort(),
    );
    const reader = app.stateful.node.findChild('PublicKeyJwks').node.findChild('Reader') as { role?: IConstruct };
    const policies = app.statefulTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(reader.role!) }] } });
    const statements = Object.values(policies).flatMap((policy) => readable_(policy.Properties.PolicyDocument.Statement) as unknown[]);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: `${ids.paymentKey}.Arn` });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: `${ids.verdictKey}.Arn` });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: `${ids.configKey}.Arn` });
    const actions = statements.flatMap((statement) => [(statement as { Action: string | string[] }).Action].flat());
    expect(new Set(actions)).toEqual(new Set(['kms:GetPublicKey', 'logs:CreateLogStream', 'logs:PutLogEvents']));
  });

  it('give jwks the trusted payment keys, the verdict key, the config key, and (kms mode) no delegation registry', () => {
    expect(environmentOf(app, app.stateless.functions.jwks)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'jwks',
      POWERTOOLS_METRICS_NAMESPACE: 'SignedPay',
      TRUSTED_PAYMENT_KEY_ARNS: `${ids.paymentKey}.Arn`,
      TRUSTED_PAYMENT_PUBLIC_KEYS: `[${publicJwkId('Generation1PublicJwk')}.Jwk]`,
      VERDICT_SIGNING_KEY_ARN: `${ids.verdictKey}.Arn`,
      VERDICT_PUBLIC_KEY: `${publicJwkId('VerdictPublicJwk')}.Jwk`,
      CONFIG_SIGNING_KEY_ARN: `${ids.configKey}.Arn`,
      CONFIG_PUBLIC_KEY: `${publicJwkId('ConfigPublicJwk')}.Jwk`,
      PAYMENT_ISSUER: 'signed-pay',
      SIGNING_MODE: 'kms',
    });
  });

  it('give verification the trusted payment keys, the verdict key, the ledger and the issuer', () => {
    expect(environmentOf(app, app.stateless.functions.verification)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'verification',
      POWERTOOLS_METRICS_NAMESPACE: 'SignedPay',
      TRUSTED_PAYMENT_KEY_ARNS: `${ids.paymentKey}.Arn`,
      TRUSTED_PAYMENT_PUBLIC_KEYS: `[${publicJwkId('Generation1PublicJwk')}.Jwk]`,
      VERDICT_SIGNING_KEY_ARN: `${ids.verdictKey}.Arn`,
      LEDGER_TABLE_NAME: ids.ledger,
      PAYMENT_ISSUER: 'signed-pay',
      SIGNING_MODE: 'kms',
      DELEGATION_LIFETIME_SECONDS: '3600',
      DELEGATION_RETENTION_HOURS: '720',
      DELEGATION_TABLE_NAME: ids.delegation,
    });
  });

  it('give config its table, its signing key, the issuer, the origin secret by dynamic reference, the cache TTL and short AWS attempts', () => {
    expect(environmentOf(app, app.stateless.functions.config)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'config',
      POWERTOOLS_METRICS_NAMESPACE: 'SignedPay',
      CONFIG_TABLE_NAME: ids.config,
      CONFIG_SIGNING_KEY_ARN: `${ids.configKey}.Arn`,
      PAYMENT_ISSUER: 'signed-pay',
      VIEWER_COUNTRY_ORIGIN_SECRET: `{{resolve:secretsmanager:${ids.originSecret}:SecretString:::}}`,
      CONFIG_CACHE_TTL_SECONDS: '30',
      AWS_REQUEST_TIMEOUT_MS: '1000',
      AWS_MAX_ATTEMPTS: '2',
    });
  });
});

describe('the function permissions', () => {
  it('let settlement sign with the current payment key only, write ledger items one by one and get merchant items', () => {
    expect(roleStatementsOf(app, app.stateless.functions.settlement)).toEqual([
      logStatement('Settlement'),
      { Action: 'kms:Sign', Effect: 'Allow', Resource: `${ids.paymentKey}.Arn` },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: `${ids.ledger}.Arn`,
      },
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: `${ids.merchant}.Arn` },
    ]);
  });

  it('let jwks read public keys (in kms mode, no delegated keys), and nothing else', () => {
    expect(roleStatementsOf(app, app.stateless.functions.jwks)).toEqual([
      logStatement('Jwks'),
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: `${ids.paymentKey}.Arn` },
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: `${ids.verdictKey}.Arn` },
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: `${ids.configKey}.Arn` },
    ]);
  });

  it('let verification read payment public keys and payment-response delegations, sign with the verdict key only, and get ledger items', () => {
    expect(roleStatementsOf(app, app.stateless.functions.verification)).toEqual([
      logStatement('Verification'),
      { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: `${ids.paymentKey}.Arn` },
      { Action: 'kms:Sign', Effect: 'Allow', Resource: `${ids.verdictKey}.Arn` },
      delegationStatement(['dynamodb:GetItem', 'dynamodb:Query'], ['payment-response+jwt#*']),
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: `${ids.ledger}.Arn` },
    ]);
  });

  it('let config read configuration items, sign with the config key only, and nothing else', () => {
    expect(roleStatementsOf(app, app.stateless.functions.config)).toEqual([
      logStatement('Config'),
      { Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], Effect: 'Allow', Resource: `${ids.config}.Arn` },
      { Action: 'kms:Sign', Effect: 'Allow', Resource: `${ids.configKey}.Arn` },
    ]);
  });

  it('grant no wildcard action and no scan anywhere', () => {
    const actions = allGrantedActions(app);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(actions.filter((action) => /scan/i.test(action))).toEqual([]);
  });

  it('grant nothing on every resource ("*")', () => {
    const statements = FUNCTION_IDS.flatMap((functionId) => roleStatementsOf(app, app.stateless.functions[functionId]));
    expect(statements.filter((statement) => [(statement as { Resource: unknown }).Resource].flat().includes('*'))).toEqual([]);
  });

  it('run each function as a role named after the stack, the function and the region, as the key policies expect', () => {
    for (const functionId of FUNCTION_IDS) {
      const role = app.statelessTemplate.toJSON().Resources[logicalIdOf(app.stateless.functions[functionId].role!)];
      expect(readable(role.Properties.RoleName, [])).toBe(`SignedPayStateless-${functionId}-AWS::Region`);
    }
  });

  it('attach no managed policies (AWSLambdaBasicExecutionRole may write to any log group)', () => {
    for (const role of Object.values(app.statelessTemplate.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('the HTTP API', () => {
  it('has exactly the routes of the route table, each integrated with its function (payload 2.0)', () => {
    const template = app.statelessTemplate;
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const routes = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());

    for (const route of ROUTES) {
      const resource = routes.find((candidate) => candidate.Properties.RouteKey === `${route.method} ${route.path}`)!;
      const target = readable(resource.Properties.Target, []) as string;
      const integration = resources[target.replace(/^integrations\//, '')];
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(app.stateless.functions[route.functionId]), 'Arn'] },
      });
    }
  });

  it('requires IAM (SigV4) on authenticated routes and nothing on public ones', () => {
    for (const route of ROUTES) {
      app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        AuthorizationType: route.access === 'authenticated' ? 'AWS_IAM' : 'NONE',
      });
    }
    app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /v1/settlements',
      AuthorizationType: 'AWS_IAM',
    });
    app.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('answers CORS preflights with the shared policy', () => {
    app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [...CORS_POLICY.allowOrigins],
        AllowMethods: [...CORS_POLICY.allowMethods],
        AllowHeaders: [...CORS_POLICY.allowHeaders],
        ExposeHeaders: [...CORS_POLICY.exposeHeaders],
        MaxAge: CORS_POLICY.maxAgeSeconds,
      },
    });
  });

  it('throttles the default stage and logs every request to a log group', () => {
    app.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(app.stateless.httpApi.node.findChild('AccessLogs')), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });
});

describe('CloudFront', () => {
  it('sends every request to the API over HTTPS with the origin secret header', () => {
    const distribution = Object.values(app.statelessTemplate.findResources('AWS::CloudFront::Distribution'));
    expect(distribution).toHaveLength(1);
    const origins = readable(distribution[0]!.Properties.DistributionConfig.Origins, []) as unknown[];
    expect(origins).toEqual([
      expect.objectContaining({
        DomainName: `${logicalIdOf(app.stateless.httpApi.api)}.execute-api.AWS::Region.AWS::URLSuffix`,
        CustomOriginConfig: expect.objectContaining({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
        OriginCustomHeaders: [
          { HeaderName: 'x-origin-verify', HeaderValue: `{{resolve:secretsmanager:${ids.originSecret}:SecretString:::}}` },
        ],
      }),
    ]);
  });

  it('forwards the viewer country to the config route and caches per country, language and country/explain query', () => {
    const template = app.statelessTemplate;
    const [originRequestPolicyId] = Object.keys(template.findResources('AWS::CloudFront::OriginRequestPolicy'));
    const [cachePolicyId] = Object.keys(template.findResources('AWS::CloudFront::CachePolicy'));
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: {
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: Match.arrayWith(['CloudFront-Viewer-Country']) },
      },
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: {
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['CloudFront-Viewer-Country', 'Accept-Language'] },
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['country', 'explain'] },
          CookiesConfig: { CookieBehavior: 'none' },
        },
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/v1/config*',
            CachePolicyId: { Ref: cachePolicyId },
            OriginRequestPolicyId: { Ref: originRequestPolicyId },
          }),
        ],
      },
    });
  });

  it('passes every other path through uncached with all viewer headers but Host', () => {
    app.statelessTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: Match.objectLike({
          CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
          OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: Match.arrayWith(['POST']),
        }),
      },
    });
  });

  it('outputs the API and CloudFront URLs', () => {
    const outputs = app.statelessTemplate.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'CloudFrontUrl', 'SettlementRouteArn']));
  });
});
