import { Duration, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  CachedMethods,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { CORS_POLICY } from '../../shared/routes.js';

/** The header CloudFront adds to every origin request; the config function checks it. */
const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/** The header CloudFront sets from the viewer's IP address. */
export const VIEWER_COUNTRY_HEADER = 'CloudFront-Viewer-Country';
const CONFIG_PATH_PATTERN = '/v1/config*';

export interface ApiDistributionProps {
  /** Host name of the HTTP API's default stage. */
  apiDomainName: string;
  /**
   * Sent as `x-origin-verify` on every origin request. The API can be called directly too;
   * only a request carrying this value came through CloudFront, so only then is its
   * CloudFront-Viewer-Country header CloudFront's and not the caller's.
   */
  originVerifySecret: string;
}

/**
 * CloudFront in front of the HTTP API, for the country configuration: CloudFront knows the
 * viewer's country and caches configuration per country and language. Every other path
 * passes through uncached with the viewer's headers.
 */
export class ApiDistribution extends Construct {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ApiDistributionProps) {
    super(scope, id);

    const origin = new HttpOrigin(props.apiDomainName, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originVerifySecret },
    });

    // The cache key: what makes one configuration answer differ from another. Headers and
    // query strings in the cache key are forwarded to the origin as well.
    const configCachePolicy = new CachePolicy(this, 'ConfigCachePolicy', {
      comment: 'Country configuration: one entry per viewer country, language and explicit country',
      headerBehavior: CacheHeaderBehavior.allowList(VIEWER_COUNTRY_HEADER, 'Accept-Language'),
      queryStringBehavior: CacheQueryStringBehavior.allowList('country', 'explain'),
      // The origin decides with Cache-Control; without one, nothing is cached. The maximum
      // bounds how long a configuration change can take to reach viewers.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.hours(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // Stated explicitly although the cache key already forwards them, so the origin still
    // receives the viewer's country if the cache policy is ever relaxed.
    const configOriginRequestPolicy = new OriginRequestPolicy(this, 'ConfigOriginRequestPolicy', {
      comment: 'Country configuration: the viewer country, language and country/explain query',
      headerBehavior: OriginRequestHeaderBehavior.allowList(VIEWER_COUNTRY_HEADER, 'Accept-Language'),
      queryStringBehavior: OriginRequestQueryStringBehavior.allowList('country', 'explain'),
    });
    // Cached answers must carry CORS headers whatever request first filled the cache.
    const cors = new ResponseHeadersPolicy(this, 'Cors', {
      comment: 'CORS from the shared route table policy',
      corsBehavior: {
        accessControlAllowCredentials: false,
        accessControlAllowOrigins: [...CORS_POLICY.allowOrigins],
        accessControlAllowMethods: [...CORS_POLICY.allowMethods],
        accessControlAllowHeaders: [...CORS_POLICY.allowHeaders],
        accessControlExposeHeaders: [...CORS_POLICY.exposeHeaders],
        accessControlMaxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
        originOverride: true,
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Signed-pay API, caching country configuration per viewer country',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin,
        // POST must reach the API unchanged, so no redirect from http: HTTPS or nothing.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Forwards Idempotency-Key, If-None-Match and the rest; the Host stays the API's.
        // CloudFront forwards Authorization on POST without a policy naming it.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cors,
      },
      additionalBehaviors: {
        [CONFIG_PATH_PATTERN]: {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          cachePolicy: configCachePolicy,
          originRequestPolicy: configOriginRequestPolicy,
          responseHeadersPolicy: cors,
        },
      },
    });

    acknowledgeDistributionFindings(this.distribution);
  }
}

function acknowledgeDistributionFindings(distribution: Distribution): void {
  Validations.of(distribution).acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason: 'The service is offered in every country; the viewer country selects configuration, it does not block anyone.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF yet: the API stage is throttled and the only cached path is public read-only configuration. A WAF web ACL (in us-east-1) with a rate-based rule is the next step before production traffic.',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'Every request that reaches the API is in its access log; only cache hits on public configuration are not logged. CloudFront standard logging would need an S3 bucket or log delivery set up per account, out of scope here.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, with which CloudFront fixes the security policy at TLSv1 and cannot be changed; a custom domain with an ACM certificate and TLSv1.2_2021 is needed to raise it. The origin connection is HTTPS with TLSv1.2 only.',
    },
  );
}
