/**
 * A firm's reminder sequences: seeded with the built-ins on first use (standard is the default),
 * versioned on every change, imported and exported in the file format of CONTRACT.md §5.
 */
import { and, asc, eq, ne } from 'drizzle-orm';
import { sequences, sequenceVersions } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import type { PlannerSequence } from '../../domain/planner';
import {
  BUILTIN_SEQUENCES,
  BUILTIN_TASK_TEMPLATES,
  BUILTIN_TEMPLATE_KEYS,
} from '../../domain/sequences/builtins';
import {
  parseSequenceFile,
  sequenceChanged,
  serializeSequence,
  toPlainSequence,
  type Sequence,
  type SequenceFileError,
} from '../../domain/sequences/format';
import { audit, type Actor } from '../audit';
import { NotFoundError, ServiceError } from '../errors';
import { templateKeys } from '../templates/store';

export interface StoredSequence {
  id: string;
  key: string;
  name: string;
  isDefault: boolean;
  version: number;
  /** The current version in the file format; `default` reflects `isDefault`. */
  definition: Sequence;
}

/** A sequence file that does not validate: nothing of it was imported. */
export class SequenceFileRejected extends ServiceError {
  override readonly name = 'SequenceFileRejected';
  constructor(
    readonly errors: SequenceFileError[],
    message: string,
  ) {
    super('invalid_sequence', `sequence file rejected: ${message}`, 400, errors[0]?.path);
  }
}

/**
 * The built-in template keys only (e-mail and task templates), for lists that have no firm at
 * hand. Validation uses stepTemplateKeys(scope), which adds the firm's own templates.
 */
export function knownTemplateKeys(): readonly string[] {
  return BUILTIN_TEMPLATE_KEYS;
}

/**
 * Template keys a step of this firm may name: its e-mail templates as the templates service
 * knows them (the built-ins and the firm's own, so a deleted firm template is no longer
 * accepted) and the built-in call and letter task templates.
 */
export async function stepTemplateKeys(scope: OrgScope): Promise<string[]> {
  const email = await templateKeys(scope);
  return [...new Set([...email, ...Object.keys(BUILTIN_TASK_TEMPLATES)])].sort();
}

/** The stored definition never carries `default` (that is the `is_default` column). */
function definitionOf(seq: Sequence): Sequence {
  const plain = toPlainSequence(seq);
  delete plain.default;
  return plain;
}

function withDefault(def: Sequence, isDefault: boolean): Sequence {
  const plain = toPlainSequence(def);
  delete plain.default;
  return isDefault ? { key: plain.key, name: plain.name, default: true, steps: plain.steps } : plain;
}

