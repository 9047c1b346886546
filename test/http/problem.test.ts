import { describe, expect, it } from 'vitest';
import { ConfigConflictError } from '../../shared/domain/config/errors.js';
import { LedgerUnavailableError, ProcessorUnavailableError, RequestInFlightError, ValidationError } from '../../shared/errors.js';
import { problemResponse } from '../../shared/http/problem.js';

describe('problem responses', () => {
  it('tell the caller what to fix for a 4xx, with the listed issues', () => {
    const response = problemResponse(new ValidationError('The request is invalid: x is required.', [{ path: 'x', message: 'is required' }]));
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body!)).toEqual({
      type: '/problems/validation-failed',
      title: 'Request is invalid',
      status: 400,
      detail: 'The request is invalid: x is required.',
      errors: [{ path: 'x', message: 'is required' }],
    });
  });

  it('hide everything about an unexpected error', () => {
    const error = new Error('ConditionalCheckFailed on arn:aws:dynamodb:eu-west-1:123456789012:table/ledger');
    const body = problemResponse(error).body!;
    expect(JSON.parse(body)).toMatchObject({ status: 500, type: '/problems/internal' });
    expect(body).not.toContain('arn:aws');
    expect(body).not.toContain('at ');
  });

  it('give every error code of ours its status', () => {
    expect(problemResponse(new ConfigConflictError('country:DE', 1, 2)).statusCode).toBe(409);
    expect(problemResponse(new LedgerUnavailableError(new Error('down'))).statusCode).toBe(503);
  });

  it('keep the fixed, caller-facing text of upstream failures', () => {
    const response = problemResponse(new ProcessorUnavailableError(new Error('socket hang up')));
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toContain('socket hang up');
    expect(JSON.parse(response.body!).type).toBe('/problems/processor-unavailable');
  });

  it('tell the caller when to retry a request in flight or an unavailable dependency', () => {
    expect(problemResponse(new RequestInFlightError()).headers?.['retry-after']).toBe('1');
    const unavailable = problemResponse(new LedgerUnavailableError(new Error('timeout')));
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers?.['retry-after']).toBe('2');
    expect(problemResponse(new ValidationError('bad')).headers?.['retry-after']).toBeUndefined();
  });
});
