/**
 * Loads nock 15 inside jest. nock 15 is ESM-only and uses Promise.withResolvers (Node ≥ 22);
 * this repo's jest transpiles tests to CommonJS (swc turns `import()` into `require`) on Node 20.
 * A direct `eval` keeps a real dynamic import (jest runs with --experimental-vm-modules), and
 * the polyfill covers Node 20. Candidate for test/support (see the QuickBooks report).
 */
import type nockType from 'nock';

export type Nock = typeof nockType;

export async function loadNock(): Promise<Nock> {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (!P.withResolvers) {
    P.withResolvers = function withResolvers<T>() {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((a, b) => {
        resolve = a;
        reject = b;
      });
      return { promise, resolve, reject };
    };
  }
  const mod = (await eval('import("nock")')) as { default: Nock };
  return mod.default;
}
