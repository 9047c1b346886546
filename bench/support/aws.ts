/** Region and credentials for clients of the local emulators, which check no signature. */
export const BENCH_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
