import { checkAttachment, formatBytes, sanitizeFilename } from '../../src/domain/attachments';
import { FILES } from '../support/files';

describe('attachments are checked by their content', () => {
  const MAX = 5 * 1024 * 1024;

  it.each([
    ['receipt.pdf', FILES.pdf, 'application/pdf'],
    ['photo.PNG', FILES.png, 'image/png'],
    ['photo.jpg', FILES.jpeg, 'image/jpeg'],
    ['photo.jpeg', FILES.jpeg, 'image/jpeg'],
    ['anim.gif', FILES.gif, 'image/gif'],
    ['pic.webp', FILES.webp, 'image/webp'],
    ['lines.csv', FILES.csv, 'text/csv'],
    ['notes.txt', Buffer.from('Delivered 3 of 5 boxes.\r\n\tSigned: J. Doe — ok ✓\n'), 'text/plain'],
  ])('accepts %s as %s', (filename, content, type) => {
    expect(checkAttachment({ filename, content }, MAX)).toEqual({ ok: true, filename, contentType: type });
  });

  it('rejects a program, an archive and binary junk whatever their names say', () => {
    for (const [name, content] of [
      ['invoice.pdf', FILES.exe],
      ['scan.pdf', FILES.zip],
      ['notes.txt', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe])],
    ] as const) {
      expect(checkAttachment({ filename: name, content }, MAX)).toEqual({
        ok: false,
        message: 'the file must be a PDF, PNG, JPEG, GIF, WebP, plain text or CSV file',
      });
    }
  });

  it('rejects a name whose extension disagrees with the content, and names the right one', () => {
    expect(checkAttachment({ filename: 'invoice.pdf', content: FILES.png }, MAX)).toEqual({
      ok: false,
      message: "the file's content is PNG but its name ends in .pdf; rename it to .png",
    });
    expect(
      checkAttachment({ filename: 'page.html', content: Buffer.from('<script>x</script>') }, MAX),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining('plain text but its name ends in .html'),
    });
  });

  it('adds the extension when the name has none', () => {
    expect(checkAttachment({ filename: 'scan', content: FILES.pdf }, MAX)).toEqual({
      ok: true,
      filename: 'scan.pdf',
      contentType: 'application/pdf',
    });
  });

  it('rejects an empty file and one over the limit, saying the limit', () => {
    expect(checkAttachment({ filename: 'a.txt', content: Buffer.alloc(0) }, MAX)).toEqual({
      ok: false,
      message: 'the file is empty',
    });
    expect(checkAttachment({ filename: 'a.txt', content: Buffer.alloc(2049, 'a') }, 2048)).toEqual({
      ok: false,
      message: 'the file is larger than the 2 KB allowed',
    });
    expect(checkAttachment({ filename: 'a.txt', content: Buffer.alloc(2048, 'a') }, 2048).ok).toBe(true);
  });

  it('cleans file names: no path, no control or reserved characters, bounded length', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\me\\bill "final".pdf')).toBe('bill final.pdf');
    expect(sanitizeFilename('a\r\nContent-Type: x.txt')).toBe('aContent-Type x.txt');
    expect(sanitizeFilename('...hidden')).toBe('hidden');
    expect(sanitizeFilename('  ')).toBe('attachment');
    const long = sanitizeFilename(`${'x'.repeat(300)}.pdf`);
    expect(long).toHaveLength(100);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('formats sizes for people', () => {
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatBytes(1536)).toBe('2 KB');
    expect(formatBytes(100)).toBe('100 bytes');
  });
});
