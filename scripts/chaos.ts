import { runChaos } from './chaos/runner.js';

// `npm run chaos [-- --quick --seed <n> --keep]`: a bounded reliability run of the local stack under
// dependency faults and a crash; exits 1 if an invariant fails. The logic lives in ./chaos/.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm run chaos [-- --quick] [--seed <n>] [--keep]
  Runs the local stack (npm start) as a child against dynalite and the local KMS behind fault
  proxies, drives mixed payment traffic through KMS and DynamoDB faults and a SIGKILL of the
  stack, then checks the ledger against every answer the clients got. About 90 s (--quick: 30 s).
  --seed replays a run's mix of operations; --keep keeps its data directory and stack log.
  Exit code 0: every invariant held; 1: one failed (the table says which); 2: bad arguments.`;

function parseArgs(args: string[]): { quick: boolean; seed: number; keep: boolean } | undefined {
  let quick = false;
  let keep = false;
  let seed = Math.floor(Math.random() * 2 ** 31);
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--seed' && /^\d+$/.test(args[i + 1] ?? '')) seed = Number(args[(i += 1)]);
    else return undefined;
  }
  return { quick, seed, keep };
}

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
const options = parseArgs(args);
if (!options) {
  console.error(USAGE);
  process.exit(2);
}
// Ctrl-C: exit, so the exit hook kills the stack child (the in-process servers go with us).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`chaos: interrupted (${signal}); nothing was checked`);
    process.exit(130);
  });
}

// The run bounds itself (every retry and sweep has a deadline); this is the promise to a CI job.
const RUN_BOUND_MS = 180_000;
setTimeout(() => {
  console.error(`chaos: FAIL (the run passed its ${RUN_BOUND_MS / 1000} s bound)`);
  process.exit(1);
}, RUN_BOUND_MS).unref();

try {
  process.exitCode = (await runChaos({ ...options, write: (line) => console.log(line) })) ? 0 : 1;
} catch (error) {
  console.error(`chaos: FAIL (the run itself failed: ${(error as Error).stack ?? error})`);
  process.exitCode = 1;
}
