import type { Fault } from '../../local/fault-proxy.js';

/**
 * The schedule of a run. Each dependency fault is followed by a pass, so that the recovery (503s
 * turning back into answers, 409s of abandoned locks running out) is part of what is measured.
 */
export type Phase =
  | { kind: 'steady'; seconds: number }
  | { kind: 'fault'; dependency: 'kms' | 'dynamodb'; fault: Fault; seconds: number; delayMs?: number }
  /** SIGKILL the stack under load, restart it on the same data and services, run `seconds` more. */
  | { kind: 'crash'; seconds: number };

const FAULTS: ReadonlyArray<readonly ['kms' | 'dynamodb', Fault]> = [
  ['kms', 'refuse'],
  ['kms', 'hang'],
  ['dynamodb', 'refuse'],
  ['dynamodb', 'hang'],
  ['dynamodb', 'reset'],
];

/**
 * Slow: each request held just under the function's 400 ms attempt timeout, so some are applied
 * after the function gave up on them: a write that happened though the caller was told 503, a
 * signature nobody received. The default run only; the quick one keeps to the hard faults.
 */
const SLOW_DELAY_MS = 350;

export function phasePlan(quick: boolean): Phase[] {
  const faultSeconds = quick ? 2 : 4;
  const passSeconds = quick ? 1 : 3;
  const faults: Array<readonly ['kms' | 'dynamodb', Fault]> = quick ? [...FAULTS] : [...FAULTS, ['kms', 'slow'], ['dynamodb', 'slow']];
  return [
    { kind: 'steady', seconds: quick ? 3 : 8 },
    ...faults.flatMap(([dependency, fault]): Phase[] => [
      { kind: 'fault', dependency, fault, seconds: faultSeconds, ...(fault === 'slow' ? { delayMs: SLOW_DELAY_MS } : {}) },
      { kind: 'steady', seconds: passSeconds },
    ]),
    { kind: 'crash', seconds: quick ? 3 : 8 },
  ];
}

export function describePhase(phase: Phase): string {
  switch (phase.kind) {
    case 'steady':
      return `steady ${phase.seconds}s`;
    case 'fault':
      return `${phase.dependency === 'kms' ? 'KMS' : 'DynamoDB'} ${phase.fault} ${phase.seconds}s`;
    case 'crash':
      return `SIGKILL the stack, restart, ${phase.seconds}s`;
  }
}
