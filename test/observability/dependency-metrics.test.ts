// The SDK middleware that measures every AWS call, against a server that answers as KMS and
// DynamoDB do when they refuse a call: which answers are failures, which are throttles.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { ServiceMetrics } from '../../shared/observability/service-metrics.js';
import { capturing, type EmfMetric } from './support/captured-output.js';
import { expectContractMetrics, sumOf, valuesOf } from './support/emf.js';

/** What the server answers next: AWS's JSON protocol, an error is its `__type` with a 4xx. */
let answer: { status: number; body: object } = { status: 200, body: {} };
/** Answered first, one per request, before `answer` (a throttled attempt that the SDK retries). */
let answers: Array<{ status: number; body: object }> = [];
// Started as the file loads: the clients below are built with its address.
const server: Server = createServer((request, response) => {
  request.resume().on('end', () => {
    const next = answers.shift() ?? answer;
    response.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(next.body));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));

// One attempt, so that one call is one request to the server whatever the SDK would retry.
const options = () => ({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** Makes one call with the given answer; the metrics it published. */
async function call(send: () => Promise<unknown>, metrics: ServiceMetrics, status: number, body: object): Promise<EmfMetric[]> {
  answer = { status, body };
  const { output } = await capturing(async () => {
    await send().catch(() => undefined);
    metrics.publish();
  });
  const published = output.metrics();
  expectContractMetrics(published, 'settlement');
  return published;
}

describe('KMS', () => {
  const metrics = new ServiceMetrics({ namespace: 'SignedPay', service: 'settlement' });
  const kms = measureAwsCalls(new KMSClient(options()), 'KMS', metrics);
  const describeKey = () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/test' }));
  const KMS = { Dependency: 'KMS' };

  it('a call that succeeds: its latency, no error, no throttle', async () => {
    const published = await call(describeKey, metrics, 200, { KeyMetadata: { KeyId: 'k' } });
    expect(valuesOf(published, METRICS.dependencyLatency, KMS)).toEqual([expect.any(Number)]);
    expect(valuesOf(published, METRICS.dependencyErrors, KMS)).toEqual([]);
    expect(valuesOf(published, METRICS.dependencyThrottles, KMS)).toEqual([]);
  });

  it('ThrottlingException: an error and a throttle', async () => {
    const published = await call(describeKey, metrics, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(sumOf(published, METRICS.dependencyErrors, KMS)).toBe(1);
    expect(sumOf(published, METRICS.dependencyThrottles, KMS)).toBe(1);
  });

  it('NotFoundException: an error, not a throttle', async () => {
    const published = await call(describeKey, metrics, 400, { __type: 'NotFoundException', message: 'no such key' });
    expect(sumOf(published, METRICS.dependencyErrors, KMS)).toBe(1);
    expect(sumOf(published, METRICS.dependencyThrottles, KMS)).toBe(0);
  });

  it('counts a throttle the retries absorbed: the call succeeds, no error, one throttle per throttled attempt', async () => {
    const retrying = measureAwsCalls(new KMSClient({ ...options(), maxAttempts: 3 }), 'KMS', metrics);
    answers = [
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
    ];
    const published = await call(() => retrying.send(new DescribeKeyCommand({ KeyId: 'alias/test' })), metrics, 200, { KeyMetadata: { KeyId: 'k' } });
    expect(sumOf(published, METRICS.dependencyThrottles, KMS)).toBe(2);
    expect(sumOf(published, METRICS.dependencyErrors, KMS)).toBe(0);
    expect(valuesOf(published, METRICS.dependencyLatency, KMS)).toHaveLength(1);
  });

  it('a call throttled on every attempt: one error, a throttle per attempt, one latency', async () => {
    const retrying = measureAwsCalls(new KMSClient({ ...options(), maxAttempts: 3 }), 'KMS', metrics);
    const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    answers = [throttled, throttled];
    const published = await call(() => retrying.send(new DescribeKeyCommand({ KeyId: 'alias/test' })), metrics, throttled.status, throttled.body);
    expect(sumOf(published, METRICS.dependencyThrottles, KMS)).toBe(3);
    expect(sumOf(published, METRICS.dependencyErrors, KMS)).toBe(1);
    expect(valuesOf(published, METRICS.dependencyLatency, KMS)).toHaveLength(1);
  });

  it('measures a client once, however often it is handed to measureAwsCalls', async () => {
    measureAwsCalls(kms, 'KMS', metrics);
    const published = await call(describeKey, metrics, 200, { KeyMetadata: { KeyId: 'k' } });
    expect(valuesOf(published, METRICS.dependencyLatency, KMS)).toHaveLength(1);
  });
});

describe('DynamoDB', () => {
  const metrics = new ServiceMetrics({ namespace: 'SignedPay', service: 'settlement' });
  const dynamodb = measureAwsCalls(new DynamoDBClient(options()), 'DynamoDB', metrics);
  const DYNAMODB = { Dependency: 'DynamoDB' };
  const errorType = (name: string) => ({ __type: `com.amazonaws.dynamodb.v20120810#${name}`, message: name });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])('%s: an error and a throttle', async (name) => {
    const published = await call(() => dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })), metrics, 400, errorType(name));
    expect(sumOf(published, METRICS.dependencyErrors, DYNAMODB)).toBe(1);
    expect(sumOf(published, METRICS.dependencyThrottles, DYNAMODB)).toBe(1);
  });

  it('a conditional write refused by its condition is an answer: latency, no error', async () => {
    const put = () => dynamodb.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
    const published = await call(put, metrics, 400, errorType('ConditionalCheckFailedException'));
    expect(valuesOf(published, METRICS.dependencyLatency, DYNAMODB)).toHaveLength(1);
    expect(sumOf(published, METRICS.dependencyErrors, DYNAMODB)).toBe(0);
  });

  it('ResourceNotFoundException (a missing table): an error, not a throttle', async () => {
    const published = await call(() => dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })), metrics, 400, errorType('ResourceNotFoundException'));
    expect(sumOf(published, METRICS.dependencyErrors, DYNAMODB)).toBe(1);
    expect(sumOf(published, METRICS.dependencyThrottles, DYNAMODB)).toBe(0);
  });
});
