/**
 * A small OpenAPI 3.0 checker for the contract test: ajv 8 over the spec's own schemas.
 * OpenAPI's `nullable` becomes a JSON Schema type union; everything else is used as written.
 */
import fs from 'node:fs';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

type Json = Record<string, unknown>;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = convert(v);
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

export interface OperationMatch {
  operationId: string;
  template: string;
  op: Json;
}

export class OpenApiChecker {
  readonly doc: Json;
  private readonly ajv: Ajv;
  private readonly strict: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly routes: { re: RegExp; template: string }[];

  constructor(file: string, id: string) {
    this.doc = convert(yaml.load(fs.readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA })) as Json;
    // Xero's own responses write date-times without a zone ("2019-12-07T18:46:19.5165400"):
    // responses accept that; what Duely sends is checked with RFC 3339 as the spec says.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/);
    this.ajv.addSchema(this.doc, id);
    this.strict = new Ajv({ strict: false, allErrors: true });
    addFormats(this.strict);
    this.strict.addSchema(this.doc, id);
    this.id = id;
    this.routes = Object.keys(this.doc.paths as Json).map((template) => ({
      template,
      re: new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$', 'i'),
    }));
  }
  private readonly id: string;

  private ref(ptr: string): unknown {
    let node: unknown = this.doc;
    for (const p of ptr.replace(/^#\//, '').split('/'))
      node = (node as Json)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    return node;
  }

  private deref<T>(node: T): T {
    let n = node as unknown;
    while (n && typeof n === 'object' && typeof (n as Json).$ref === 'string')
      n = this.ref((n as Json).$ref as string);
    return n as T;
  }

  operation(method: string, path: string): OperationMatch | null {
    // exact templates first (`/Invoices` before `/Invoices/{InvoiceID}`)
    const hit = this.routes
      .filter((r) => r.re.test(path))
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];
    if (!hit) return null;
    const op = (this.doc.paths as Json)[hit.template] as Json;
    const o = op[method.toLowerCase()] as Json | undefined;
    return o ? { operationId: String(o.operationId), template: hit.template, op: o } : null;
  }

  private validator(pointer: string, strict: boolean): ValidateFunction {
    const key = `${strict}:${pointer}`;
    let v = this.cache.get(key);
    if (!v) {
      v = (strict ? this.strict : this.ajv).compile({ $ref: `${this.id}${pointer}` });
      this.cache.set(key, v);
    }
    return v;
  }

  private errors(v: ValidateFunction): string[] {
    return (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
  }

  /** Problems of a response body against the operation's schema for that status. */
  checkResponse(m: OperationMatch, status: number, body: unknown): string[] {
    const responses = m.op.responses as Json;
    const r = this.deref((responses[String(status)] ?? responses.default) as Json | undefined);
    if (!r) return [`${m.operationId}: status ${status} is not documented`];
    const content = r.content as Json | undefined;
    const json = content?.['application/json'] as Json | undefined;
    if (!json?.schema) return [];
    const pointer = this.pointerOf(json.schema as Json, m, `responses/${status}`);
    const v = this.validator(pointer, false);
    return v(body) ? [] : this.errors(v).map((e) => `${m.operationId} ${status}: ${e}`);
  }

  private pointerOf(schema: Json, m: OperationMatch, where: string): string {
    if (typeof schema.$ref === 'string') return schema.$ref;
    const method = Object.entries((this.doc.paths as Json)[m.template] as Json).find(
      ([, o]) => o === m.op,
    )![0];
    const esc = m.template.replace(/~/g, '~0').replace(/\//g, '~1');
    if (where.startsWith('responses/')) {
      const status = where.split('/')[1]!;
      return `#/paths/${esc}/${method}/responses/${status}/content/application~1json/schema`;
    }
    return `#/paths/${esc}/${method}/requestBody/content/application~1json/schema`;
  }

  /** Problems of a request: unknown or ill-typed query/header parameters, and the body. */
  checkRequest(
    m: OperationMatch,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: unknown,
  ): string[] {
    const problems: string[] = [];
    const params = ((m.op.parameters as Json[] | undefined) ?? []).map((p) => this.deref(p));
    for (const [name, value] of Object.entries(query)) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`${m.operationId}: query parameter ${name} is not in the spec`);
        continue;
      }
      const schema = p.schema as Json;
      const coerced =
        schema.type === 'integer' || schema.type === 'number'
          ? Number(value)
          : schema.type === 'boolean'
            ? value === 'true'
              ? true
              : value === 'false'
                ? false
                : value
            : schema.type === 'array'
              ? value.split(',')
              : value;
      const v = this.strict.compile(schema);
      if (!v(coerced)) problems.push(`${m.operationId}: ${name}=${value}: ${this.errors(v).join('; ')}`);
    }
    for (const p of params.filter((x) => x.in === 'header')) {
      const value = headers[String(p.name).toLowerCase()];
      if (value === undefined) {
        if (p.required && String(p.name).toLowerCase() !== 'xero-tenant-id')
          problems.push(`${m.operationId}: header ${String(p.name)} missing`);
        continue;
      }
      const v = this.strict.compile(p.schema as Json);
      if (!v(value))
        problems.push(`${m.operationId}: header ${String(p.name)}=${value}: ${this.errors(v).join('; ')}`);
    }
    for (const h of ['if-modified-since', 'idempotency-key'])
      if (headers[h] !== undefined && !params.some((p) => String(p.name).toLowerCase() === h))
        problems.push(`${m.operationId}: header ${h} is not in the spec`);
    const rb = this.deref(m.op.requestBody as Json | undefined);
    if (rb) {
      const schema = ((rb.content as Json)['application/json'] as Json).schema as Json;
      if (body === undefined) {
        if (rb.required) problems.push(`${m.operationId}: body missing`);
      } else {
        const v = this.validator(this.pointerOf(schema, m, 'requestBody'), true);
        if (!v(body)) problems.push(...this.errors(v).map((e) => `${m.operationId} body: ${e}`));
      }
    } else if (body !== undefined) problems.push(`${m.operationId}: a body was sent`);
    return problems;
  }
}
