import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_POLICY, type FunctionId, type Route } from '../../shared/routes.js';

export interface RoutedHttpApiProps {
  routes: readonly Route[];
  functions: Readonly<Record<FunctionId, IFunction>>;
  /** Guards every `authenticated` route; public routes get none. */
  authenticatedRouteAuthorizer: IHttpRouteAuthorizer;
  throttle: { rateLimit: number; burstLimit: number };
  accessLogRetention: RetentionDays;
}

/**
 * An HTTP API whose routes are the route table, one Lambda integration (payload format 2.0)
 * per function, CORS from the shared policy, and a throttled, access-logged default stage.
 */
export class RoutedHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Routes by route key, e.g. `POST /v1/settlements`. */
  readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: RoutedHttpApiProps) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Signed payments, their verification and country configuration',
      corsPreflight: {
        allowOrigins: [...CORS_POLICY.allowOrigins],
        allowMethods: CORS_POLICY.allowMethods.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...CORS_POLICY.allowHeaders],
        exposeHeaders: [...CORS_POLICY.exposeHeaders],
        maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
      },
      // The default stage is made below: HttpApi's own cannot be throttled or logged.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat() },
    });

    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integrationOf = (functionId: FunctionId) => {
      let integration = integrations.get(functionId);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${functionId}Integration`, props.functions[functionId], {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(functionId, integration);
      }
      return integration;
    };

    const routes = new Map<string, HttpRoute>();
    for (const route of props.routes) {
      const routeKey = `${route.method} ${route.path}`;
      const httpRoute = new HttpRoute(this, `Route${route.method}${route.path.replace(/[^A-Za-z0-9]/g, '')}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationOf(route.functionId),
        authorizer: route.access === 'authenticated' ? props.authenticatedRouteAuthorizer : new HttpNoneAuthorizer(),
      });
      if (route.access === 'public') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey} is public by design (route table access 'public'): anyone may fetch public keys and configuration or verify a signed response; it is throttled at the stage and returns no secrets.`,
        });
      }
      routes.set(routeKey, httpRoute);
    }
    this.routes = routes;
  }

  /** Host name of the default stage, for an origin in front of it. */
  get domainName(): string {
    const stack = Stack.of(this);
    return `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}

/**
 * One JSON line per request. No headers and no bodies: Authorization, Idempotency-Key and
 * payment data stay out of the logs.
 */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      sourceIp: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
      userAgent: '$context.identity.userAgent',
    }),
  );
}
