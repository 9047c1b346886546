import { describe, expect, it } from 'vitest';
import { callerIdOf, canonicalPrincipalArn, parseCallerId } from '../../shared/domain/merchants/caller-identity.js';

describe('caller identities', () => {
  it('map every session of a role, and the role however it is written, to one principal', () => {
    const role = 'arn:aws:iam::123456789012:role/shop';
    expect(canonicalPrincipalArn('arn:aws:sts::123456789012:assumed-role/shop/session-1')).toBe(role);
    expect(canonicalPrincipalArn('arn:aws:iam::123456789012:role/team/a/shop')).toBe(role);
    expect(canonicalPrincipalArn(role)).toBe(role);
    expect(canonicalPrincipalArn('arn:aws-cn:iam::123456789012:user/ops/alice')).toBe('arn:aws-cn:iam::123456789012:user/alice');
  });

  it('name nobody for the account root, federated users, or anything that is not an ARN', () => {
    for (const arn of ['arn:aws:iam::123456789012:root', 'arn:aws:sts::123456789012:federated-user/bob', 'shop', '']) {
      expect(canonicalPrincipalArn(arn), arn).toBeUndefined();
    }
  });

  it('keep a JWT subject apart from the same subject of another issuer', () => {
    const a = callerIdOf({ kind: 'jwt', issuer: 'https://a.example', subject: 'm_1' });
    const b = callerIdOf({ kind: 'jwt', issuer: 'https://b.example', subject: 'm_1' });
    expect(a).toBe('jwt:https://a.example|m_1');
    expect(a).not.toBe(b);
    // An issuer with the separator in it could otherwise claim another issuer's subjects.
    expect(callerIdOf({ kind: 'jwt', issuer: 'https://a.example|m', subject: '_1' })).toBeUndefined();
    expect(callerIdOf({ kind: 'jwt', issuer: '', subject: 'x' })).toBeUndefined();
  });

  it('read as an operator writes them, and say what is wrong otherwise', () => {
    expect(parseCallerId('arn:aws:sts::123456789012:assumed-role/shop/s')).toEqual({ callerId: 'iam:arn:aws:iam::123456789012:role/shop' });
    expect(parseCallerId('iam:arn:aws:iam::123456789012:role/shop')).toEqual({ callerId: 'iam:arn:aws:iam::123456789012:role/shop' });
    expect(parseCallerId('jwt:https://issuer.example|sub|with|bars')).toEqual({ callerId: 'jwt:https://issuer.example|sub|with|bars' });
    for (const text of ['jwt:https://issuer.example', 'jwt:|sub', 'arn:aws:iam::123456789012:root', 'm_123']) {
      expect(parseCallerId(text), text).toHaveProperty('error');
    }
  });
});
