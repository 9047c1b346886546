import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_REGION } from '../../local/local-stack.js';
import { LOCAL_TABLES } from '../../local/tables.js';
import { isCompleted, type LedgerRecord } from '../../shared/domain/settlement/ledger-record.js';
import { paymentIdFor } from '../../shared/use-cases/settle-payment.js';
import type { Observations, PaymentKey } from './observations.js';

/** The whole ledger table, read from dynalite itself (not through the proxy), consistently. */
export async function readLedger(dynamodbUrl: string): Promise<LedgerRecord[]> {
  const client = new DynamoDBClient({
    endpoint: dynamodbUrl,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const records: LedgerRecord[] = [];
    const pages = paginateScan({ client }, { TableName: LOCAL_TABLES.LEDGER_TABLE_NAME.TableName, ConsistentRead: true });
    for await (const page of pages) records.push(...(page.Items ?? []).map((item) => unmarshall(item) as LedgerRecord));
    return records;
  } finally {
    client.destroy();
  }
}

export interface LedgerAudit {
  acknowledged: number;
  completedRecords: number;
  /** Acknowledged (201/402 seen by a client) and no completed record: money moved, no receipt kept. */
  lost: string[];
  /** Acknowledged, recorded, but the record is not what the clients were given (other response or status). */
  mismatched: string[];
  /** More than one distinct signed response reached clients for one key. */
  duplicateSignatures: string[];
  /** 201/402 answers to one key that are not the same bytes. */
  replayBytesDiffer: string[];
  /** Completed, though no client saw the answer (they gave up first): not a loss, the next retry gets it. */
  unacknowledgedRecorded: string[];
  /** Completed records of keys this run never sent, or a tok_error payment that got signed. */
  strangers: string[];
  /** Pending at the end: tok_error payments keep theirs by design (bound to the request, unlocked). */
  pendingByDesign: number;
  orphanLocks: Array<{ key: string; held: boolean }>;
  /** Keys with no final answer at the end, apart from tok_error ones (which never get one). */
  unresolved: string[];
  /** Keys whose own, unchanged request was refused as a key reuse (422). */
  ownRequestRefused: string[];
  kmsSigns: number;
}

/**
 * Ledger = acknowledged: every key a client saw answered has exactly one completed record, whose
 * response is the one every client saw, and nothing is recorded that was never asked for.
 */
export function auditLedger(records: LedgerRecord[], observations: Observations, kmsSigns: number): LedgerAudit {
  const byPaymentId = new Map(records.map((record) => [record.paymentId, record]));
  const keysByPaymentId = new Map([...observations.payments.values()].map((payment) => [paymentIdFor(payment.merchantId, payment.key), payment]));
  const acknowledged = observations.acknowledged();
  const audit: LedgerAudit = {
    acknowledged: acknowledged.length,
    completedRecords: records.filter(isCompleted).length,
    lost: [],
    mismatched: [],
    duplicateSignatures: [],
    replayBytesDiffer: [],
    unacknowledgedRecorded: [],
    strangers: [],
    pendingByDesign: 0,
    orphanLocks: [],
    unresolved: [],
    ownRequestRefused: [],
    kmsSigns,
  };

  for (const payment of acknowledged) {
    const record = byPaymentId.get(paymentIdFor(payment.merchantId, payment.key));
    if (payment.paymentResponses.size > 1) audit.duplicateSignatures.push(payment.key);
    if (payment.acknowledgedBodies.size > 1) audit.replayBytesDiffer.push(payment.key);
    if (!record || !isCompleted(record)) audit.lost.push(payment.key);
    else if (!recordMatches(record, payment)) audit.mismatched.push(payment.key);
  }

  const now = Date.now();
  for (const record of records) {
    const payment = keysByPaymentId.get(record.paymentId);
    if (!payment || (isCompleted(record) && payment.body.paymentMethod.token === 'tok_error')) {
      audit.strangers.push(payment?.key ?? record.paymentId);
    } else if (isCompleted(record)) {
      if (payment.paymentResponses.size === 0) audit.unacknowledgedRecorded.push(payment.key);
    } else if (payment.body.paymentMethod.token === 'tok_error') {
      audit.pendingByDesign += 1;
    } else {
      audit.orphanLocks.push({ key: payment.key, held: (record.lockExpiresAt ?? 0) > now });
    }
  }

  for (const payment of observations.payments.values()) {
    if (payment.finalStatus === undefined && payment.body.paymentMethod.token !== 'tok_error') audit.unresolved.push(payment.key);
    if (payment.refusedAsReuse) audit.ownRequestRefused.push(payment.key);
  }
  return audit;
}

export function ledgerEqualsAcknowledged(audit: LedgerAudit): boolean {
  return !audit.lost.length && !audit.mismatched.length && !audit.duplicateSignatures.length && !audit.strangers.length;
}

/** Every answer a client got is the record: its payment, its status, its signed response. */
function recordMatches(record: LedgerRecord & { paymentResponse: string }, payment: PaymentKey): boolean {
  return [...payment.acknowledgedBodies].every((text) => {
    const seen = JSON.parse(text) as { paymentId?: string; status?: string; paymentResponse?: string };
    return seen.paymentId === record.paymentId && seen.status === record.status && seen.paymentResponse === record.paymentResponse;
  });
}
