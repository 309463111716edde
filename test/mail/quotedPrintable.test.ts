import { simpleParser } from 'mailparser';
import { encodeQuotedPrintable } from '../../src/mail/quotedPrintable';

/** A decoder written from RFC 2045 §6.7, independent of the encoder: soft breaks go, =XX are bytes. */
const decode = (qp: string) =>
  Buffer.from(
    qp
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

/** Seeded pieces that stress the rules: '=', spaces and tabs before line ends, long runs, UTF-8. */
function sample(seed: number): string {
  const pieces = [
    'a',
    'Z',
    ' ',
    '\t',
    '=',
    '.',
    '=3D',
    'é',
    '€',
    '💶',
    'お',
    '\r\n',
    'x'.repeat(80),
    ' \r\n',
    '<td style="a:b">',
  ];
  let s = '';
  let x = seed;
  for (let i = 0; i < 300; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    s += pieces[x % pieces.length];
  }
  return s;
}

describe('quoted-printable encoder', () => {
  it('escapes =, non-ASCII bytes and whitespace before a line end, and nothing else', () => {
    expect(encodeQuotedPrintable('a=b')).toBe('a=3Db');
    expect(encodeQuotedPrintable('Grüße')).toBe('Gr=C3=BC=C3=9Fe');
    expect(encodeQuotedPrintable('end \r\nnext\t')).toBe('end=20\r\nnext=09');
    expect(encodeQuotedPrintable('a b\tc')).toBe('a b\tc');
  });

  it('breaks long lines softly at 76 characters, never inside an escape or a character', () => {
    expect(encodeQuotedPrintable('x'.repeat(76))).toBe('x'.repeat(76));
    expect(encodeQuotedPrintable('x'.repeat(77))).toBe(`${'x'.repeat(75)}=\r\nxx`);
    const euros = encodeQuotedPrintable('€'.repeat(30));
    for (const line of euros.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      // whole characters per line: three escapes each, then the soft break
      expect(line.replace(/=$/, '').length % 9).toBe(0);
    }
  });

  it.each(Array.from({ length: 25 }, (_, i) => i + 1))(
    'sample %i: decodes back to the input, lines ≤ 76, 7-bit',
    (seed) => {
      const input = sample(seed);
      const qp = encodeQuotedPrintable(input);
      expect(decode(qp)).toBe(input);
      expect(/^[\x20-\x7e\t\r\n]*$/.test(qp)).toBe(true);
      for (const line of qp.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).not.toMatch(/[ \t]$/);
      }
    },
  );

  it('reads back through a real mail parser', async () => {
    const html = sample(99);
    const raw = [
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      encodeQuotedPrintable(html),
    ].join('\r\n');
    expect((await simpleParser(raw)).html).toBe(html.replace(/\r\n/g, '\n'));
  });
});
