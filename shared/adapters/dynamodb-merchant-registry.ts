import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Merchant, type MerchantDirectory, merchantSchema, type MerchantStatus } from '../domain/merchants/merchant.js';
import { MerchantRegistryUnavailableError } from '../errors.js';
import { withinDeadline } from './aws/call-deadline.js';
import { asOutage } from './aws/outage.js';

const MERCHANT_PREFIX = 'merchant#';
const CALLER_PREFIX = 'caller#';

/** The registry refused a write: the merchant exists already, or does not, or a caller acts for another merchant. */
export class MerchantRegistryConflictError extends Error {}

/**
 * The merchant registry, one table keyed by `pk`, two kinds of item:
 *
 * - `merchant#<id>`: the merchant (mode, status, callers);
 * - `caller#<callerId>`: which merchant a caller acts for, so a request's caller is found with
 *   one GetItem. A caller item is claimed with a conditional put, so no caller can ever act for
 *   two merchants.
 *
 * A caller counts only while its merchant still lists it: removing it from the merchant item
 * revokes it even if the caller item stayed behind (writes are single-item, no transactions).
 */
export class DynamoDbMerchantRegistry implements MerchantDirectory {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The request path: an outage is MerchantRegistryUnavailableError (503), so nothing is charged and the caller retries. */
  async merchantForCaller(callerId: string): Promise<Merchant | undefined> {
    try {
      const caller = await this.#item(`${CALLER_PREFIX}${callerId}`);
      if (typeof caller?.merchantId !== 'string') return undefined;
      const merchant = await this.get(caller.merchantId);
      return merchant?.callers.includes(callerId) ? merchant : undefined;
    } catch (error) {
      return asOutage(error, (cause) => new MerchantRegistryUnavailableError(cause));
    }
  }

  async get(merchantId: string): Promise<Merchant | undefined> {
    const item = await this.#item(`${MERCHANT_PREFIX}${merchantId}`);
    return item && merchantOf(item);
  }

  async list(): Promise<Merchant[]> {
    const merchants: Merchant[] = [];
    const pages = paginateScan(
      { client: this.documentClient },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': MERCHANT_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) merchants.push(...(page.Items ?? []).flatMap((item) => merchantOf(item) ?? []));
    return merchants.sort((a, b) => a.merchantId.localeCompare(b.merchantId));
  }

  /**
   * Registers a merchant. Callers are claimed first: a crash after some claims leaves claims
   * for a merchant that does not exist (harmless, and a repeated `add` takes them again).
   */
  async add(merchant: Merchant): Promise<void> {
    // Refuse an existing merchant before claiming anything: claims for it would block those identities.
    if (await this.get(merchant.merchantId)) throw new MerchantRegistryConflictError(`Merchant ${merchant.merchantId} exists already.`);
    for (const callerId of merchant.callers) await this.#claimCaller(callerId, merchant.merchantId);
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${MERCHANT_PREFIX}${merchant.merchantId}`, ...merchant },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        withinDeadline(),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new MerchantRegistryConflictError(`Merchant ${merchant.merchantId} exists already.`);
      throw error;
    }
  }

  /** Adds an existing merchant if it is missing, and leaves an identical one alone: what a seed needs. */
  async ensure(merchant: Merchant): Promise<void> {
    const existing = await this.get(merchant.merchantId);
    if (!existing) return this.add(merchant);
    for (const callerId of merchant.callers) if (!existing.callers.includes(callerId)) await this.addCaller(merchant.merchantId, callerId);
  }

  async addCaller(merchantId: string, callerId: string): Promise<void> {
    await this.#claimCaller(callerId, merchantId);
    await this.#update(merchantId, 'SET callers = list_append(callers, :new)', { ':new': [callerId] }, 'NOT contains(callers, :caller)', { ':caller': callerId });
  }

  /**
   * Revokes one caller (a leaked credential) without suspending the merchant: off the merchant's
   * list first, which revokes it at once (the request path checks the list), then its claim is
   * released so the identity can be registered elsewhere.
   */
  async removeCaller(merchantId: string, callerId: string): Promise<Merchant> {
    const merchant = await this.get(merchantId);
    if (!merchant) throw new MerchantRegistryConflictError(`Merchant ${merchantId} is not registered.`);
    const index = merchant.callers.indexOf(callerId);
    if (index < 0) throw new MerchantRegistryConflictError(`Caller ${callerId} does not act for ${merchantId}.`);
    const updated = await this.#update(merchantId, `REMOVE callers[${index}]`, { ':caller': callerId }, `callers[${index}] = :caller`);
    try {
      await this.documentClient.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `${CALLER_PREFIX}${callerId}` },
          ConditionExpression: 'merchantId = :merchantId',
          ExpressionAttributeValues: { ':merchantId': merchantId },
        }),
        withinDeadline(),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return updated;
  }

  async setStatus(merchantId: string, status: MerchantStatus): Promise<Merchant> {
    return this.#update(merchantId, 'SET #status = :status', { ':status': status });
  }

  async #claimCaller(callerId: string, merchantId: string): Promise<void> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${CALLER_PREFIX}${callerId}`, merchantId },
          ConditionExpression: 'attribute_not_exists(pk) OR merchantId = :merchantId',
          ExpressionAttributeValues: { ':merchantId': merchantId },
        }),
        withinDeadline(),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new MerchantRegistryConflictError(`Caller ${callerId} already acts for another merchant; a caller acts for one merchant only.`);
      }
      throw error;
    }
  }

  async #update(
    merchantId: string,
    expression: string,
    values: Record<string, unknown>,
    extraCondition?: string,
    extraValues: Record<string, unknown> = {},
  ): Promise<Merchant> {
    try {
      const { Attributes } = await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `${MERCHANT_PREFIX}${merchantId}` },
          UpdateExpression: expression,
          ConditionExpression: ['attribute_exists(pk)', extraCondition].filter(Boolean).join(' AND '),
          ...(expression.includes('#status') ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ...values, ...extraValues },
          ReturnValues: 'ALL_NEW',
        }),
        withinDeadline(),
      );
      const merchant = merchantOf(Attributes ?? {});
      if (!merchant) throw new MerchantRegistryConflictError(`Merchant ${merchantId} is stored in a form this version cannot read.`);
      return merchant;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const exists = await this.get(merchantId);
      if (!exists) throw new MerchantRegistryConflictError(`Merchant ${merchantId} is not registered.`);
      return exists; // the extra condition failed: the change was there already
    }
  }

  async #item(pk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }),
      withinDeadline(),
    );
    return Item;
  }
}

/** A stored merchant that does not parse is not a merchant: nobody may act for it. */
function merchantOf(item: Record<string, unknown>): Merchant | undefined {
  const { pk: _pk, ...fields } = item;
  const parsed = merchantSchema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}
