import { beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_PROCESSOR_NAMES, parseDeploymentContext } from '../../infra/context.js';
import { PAYMENT_PROCESSORS } from '../../shared/adapters/sandbox-payment-processor.js';
import { ROUTES } from '../../shared/routes.js';
import { MID_ROTATION_RECORD, withGeneration1Retired } from './support/payment-key-records.js';
import { SYNTH_TIMEOUT_MS, environmentOf, logicalIdOf, roleStatementsOf, synthesize, type SynthesizedApp } from './support/synth.js';

const withContext = (context: Record<string, unknown>) => parseDeploymentContext((key) => context[key]);

describe('payment key rotation', () => {
  // Mid-rotation: generation 2 is current, generation 1 still trusted.
  let rotating: SynthesizedApp;
  beforeAll(() => {
    rotating = synthesize({ paymentKeyRecord: MID_ROTATION_RECORD });
  }, SYNTH_TIMEOUT_MS);

  it('with generations ["2","1"] signs with generation 2 only while jwks and verification trust both, current first', () => {
    const app = rotating;
    const [current, previous] = app.stateful.paymentKeys.trusted.map((key) => logicalIdOf(key));
    expect(current).toMatch(/Generation2/);
    expect(previous).toMatch(/Generation1/);
    expect(logicalIdOf(app.stateful.paymentKeys.current)).toBe(current);
    // Both payment generations, the verdict key and the config key.
    app.statefulTemplate.resourcePropertiesCountIs('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, 4);
    app.statefulTemplate.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/SignedPayStateful-payment-signing-current',
      TargetKeyId: { 'Fn::GetAtt': [current, 'Arn'] },
    });

    const { settlement, jwks, verification } = app.stateless.functions;
    expect(environmentOf(app, settlement).PAYMENT_SIGNING_KEY_ARN).toBe(`${current}.Arn`);
    expect(roleStatementsOf(app, settlement)).toContainEqual({ Action: 'kms:Sign', Effect: 'Allow', Resource: `${current}.Arn` });
    expect(JSON.stringify(roleStatementsOf(app, settlement))).not.toContain(previous);

    for (const fn of [jwks, verification]) {
      expect(environmentOf(app, fn).TRUSTED_PAYMENT_KEY_ARNS).toBe(`${current}.Arn,${previous}.Arn`);
      expect(roleStatementsOf(app, fn)).toContainEqual({
        Action: 'kms:GetPublicKey',
        Effect: 'Allow',
        Resource: [`${current}.Arn`, `${previous}.Arn`],
      });
    }
    // Verification signs verdicts, never payments, with either generation.
    const verificationSigns = roleStatementsOf(app, verification).filter((statement) => (statement as { Action: unknown }).Action === 'kms:Sign');
    expect(verificationSigns).toEqual([{ Action: 'kms:Sign', Effect: 'Allow', Resource: `${logicalIdOf(app.stateful.verdictKey)}.Arn` }]);
  });

  it('updates settlement only after the functions that must trust its new key', () => {
    const { settlement, jwks, verification } = rotating.stateless.functions;
    const resources = rotating.statelessTemplate.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
    expect(resources[logicalIdOf(settlement)]!.DependsOn).toEqual(expect.arrayContaining([logicalIdOf(verification), logicalIdOf(jwks)]));
  });

  it(
    'with generations ["2"] no longer references generation 1 anywhere',
    () => {
      const app = synthesize({ paymentKeyRecord: withGeneration1Retired({ forced: true }) });
      const stateful = JSON.stringify(app.statefulTemplate.toJSON());
      const stateless = JSON.stringify(app.statelessTemplate.toJSON());
      expect(stateful).toContain('PaymentSigningKeysGeneration2');
      expect(stateful).not.toContain('PaymentSigningKeysGeneration1');
      expect(stateful).not.toContain('payment-signing-1');
      expect(stateless).not.toContain('Generation1');
      expect(environmentOf(app, app.stateless.functions.jwks).TRUSTED_PAYMENT_KEY_ARNS).toBe(
        `${logicalIdOf(app.stateful.paymentKeys.current)}.Arn`,
      );
    },
    SYNTH_TIMEOUT_MS,
  );

  it('reads payment keys through weak references, so retiring one needs no export removal', () => {
    const stateless = JSON.stringify(rotating.statelessTemplate.toJSON());
    expect(stateless).toContain('Fn::GetStackOutput');
    expect(stateless).not.toMatch(/"Fn::ImportValue":"[^"]*PaymentSigningKeys/);
    // Tables stay strongly referenced: CloudFormation refuses to delete one a function uses.
    expect(stateless).toMatch(/"Fn::ImportValue":"[^"]*LedgerTable/);
  });

  it('rejects an empty list, duplicates, more than two generations and names unfit for logical ids', () => {
    expect(() => withContext({ paymentKeyGenerations: [] })).toThrow(/paymentKeyGenerations: must name at least the current generation/);
    expect(() => withContext({ paymentKeyGenerations: ['2', '2'] })).toThrow(/paymentKeyGenerations: generations must be unique/);
    expect(() => withContext({ paymentKeyGenerations: ['3', '2', '1'] })).toThrow(/paymentKeyGenerations: at most 2 generations may be trusted/);
    expect(() => withContext({ paymentKeyGenerations: ['gen-2'] })).toThrow(/paymentKeyGenerations: generations are 1-32 letters or digits/);
  });

  it('accepts the list as -c on the command line delivers it: a JSON string or comma-separated', () => {
    expect(withContext({ paymentKeyRecord: MID_ROTATION_RECORD, paymentKeyGenerations: '["2","1"]' }).paymentKeyGenerations).toEqual(['2', '1']);
    expect(withContext({ paymentKeyRecord: MID_ROTATION_RECORD, paymentKeyGenerations: '2,1' }).paymentKeyGenerations).toEqual(['2', '1']);
    expect(() => withContext({ paymentKeyGenerations: '["2",' })).toThrow(/Invalid CDK context/);
  });
});

