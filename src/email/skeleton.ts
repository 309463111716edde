import { escapeHtml } from './escape';
import { VARIABLE_TOKEN } from './variables';

/** A compiled output split into literal text and variable slots, filled per message. */
export type Skeleton = readonly (string | { v: string })[];

export function toSkeleton(compiled: string): Skeleton {
  const parts: (string | { v: string })[] = [];
  let last = 0;
  for (const m of compiled.matchAll(VARIABLE_TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(compiled.slice(last, at));
    parts.push({ v: m[1] as string });
    last = at + m[0].length;
  }
  if (last < compiled.length) parts.push(compiled.slice(last));
  return parts;
}

export function variablesOf(skeleton: Skeleton): Set<string> {
  const out = new Set<string>();
  for (const p of skeleton) if (typeof p !== 'string') out.add(p.v);
  return out;
}

/**
 * Fill the slots. In HTML mode plain values are escaped and block values (already safe HTML) go in
 * as they are; in text mode every value goes in as it is.
 */
export function fill(
  skeleton: Skeleton,
  values: Readonly<Record<string, string>>,
  mode: 'html' | 'text',
  blocks: ReadonlySet<string>,
): string {
  let out = '';
  for (const p of skeleton) {
    if (typeof p === 'string') out += p;
    else {
      const v = values[p.v] ?? '';
      out += mode === 'html' && !blocks.has(p.v) ? escapeHtml(v) : v;
    }
  }
  return out;
}
