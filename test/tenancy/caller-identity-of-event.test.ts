import { describe, expect, it } from 'vitest';
import { httpApiEvent } from '../support/http-api-event.js';
import { callerIdOfEvent } from '../../shared/http/caller-identity.js';

function withAuthorizer(authorizer: unknown) {
  const event = httpApiEvent('POST /v1/settlements', { headers: { 'x-caller': 'jwt:https://forged|m_123' } });
  (event.requestContext as unknown as Record<string, unknown>).authorizer = authorizer;
  return event;
}

describe('the caller of a request', () => {
  it("is the JWT authorizer's issuer and subject, or the claim the deployment names", () => {
    const event = withAuthorizer({ jwt: { claims: { iss: 'https://idp.example', sub: 'user-1', merchant_backend: 'shop-7' }, scopes: null } });
    expect(callerIdOfEvent(event, 'sub')).toBe('jwt:https://idp.example|user-1');
    expect(callerIdOfEvent(event, 'merchant_backend')).toBe('jwt:https://idp.example|shop-7');
    expect(callerIdOfEvent(event, 'missing_claim')).toBeUndefined();
  });

  it("is the IAM authorizer's principal", () => {
    const event = withAuthorizer({ iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/shop/s', accountId: '123456789012' } });
    expect(callerIdOfEvent(event, 'sub')).toBe('iam:arn:aws:iam::123456789012:role/shop');
  });

  it('is nobody without an authorizer context, whatever the headers say', () => {
    expect(callerIdOfEvent(withAuthorizer(undefined), 'sub')).toBeUndefined();
  });
});