describe('the settlement authorizer', () => {
  it(
    "is a JWT authorizer for the configured issuer and audience when settlementAuthorizer is 'jwt'",
    () => {
      const app = synthesize({
        settlementAuthorizer: 'jwt',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: ['signed-pay-merchants'],
      });
      app.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['signed-pay-merchants'] },
      });
      const [authorizerId] = Object.keys(app.statelessTemplate.findResources('AWS::ApiGatewayV2::Authorizer'));
      app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'POST /v1/settlements',
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
      // Public routes stay public.
      const publicRoutes = ROUTES.filter((route) => route.access === 'public').length;
      expect(publicRoutes).toBeGreaterThan(0);
      app.statelessTemplate.resourcePropertiesCountIs('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' }, publicRoutes);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('fails synth, naming what is missing, when the JWT issuer or audience is not given', () => {
    expect(() => synthesize({ settlementAuthorizer: 'jwt' })).toThrow(
      /Invalid CDK context: jwtIssuer: is required when settlementAuthorizer is 'jwt'.*; jwtAudience: is required/,
    );
    expect(() => synthesize({ settlementAuthorizer: 'jwt', jwtIssuer: 'https://issuer.example.com/' })).toThrow(/jwtAudience: is required/);
    expect(() => synthesize({ settlementAuthorizer: 'jwt', jwtIssuer: 'http://issuer.example.com/', jwtAudience: 'a' })).toThrow(/jwtIssuer/);
  });

  it('rejects an unknown authorizer kind', () => {
    expect(() => withContext({ settlementAuthorizer: 'none' })).toThrow(/settlementAuthorizer/);
  });
});

describe('the settlement settings', () => {
  it('offer exactly the processors the settlement function can build', () => {
    expect([...PAYMENT_PROCESSOR_NAMES].sort()).toEqual(Object.keys(PAYMENT_PROCESSORS).sort());
    expect(withContext({ paymentProcessor: 'sandbox' }).paymentProcessor).toBe('sandbox');
    expect(() => withContext({ paymentProcessor: 'stripe' })).toThrow(/Invalid CDK context: paymentProcessor:/);
  });

  it('take only a claim the identity provider alone sets and that names one caller', () => {
    expect(withContext({ jwtCallerClaim: 'client_id' }).callerJwtClaim).toBe('client_id');
    expect(withContext({ jwtCallerClaim: 'azp' }).callerJwtClaim).toBe('azp');
    // Claims many callers share, or users can change, or that describe the token, never name a caller.
    for (const claim of ['scope', 'cognito:groups', 'email', 'preferred_username', 'iss', 'jti', '', 'https://example.com/merchant']) {
      expect(() => withContext({ jwtCallerClaim: claim }), claim).toThrow(/jwtCallerClaim: must be one of sub, client_id, azp/);
    }
  });

  it('cache merchants for whole seconds, 0 meaning not at all, as -c delivers them too', () => {
    expect(withContext({ merchantCacheTtlSeconds: 0 }).merchantCacheTtlSeconds).toBe(0);
    expect(withContext({ merchantCacheTtlSeconds: '300' }).merchantCacheTtlSeconds).toBe(300);
    expect(() => withContext({ merchantCacheTtlSeconds: -1 })).toThrow(/Invalid CDK context: merchantCacheTtlSeconds:/);
    expect(() => withContext({ merchantCacheTtlSeconds: 1.5 })).toThrow(/merchantCacheTtlSeconds:/);
    expect(() => withContext({ merchantCacheTtlSeconds: 'soon' })).toThrow(/merchantCacheTtlSeconds:/);
  });
});

