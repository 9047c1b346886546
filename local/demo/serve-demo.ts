import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClient, CLIENT_DIST } from '../../client/build.js';

const DEMO_DIR = dirname(fileURLToPath(import.meta.url));
const CLIENT_SRC = join(DEMO_DIR, '../../client/src');

export interface DemoOptions {
  /** Where the built SDK is (`npm run build` writes client/dist). */
  sdkDir?: string;
  /** The bearer token the page settles with (m_demo's dev token). Asked per request: the stack issues it after this starts. */
  accessToken?: () => string | undefined;
  log?: (line: string) => void;
}

// The page loads only its own files and talks only to its own origin.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Edits to the page or a rebuilt SDK show on reload.
  'cache-control': 'no-cache',
};

/**
 * The demo checkout page as the local API server's fallback: GET / and its few files, its
 * access token at /demo-config.json (the CSP allows no inline script, and fetches from the
 * page's own origin only), and the built SDK under /sdk/, (re)built on request when
 * client/dist is missing or older than its source, so `npm start` starts as fast as before
 * and SDK edits show on reload. Anything else falls through (false) to the server's 404.
 */
export function serveDemo(options: DemoOptions = {}): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  const sdkDir = options.sdkDir ?? CLIENT_DIST;
  let building: Promise<void> | undefined;
  async function ensureSdkBuilt(): Promise<void> {
    if (!building && sdkIsOutdated(sdkDir)) {
      building = buildClient({ outDir: sdkDir })
        .then(() => options.log?.(`SDK built into ${sdkDir}`))
        .finally(() => {
          building = undefined;
        });
    }
    await building;
  }
  const files: Record<string, { path: string; type: string; sdk?: true }> = {
    '/': { path: join(DEMO_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
    '/index.html': { path: join(DEMO_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
    '/app.js': { path: join(DEMO_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
    '/styles.css': { path: join(DEMO_DIR, 'styles.css'), type: 'text/css; charset=utf-8' },
    '/sdk/index.js': { path: join(sdkDir, 'index.js'), type: 'text/javascript; charset=utf-8', sdk: true },
    '/sdk/index.js.map': { path: join(sdkDir, 'index.js.map'), type: 'application/json', sdk: true },
  };

  return async function serveDemoFile(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    if (path === '/demo-config.json') return sendDemoConfig(request, response, options.accessToken?.());
    const file = files[path];
    if (!file) return false;
    if (file.sdk) await ensureSdkBuilt();
    const body = await readFile(file.path);
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.type, 'content-length': String(body.length) });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  };
}

function sendDemoConfig(request: IncomingMessage, response: ServerResponse, accessToken: string | undefined): true {
  const body = Buffer.from(JSON.stringify(accessToken ? { accessToken } : {}));
  // A credential: never kept by a cache.
  response.writeHead(200, { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': 'application/json', 'content-length': String(body.length) });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

function sdkIsOutdated(sdkDir: string): boolean {
  const bundle = join(sdkDir, 'index.js');
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  return readdirSync(CLIENT_SRC).some((name) => statSync(join(CLIENT_SRC, name)).mtimeMs > built);
}
