import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, paginateQuery, PutCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DELEGATION_SCOPES, type DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry, RegisteredDelegation } from '../domain/delegation/delegation-registry.js';
import { withinDeadline } from './aws/call-deadline.js';

/** Listing and revocation items outlive their delegation's end by this much before DynamoDB's TTL removes them. */
const LISTING_AFTERLIFE_SECONDS = 3600;

/**
 * The delegation registry: one table keyed by `pk` + `sk`, every item's `pk` beginning with its
 * scope (`<typ>#`), so IAM can give each function its own scope only (dynamodb:LeadingKeys):
 *
 * - `<scope>#<kid>` / `delegation`: the delegation with its root signature, kept `keepUntil`
 *   (the retention of receipts, for audit), marked when revoked;
 * - `<scope>#live` / `<expires>#<kid>`: one listing item per delegation, sorted by when it ends,
 *   so the live ones are one Query of a range, however many ended before them;
 * - `<scope>#revoked` / `<kid>`: the revocation list, short (revocations are rare), read every few
 *   seconds by every container that signs or verifies with delegated keys. Functions may not
 *   write it (an explicit IAM deny): only operators revoke, and nothing un-revokes.
 *
 * `expiresAt` is the table's TTL attribute. Writes are single-item (no transactions): registering
 * writes the delegation before its listing, so whatever a crash leaves is verifiable or nothing.
 * Reads are strongly consistent: a token may reach a verifier a moment after its delegation was written.
 * Errors are the SDK's: callers decide what an outage means for them.
 */
export class DynamoDbDelegationRegistry implements DelegationRegistry {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(delegation: RegisteredDelegation, keepUntil: number): Promise<void> {
    const { scope, kid, expires } = delegation;
    await this.#put({ pk: `${scope}#${kid}`, sk: 'delegation', ...delegation, expiresAt: keepUntil });
    await this.#put({ pk: `${scope}#live`, sk: listingKey(expires, kid), ...delegation, expiresAt: expires + LISTING_AFTERLIFE_SECONDS });
  }

  async get(scope: DelegationScope, kid: string): Promise<RegisteredDelegation | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `${scope}#${kid}`, sk: 'delegation' }, ConsistentRead: true }),
      withinDeadline(),
    );
    return Item ? delegationOf(Item) : undefined;
  }

  async live(scope: DelegationScope, now: number): Promise<RegisteredDelegation[]> {
    const items = await this.#query({
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': `${scope}#live`, ':after': listingKey(now, '~') },
    });
    return items.map(delegationOf);
  }

  /** Every revocation ever made in the scope: a kid stays refused for its receipts' whole life. */
  async revokedKids(scope: DelegationScope): Promise<Set<string>> {
    const items = await this.#query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${scope}#revoked` } });
    return new Set(items.map((item) => String(item.kid)));
  }

  /**
   * Listed first, then marked: a crash in between still has it refused everywhere. Both keep the
   * first revocation's time and reason; the listing is kept for good (revocations are rare).
   */
  async revoke(scope: DelegationScope, kid: string, reason: string, now: Date): Promise<RegisteredDelegation | undefined> {
    const key = { pk: `${scope}#${kid}`, sk: 'delegation' };
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }), withinDeadline());
    if (!Item) return undefined;
    const revokedAt = now.toISOString();
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          // No TTL: the delegation item's own could have been set by whoever holds a signer's
          // credentials, and a revocation must outlive every receipt the key signed.
          Item: { pk: `${scope}#revoked`, sk: kid, kid, revokedAt, reason },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        withinDeadline(),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :revokedAt), revocationReason = if_not_exists(revocationReason, :reason)',
        ExpressionAttributeValues: { ':revokedAt': revokedAt, ':reason': reason },
      }),
      withinDeadline(),
    );
    return this.get(scope, kid);
  }

  async #put(item: Record<string, unknown>): Promise<void> {
    await this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: item }), withinDeadline());
  }

  async #query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery({ client: this.documentClient }, { TableName: this.tableName, ConsistentRead: true, ...input }, withinDeadline());
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }
}

/** Sorts by the end of the delegation: epoch seconds, zero-padded so that text order is time order. */
function listingKey(expires: number, kid: string): string {
  return `${String(expires).padStart(12, '0')}#${kid}`;
}

function delegationOf(item: Record<string, unknown>): RegisteredDelegation {
  const scope = DELEGATION_SCOPES.find((known) => known === item.scope);
  if (!scope) throw new Error(`The delegation registry holds an item of unknown scope ${String(item.scope)}`);
  return {
    kid: String(item.kid),
    scope,
    delegation: String(item.delegation),
    rootKid: String(item.rootKid),
    notBefore: Number(item.notBefore),
    expires: Number(item.expires),
    registeredAt: String(item.registeredAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.revocationReason === 'string' ? { revocationReason: item.revocationReason } : {}),
  };
}
