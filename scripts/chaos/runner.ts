import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerStats } from './answer-stats.js';
import { ChaosClient, sleep } from './client.js';
import { type Dependencies, startDependencies } from './dependencies.js';
import { auditLedger, readLedger } from './ledger-audit.js';
import { LoadGenerator } from './load.js';
import { Observations } from './observations.js';
import { describePhase, type Phase, phasePlan } from './phases.js';
import { Random } from './random.js';
import { printReport, rowsOf } from './report.js';
import { type StackProcess, startStackProcess } from './stack-process.js';

export interface ChaosOptions {
  quick: boolean;
  seed: number;
  /** Keep the data directory (ledger, stack log) even when the run passes. */
  keep: boolean;
  write: (line: string) => void;
}

/** The local stack's function timeout (local-stack.ts default): every answer must come before it. */
const FUNCTION_DEADLINE_MS = 10_000;

/**
 * Short attempts, two of them: a hung dependency costs about a second instead of the default
 * three 2 s attempts, so each fault window sees many answers instead of a few.
 */
const SHORT_AWS_TIMEOUTS = { AWS_REQUEST_TIMEOUT_MS: '400', AWS_CONNECTION_TIMEOUT_MS: '200', AWS_MAX_ATTEMPTS: '2' };

/** Replaying every key takes a few seconds when the stack answers; this bounds it when it does not. */
const FINAL_SWEEP_MS = 30_000;

/** 12 workers, one of them at times in a race of 4: at most 15 requests in flight. */
const LOAD = { workers: 12, raceSize: 4, thinkMs: 30 };

/**
 * One chaos run: dependencies in this process behind fault proxies, `npm start` as a child
 * pointed at them, mixed load through the phase plan, a final sweep with everything passing,
 * then the audit of what clients saw against the ledger. Everything started is stopped on the
 * way out; the data directory is kept when the run fails, for a look at the ledger and the log.
 */
export async function runChaos(options: ChaosOptions): Promise<boolean> {
  const started = performance.now();
  const { write } = options;
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s`;
  const plan = phasePlan(options.quick);
  const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-chaos-'));
  const logFile = join(dataDir, 'stack.log');
  const observations = new Observations();
  let dependencies: Dependencies | undefined;
  let stack: StackProcess | undefined;
  let passed = false;
  // Interrupted (Ctrl-C exits at once): nothing worth keeping, so no temp directory left behind.
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);

  try {
    const deps = (dependencies = await startDependencies(dataDir));
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: deps.dynamodbProxy.url,
      AWS_ENDPOINT_URL_KMS: deps.kmsProxy.url,
      ...SHORT_AWS_TIMEOUTS,
      // Short, so DynamoDB faults reach the merchant registry too (merchants-unavailable), not only the ledger.
      MERCHANT_CACHE_TTL_SECONDS: '2',
      // Failures (5xx) are logged with their cause, to explain an undocumented one.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const start = (port: number) => startStackProcess({ dataDir, port, env, logFile });
    stack = await start(0);
    write(`${elapsed()}  stack up at ${stack.url} (data ${dataDir})`);

    const client = new ChaosClient({ url: () => stack!.url, token: (merchantId) => stack!.devTokens[merchantId]! }, observations);
    const runId = options.seed.toString(36);
    const load = new LoadGenerator(client, observations, new Random(options.seed), LOAD, runId);
    load.start();
    const runPhase = async (phase: Phase): Promise<void> => {
      switch (phase.kind) {
        case 'steady':
          await sleep(phase.seconds * 1000);
          return;
        case 'fault': {
          const proxy = phase.dependency === 'kms' ? deps.kmsProxy : deps.dynamodbProxy;
          observations.openWindow('fault', describePhase(phase));
          await proxy.set(phase.fault, { delayMs: phase.delayMs });
          await sleep(phase.seconds * 1000);
          await proxy.set('pass');
          observations.closeWindow();
          return;
        }
        case 'crash': {
          observations.openWindow('crash', 'the crash');
          await stack!.kill();
          stack = await start(stack!.port);
          observations.closeWindow();
          write(`${elapsed()}  restarted at ${stack.url}: same-key retries of every key without a final answer`);
          // Keys whose clients were cut off or had given up: their merchants come back with the same key.
          await Promise.all([load.sweep({ concurrency: 4, everyKey: false, withinMs: phase.seconds * 1000 }), sleep(phase.seconds * 1000)]);
        }
      }
    };
    try {
      for (const phase of plan) {
        write(`${elapsed()}  ${describePhase(phase)}  (${observations.attempts.length} requests so far)`);
        await runPhase(phase);
      }
    } finally {
      observations.closeWindow();
      await Promise.all([deps.dynamodbProxy.set('pass'), deps.kmsProxy.set('pass')]);
      write(`${elapsed()}  load stopping: clients finish their retries`);
      await load.stop();
    }

    write(`${elapsed()}  final sweep: every key once more, with everything passing`);
    await load.sweep({ concurrency: 8, everyKey: true, withinMs: FINAL_SWEEP_MS });
    const ledger = auditLedger(await readLedger(deps.dynamodbUrl), observations, deps.kmsSigns());
    const facts = {
      mode: options.quick ? ('quick' as const) : ('default' as const),
      seed: options.seed,
      seconds: (performance.now() - started) / 1000,
      functionDeadlineMs: FUNCTION_DEADLINE_MS,
      phases: plan.map(describePhase),
    };
    const verdict = printReport(rowsOf(answerStats(observations), ledger, observations, facts), facts, write);
    write(verdict.text);
    passed = verdict.passed;
    return passed;
  } finally {
    process.off('exit', removeDataDir);
    await stack?.stop();
    await dependencies?.close();
    if (passed && !options.keep) removeDataDir();
    else {
      writeFileSync(join(dataDir, 'observations.json'), JSON.stringify(observations));
      write(`kept ${dataDir} for a look: stack.log, observations.json (every attempt), dynamodb/ (the ledger, for dynalite)`);
    }
  }
}