/** Seed the built-in sequences for a firm that has none yet (safe to call concurrently). */
export async function ensureSequences(scope: OrgScope): Promise<void> {
  const [any] = await scope.db
    .select({ id: sequences.id })
    .from(sequences)
    .where(scope.where(sequences))
    .limit(1);
  if (any) return;
  await scope.transaction(async (tx) => {
    const inserted = await tx
      .insert(
        sequences,
        BUILTIN_SEQUENCES.map((s) => ({
          key: s.key,
          name: s.name,
          isDefault: s.default === true,
          currentVersion: 1,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: sequences.id, key: sequences.key });
    if (inserted.length === 0) return;
    const byKey = new Map(BUILTIN_SEQUENCES.map((s) => [s.key, s]));
    await tx
      .insert(
        sequenceVersions,
        inserted.map((row) => ({
          sequenceId: row.id,
          version: 1,
          definition: definitionOf(byKey.get(row.key)!),
        })),
      )
      .onConflictDoNothing();
  });
}

/** Every sequence of the firm at its current version, by key. */
export async function listSequences(scope: OrgScope): Promise<StoredSequence[]> {
  await ensureSequences(scope);
  const rows = await scope.db
    .select({
      id: sequences.id,
      key: sequences.key,
      name: sequences.name,
      isDefault: sequences.isDefault,
      version: sequences.currentVersion,
      definition: sequenceVersions.definition,
    })
    .from(sequences)
    .innerJoin(
      sequenceVersions,
      and(
        eq(sequenceVersions.sequenceId, sequences.id),
        eq(sequenceVersions.version, sequences.currentVersion),
      ),
    )
    .where(scope.where(sequences))
    .orderBy(asc(sequences.key));
  return rows.map((r) => ({ ...r, definition: withDefault(r.definition, r.isDefault) }));
}

export async function getSequence(scope: OrgScope, key: string): Promise<StoredSequence> {
  const found = (await listSequences(scope)).find((s) => s.key === key);
  if (!found) throw new NotFoundError(`sequence "${key}"`);
  return found;
}

/** The current versions as the planner takes them. */
export async function plannerSequences(scope: OrgScope): Promise<PlannerSequence[]> {
  return (await listSequences(scope)).map((s) => ({ ...s.definition, version: s.version }));
}

export type ImportStatus = 'created' | 'updated' | 'unchanged';
export interface ImportResult {
  sequences: { key: string; version: number; status: ImportStatus }[];
}

/**
 * Import a parsed sequence file (one sequence or `{"sequences":[…]}`). An invalid file is
 * rejected whole with the reason and the path of the bad field; a changed sequence gets a new
 * version; an unchanged one is left as it is. `"default": true` makes a sequence the default.
 */
export async function importSequences(scope: OrgScope, json: unknown, actor: Actor): Promise<ImportResult> {
  const parsed = parseSequenceFile(json, await stepTemplateKeys(scope));
  if (!parsed.ok) throw new SequenceFileRejected(parsed.errors, parsed.message);
  await ensureSequences(scope);
  const result = await scope.transaction(async (tx) => {
    const out: ImportResult['sequences'] = [];
    for (const seq of parsed.sequences) {
      out.push(await importOne(tx, seq));
    }
    return out;
  });
  const changed = result.filter((r) => r.status !== 'unchanged');
  if (changed.length > 0) {
    await audit(scope, actor, 'sequences.imported', null, { sequences: changed });
  }
  return { sequences: result };
}

async function importOne(
  tx: OrgScope,
  seq: Sequence,
): Promise<{ key: string; version: number; status: ImportStatus }> {
  const definition = definitionOf(seq);
  const [existing] = await tx.db
    .select({
      id: sequences.id,
      name: sequences.name,
      isDefault: sequences.isDefault,
      version: sequences.currentVersion,
    })
    .from(sequences)
    .where(tx.where(sequences, eq(sequences.key, seq.key)))
    .for('update');
  const makeDefault = seq.default === true;
  if (makeDefault) {
    await tx.update(sequences, { isDefault: false, updatedAt: new Date() }, ne(sequences.key, seq.key));
  }
  if (!existing) {
    const [row] = await tx
      .insert(sequences, { key: seq.key, name: seq.name, isDefault: makeDefault, currentVersion: 1 })
      .returning({ id: sequences.id });
    await tx.insert(sequenceVersions, { sequenceId: row!.id, version: 1, definition });
    return { key: seq.key, version: 1, status: 'created' };
  }
  const [current] = await tx.db
    .select({ definition: sequenceVersions.definition })
    .from(sequenceVersions)
    .where(
      tx.where(
        sequenceVersions,
        eq(sequenceVersions.sequenceId, existing.id),
        eq(sequenceVersions.version, existing.version),
      ),
    );
  const defaultChanged = makeDefault && !existing.isDefault;
  if (current && !sequenceChanged(current.definition, definition)) {
    if (defaultChanged) {
      await tx.update(sequences, { isDefault: true, updatedAt: new Date() }, eq(sequences.id, existing.id));
      return { key: seq.key, version: existing.version, status: 'updated' };
    }
    return { key: seq.key, version: existing.version, status: 'unchanged' };
  }
  const version = existing.version + 1;
  await tx.insert(sequenceVersions, { sequenceId: existing.id, version, definition });
  await tx.update(
    sequences,
    {
      name: seq.name,
      currentVersion: version,
      isDefault: makeDefault || existing.isDefault,
      updatedAt: new Date(),
    },
    eq(sequences.id, existing.id),
  );
  return { key: seq.key, version, status: 'updated' };
}

/** Import file text: a JSON syntax error rejects it at the root. */
export async function importSequenceText(scope: OrgScope, text: string, actor: Actor): Promise<ImportResult> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = `not valid JSON: ${(e as Error).message}`;
    throw new SequenceFileRejected([{ path: '(root)', message }], `(root): ${message}`);
  }
  return importSequences(scope, json, actor);
}

/** The file text (§5) of one sequence, or of every sequence as `{"sequences":[…]}`. */
export async function exportSequences(scope: OrgScope, key?: string): Promise<string> {
  if (key !== undefined) return serializeSequence((await getSequence(scope, key)).definition);
  return serializeSequence((await listSequences(scope)).map((s) => s.definition));
}
