import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../client/build.js';
import { serveDemo } from '../../local/demo/serve-demo.js';
import { REPOSITORY_ROOT, type RunningLocalStack, startLocalStack } from '../../local/local-stack.js';
import { CHROMIUM_PATH, chromiumInstalled, type HeadlessChromium, launchChromium } from '../support/browser.js';
import { recordContractViolations } from '../support/openapi-contract.js';

// CI installs Chromium (.ci/run), so there the test always runs and a missing browser fails it.
const runBrowserTest = chromiumInstalled() || process.env.CI === 'true';
if (!runBrowserTest) {
  console.warn(`notice: no Chromium at ${CHROMIUM_PATH}: the demo checkout browser test is not registered (apt-get install chromium, or set CHROMIUM_PATH)`);
}

const ARTIFACTS = join(REPOSITORY_ROOT, 'test-artifacts', 'browser');
// Generous: a slow 2-core machine runs the other test files at the same time.
const STATE_TIMEOUT_MS = 45_000;

describe.runIf(runBrowserTest)('the demo checkout in headless Chromium, as a client in Japan', () => {
  let stack: RunningLocalStack;
  let chromium: HeadlessChromium;
  let page: Page;
  let workDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'signed-pay-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    // The SDK exactly as `npm run build` makes it, built afresh into a directory of this test.
    const { outDir } = await buildClient({ outDir: join(workDir, 'sdk') });
    // The page pays as m_demo with the dev token the stack issues, as under npm start.
    const demo = serveDemo({ sdkDir: outDir, accessToken: () => stack?.devTokens.m_demo });
    // What the browser receives keeps the API contract too (test/support/contract-check.ts).
    stack = await startLocalStack({ dataDir: join(workDir, 'data'), port: 0, dynamodbPort: 0, kmsPort: 0, fallback: demo, onAnswer: recordContractViolations });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.setDefaultTimeout(STATE_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    // The local stack plays CloudFront, so it trusts the viewer country header as CloudFront's.
    await page.setExtraHTTPHeaders({ 'CloudFront-Viewer-Country': 'JP' });
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('configures itself for Japan: the country the service resolved, yen prices, the Japanese payment methods', async () => {
    await page.goto(`${stack.url}/`);
    await page.locator('#config-section[aria-busy="false"]').waitFor();

    expect(await page.getByLabel('Country', { exact: true }).inputValue()).toBe('JP');
    expect(await page.locator('#config-summary').textContent()).toContain('Japan, from the CloudFront-Viewer-Country header');
    // 3,500 yen + 2 × 1,500 yen; yen has no minor unit. ja-JP writes the full-width yen sign.
    expect((await page.getByTestId('total').textContent())?.trim()).toMatch(/^[¥￥]\s?6,500$/);
    expect(await page.getByRole('button', { name: /^Pay [¥￥]\s?6,500$/ }).count()).toBe(1);
    expect(await page.getByRole('radio', { name: 'Card' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'PayPay' }).isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Konbini (convenience store)' }).isDisabled()).toBe(true);
  }, 120_000);

  it('is operable from the keyboard in reading order, and pays: the verification service confirms', async () => {
    await page.locator('body').focus();
    const focusOrder: string[] = [];
    for (let stop = 0; stop < 5; stop += 1) {
      await page.keyboard.press('Tab');
      focusOrder.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(focusOrder).toEqual(['country', 'method-card', 'token', 'tamper', 'pay']);

    await page.keyboard.press('Enter');
    const result = page.getByRole('status');
    await page.locator('#result[data-state="confirmed"]').waitFor();
    expect(await result.textContent()).toContain('Payment confirmed.');
    expect(await result.textContent()).toContain('OK: The payment response is signed by the payment service and matches this order.');
    expect(await result.textContent()).toContain('Signed by the verification service for this request; checked on this device.');
    await page.screenshot({ path: join(ARTIFACTS, 'jp-payment-confirmed.png'), fullPage: true });
  }, 120_000);

  it('pays again with the response tampered with: not confirmed, and says why', async () => {
    await page.getByLabel('Tamper with the response').check();
    await page.getByRole('button', { name: /^Pay / }).click();

    await page.locator('#result[data-state="not-confirmed"]').waitFor();
    const text = await page.getByRole('status').textContent();
    expect(text).toContain('Payment not confirmed.');
    expect(text).toContain('BAD_SIGNATURE: The signature does not match the payment response: it was changed after it was signed.');
    expect(text).toMatch(/changed the amount in the payment response from [¥￥]\s?6,500 to [¥￥]\s?1\./);
    await page.screenshot({ path: join(ARTIFACTS, 'jp-tampered-payment-refused.png'), fullPage: true });
  }, 120_000);

  it('ran without a script error or a blocked resource', () => {
    expect(pageErrors).toEqual([]);
  });
});
