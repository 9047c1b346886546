/**
 * zod as deployed code uses it: `zod/mini`, with zod's English messages.
 *
 * Full `zod` is about 444 KiB of every function bundle (258 KiB of it locales) and 84 ms of
 * import at cold start; zod/mini, for the schemas our functions build, is about 30 KiB. It
 * loads no locale, so every issue would say just "Invalid input"; callers read these messages
 * in problem+json `errors` and operators in cold-start errors, so the English locale (under
 * 3 KiB) is loaded here, once, for every schema: whoever builds a schema imports this module,
 * so no parse runs before it.
 *
 * Import it as a namespace, `import * as z from '.../zod.js'`: the named export `z` is zod's
 * namespace object, which esbuild cannot tree-shake (it holds all of zod/mini and every locale).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
