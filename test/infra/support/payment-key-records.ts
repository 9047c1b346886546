/** Payment-key records as `deploy/payment-keys.json` holds them, for synth tests (context `paymentKeyRecord`). */

/** Generation 2 became current on 1 June; generation 1 is still trusted as the previous one. */
export const MID_ROTATION_RECORD = {
  receiptVerifiableHours: 720,
  generations: [
    { generation: '2', currentSince: '2026-06-01T00:00:00.000Z' },
    { generation: '1', currentSince: '2026-01-01T00:00:00.000Z' },
  ],
};

/** The same, with generation 1 retired a day after it stopped being current: inside its window. */
export function withGeneration1Retired(extra: { forced?: true } = {}) {
  const [current, previous] = MID_ROTATION_RECORD.generations;
  return { ...MID_ROTATION_RECORD, generations: [current, { ...previous, retiredAt: '2026-06-02T00:00:00.000Z', ...extra }] };
}
