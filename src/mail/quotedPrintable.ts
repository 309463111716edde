/**
 * Quoted-printable (RFC 2045 §6.7) in one pass over the UTF-8 bytes, with the soft line breaks
 * written as it goes: no line over 76 characters, `=` and every byte outside printable ASCII
 * escaped, a space or tab before a line end escaped, and a multi-byte character never split over
 * two lines. Input line ends must already be CRLF; they stay hard line breaks.
 *
 * nodemailer's encoder (encode, then a regular-expression wrap) takes ~0.25 ms for a 12 kB
 * reminder; this takes a sixth of that, which on the send path is a tenth of the CPU per message.
 * Tests decode its output with mailparser and compare with nodemailer's.
 */
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const MAX = 76;

export function encodeQuotedPrintable(text: string): string {
  const src = Buffer.from(text, 'utf8');
  const len = src.length;
  // worst case: every byte escaped (3) plus a soft break (3) every 25 escapes
  const out = Buffer.allocUnsafe(len * 3 + Math.ceil((len * 3) / (MAX - 1)) * 3 + 3);
  let pos = 0;
  let col = 0;
  for (let i = 0; i < len;) {
    const b = src[i]!;
    if (b === 0x0d && src[i + 1] === 0x0a) {
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
      col = 0;
      i += 2;
      continue;
    }
    // a UTF-8 sequence is kept on one line: its length in bytes
    const n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    const end = Math.min(i + n, len);
    const atLineEnd = end === len || (src[end] === 0x0d && src[end + 1] === 0x0a);
    const literal =
      n === 1 && ((b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && !atLineEnd));
    const width = literal ? 1 : 3 * (end - i);
    // a line that goes on needs room for its "=": 75 characters, the last one of a line 76
    if (col > 0 && col + width > (atLineEnd ? MAX : MAX - 1)) {
      out[pos++] = 0x3d;
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
      col = 0;
    }
    if (literal) {
      out[pos++] = b;
    } else {
      for (let k = i; k < end; k++) {
        const c = src[k]!;
        out[pos++] = 0x3d;
        out[pos++] = HEX[c >> 4]!;
        out[pos++] = HEX[c & 15]!;
      }
    }
    col += width;
    i = end;
  }
  return out.toString('latin1', 0, pos);
}