describe('the other settings', () => {
  it('default to issuer signed-pay, 30 days of logs, a 30 s config cache and 50/100 requests per second', () => {
    expect(withContext({})).toEqual({
      paymentKeyGenerations: ['1'],
      paymentIssuer: 'signed-pay',
      logRetention: 30,
      configCacheTtlSeconds: 30,
      configCacheControl: { maxAgeSeconds: undefined, staleWhileRevalidateSeconds: undefined, staleIfErrorSeconds: undefined },
      throttle: { rateLimit: 50, burstLimit: 100 },
      settlementAuthorizer: { kind: 'iam' },
      tracing: false,
      samLocal: false,
      alarmSubscriptions: [],
      paymentProcessor: 'sandbox',
      callerJwtClaim: 'sub',
      merchantCacheTtlSeconds: 30,
      signingMode: 'kms',
      delegationLifetimeSeconds: 3600,
      delegationRetentionHours: 720,
    });
  });

  it('accept command-line strings for numbers and flags, and reject retentions CloudWatch does not offer', () => {
    expect(withContext({ throttleRateLimit: '200', tracing: 'true', logRetentionDays: '90' })).toMatchObject({
      throttle: { rateLimit: 200, burstLimit: 100 },
      tracing: true,
      logRetention: 90,
    });
    expect(() => withContext({ logRetentionDays: 31 })).toThrow(/logRetentionDays/);
    expect(() => withContext({ throttleBurstLimit: 0 })).toThrow(/throttleBurstLimit/);
  });

  it(
    'reach the template: issuer, caller claim, cache TTLs, retention, throttling and tracing',
    () => {
      const app = synthesize({
        paymentIssuer: 'https://pay.example.com',
        logRetentionDays: 90,
        configCacheTtlSeconds: 5,
        configMaxAgeSeconds: '120',
        configStaleIfErrorSeconds: 3600,
        throttleRateLimit: 10,
        throttleBurstLimit: 20,
        tracing: true,
        jwtCallerClaim: 'client_id',
        merchantCacheTtlSeconds: '0',
      });
      expect(environmentOf(app, app.stateless.functions.settlement)).toMatchObject({
        PAYMENT_ISSUER: 'https://pay.example.com',
        PAYMENT_PROCESSOR: 'sandbox',
        CALLER_JWT_CLAIM: 'client_id',
        MERCHANT_CACHE_TTL_SECONDS: '0',
      });
      expect(environmentOf(app, app.stateless.functions.verification).PAYMENT_ISSUER).toBe('https://pay.example.com');
      const configEnv = environmentOf(app, app.stateless.functions.config);
      expect(configEnv).toMatchObject({ CONFIG_CACHE_TTL_SECONDS: '5', CONFIG_MAX_AGE_SECONDS: '120', CONFIG_STALE_IF_ERROR_SECONDS: '3600' });
      // Not set in the context: the function keeps its own default.
      expect(configEnv).not.toHaveProperty('CONFIG_STALE_WHILE_REVALIDATE_SECONDS');
      app.statelessTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
      app.statelessTemplate.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
      // The acknowledged IAM5 finding of traced functions covers these two actions only.
      const onEveryResource = roleStatementsOf(app, app.stateless.functions.settlement).filter(
        (statement) => (statement as { Resource: unknown }).Resource === '*',
      );
      expect(onEveryResource).toEqual([
        { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      ]);
      app.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      });
    },
    SYNTH_TIMEOUT_MS,
  );
});
