/**
 * The subset of the QuickBooks query language Duely (and node-quickbooks) sends:
 *   SELECT * | COUNT(*) FROM <Entity> [WHERE <field> <op> <value> [AND …]]
 *   [ORDERBY <field> [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS m]
 * with <op> one of = < > <= >= IN and values '…', ( '…', … ), numbers, true/false.
 * Keywords are case-insensitive, as in QuickBooks.
 */
export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'IN';
  value: string | string[];
}

export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy: { field: string; desc: boolean } | null;
  startPosition: number;
  maxResults: number;
}

export class QueryParseError extends Error {}

type Token =
  { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'op'; v: string } | { t: 'punct'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        v += text[i];
        i++;
      }
      if (i >= text.length) throw new QueryParseError('unterminated string');
      i++;
      out.push({ t: 'str', v });
    } else if (c === '(' || c === ')' || c === ',' || c === '*') {
      out.push({ t: 'punct', v: c });
      i++;
    } else if (c === '<' || c === '>' || c === '=') {
      const two = text.slice(i, i + 2);
      if (two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else {
      const m = /^[A-Za-z0-9_.:+-]+/.exec(text.slice(i));
      if (!m) throw new QueryParseError(`unexpected character "${c}"`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

export function parseQuery(text: string): ParsedQuery {
  const toks = tokenize(text);
  let p = 0;
  const peek = () => toks[p];
  const word = (w: string) => {
    const t = toks[p];
    return t?.t === 'word' && t.v.toLowerCase() === w;
  };
  const expectWord = (w: string) => {
    if (!word(w))
      throw new QueryParseError(`Encountered "${toks[p]?.v ?? '<EOF>'}", expected ${w.toUpperCase()}`);
    p++;
  };
  const expectPunct = (v: string) => {
    const t = toks[p];
    if (t?.t !== 'punct' || t.v !== v)
      throw new QueryParseError(`Encountered "${t?.v ?? '<EOF>'}", expected "${v}"`);
    p++;
  };
  const int = () => {
    const t = toks[p++];
    if (t?.t !== 'word' || !/^\d+$/.test(t.v))
      throw new QueryParseError(`expected a number, got "${t?.v ?? '<EOF>'}"`);
    return Number(t.v);
  };

  expectWord('select');
  let count = false;
  if (word('count')) {
    p++;
    expectPunct('(');
    expectPunct('*');
    expectPunct(')');
    count = true;
  } else {
    expectPunct('*');
  }
  expectWord('from');
  const ent = toks[p++];
  if (ent?.t !== 'word') throw new QueryParseError('expected an entity name');

  const where: Condition[] = [];
  if (word('where')) {
    p++;
    for (;;) {
      const f = toks[p++];
      if (f?.t !== 'word') throw new QueryParseError('expected a field name');
      let op: Condition['op'];
      const o = toks[p];
      if (o?.t === 'op') {
        op = o.v as Condition['op'];
        p++;
      } else if (word('in')) {
        op = 'IN';
        p++;
      } else {
        throw new QueryParseError(`Encountered "${o?.v ?? '<EOF>'}", expected an operator`);
      }
      let value: string | string[];
      if (op === 'IN') {
        expectPunct('(');
        value = [];
        for (;;) {
          const v = toks[p++];
          if (!v || (v.t !== 'str' && v.t !== 'word')) throw new QueryParseError('expected a value');
          value.push(v.v);
          const sep = peek();
          if (sep?.t === 'punct' && sep.v === ',') {
            p++;
            continue;
          }
          break;
        }
        expectPunct(')');
      } else {
        const v = toks[p++];
        if (!v || (v.t !== 'str' && v.t !== 'word')) throw new QueryParseError('expected a value');
        value = v.v;
      }
      where.push({ field: f.v, op, value });
      if (word('and')) {
        p++;
        continue;
      }
      break;
    }
  }

  let orderBy: ParsedQuery['orderBy'] = null;
  let startPosition = 1;
  let maxResults = 100; // QuickBooks' default page size
  while (p < toks.length) {
    if (word('orderby') || word('order')) {
      if (word('order')) {
        p++;
        expectWord('by');
      } else p++;
      const f = toks[p++];
      if (f?.t !== 'word') throw new QueryParseError('expected an ORDERBY field');
      let desc = false;
      if (word('asc')) p++;
      else if (word('desc')) {
        p++;
        desc = true;
      }
      orderBy = { field: f.v, desc };
    } else if (word('startposition')) {
      p++;
      startPosition = int();
    } else if (word('maxresults')) {
      p++;
      maxResults = int();
    } else {
      throw new QueryParseError(`Encountered "${toks[p]?.v}"`);
    }
  }
  if (startPosition < 1) throw new QueryParseError('STARTPOSITION must be at least 1');
  if (maxResults > 1000)
    throw new QueryParseError(`value ${maxResults} is too large. Max allowed value is 1000`);
  return { count, entity: ent.v, where, orderBy, startPosition, maxResults };
}
