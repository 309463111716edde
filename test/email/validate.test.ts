import {
  createRenderer,
  loadBuiltinTemplates,
  TemplateCompileError,
  validateTemplate,
} from '../../src/email';
import { emailData } from './fixtures';

const ok = (body: string) => `<!--\nsubject: Hello {{contactName}}\n-->\n${body}`;

describe('template validation when saved', () => {
  it('accepts every built-in template', () => {
    for (const t of loadBuiltinTemplates().templates)
      expect([t.key, validateTemplate(t.source)]).toEqual([t.key, { ok: true }]);
  });

  it('rejects an unknown variable with its line number', () => {
    const source = ok(
      '<mj-text>\n  <p>Hi {{contactName}},</p>\n  <p>You owe {{amountOwed}}.</p>\n</mj-text>',
    );
    expect(validateTemplate(source)).toEqual({
      ok: false,
      problems: [{ line: 6, message: 'unknown variable "amountOwed"' }],
      message: 'line 6: unknown variable "amountOwed"',
    });
  });

  it('rejects an unknown variable in the subject line', () => {
    const r = validateTemplate('<!-- subject: Invoice {{invoiceNo}} -->\n<mj-text>x</mj-text>');
    expect(r.ok === false && r.problems).toEqual([{ line: 1, message: 'unknown variable "invoiceNo"' }]);
  });

  it('rejects triple braces, unclosed braces, bad names and layout tokens', () => {
    const source = ok(
      '<mj-text>{{{contactName}}}</mj-text>\n<mj-text>{{ firmName</mj-text>\n{{first name}}\n[[content]]',
    );
    const r = validateTemplate(source);
    expect(r.ok === false && r.problems.map((p) => p.line)).toEqual([4, 5, 6, 7]);
    expect(r.ok === false && r.message).toMatch(/triple braces.*unclosed.*not a variable name.*reserved/);
  });

  it('rejects a file without a subject header', () => {
    const r = validateTemplate('<mj-text>Hello</mj-text>');
    expect(r.ok === false && r.problems).toEqual([
      { line: 1, message: expect.stringMatching(/header comment/) },
    ]);
  });

  it('refuses to build a renderer with an invalid template', () => {
    const { layout } = loadBuiltinTemplates();
    expect(() =>
      createRenderer({
        templates: [{ key: 'x', version: '1', source: ok('<mj-text>{{nope}}</mj-text>') }],
        layout,
      }),
    ).toThrow('template "x": line 4: unknown variable "nope"');
  });

  it('reports an MJML error with the line of the template file', async () => {
    const { layout } = loadBuiltinTemplates();
    const source = ok(
      '<mj-text>fine</mj-text>\n<mj-button href="{{portalUrl}}" colour="red">Pay</mj-button>',
    );
    const r = createRenderer({ templates: [{ key: 'x', version: '1', source }], layout });
    const err = await r.render('x', emailData()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateCompileError);
    expect((err as Error).message).toMatch(/^template "x", line 5: .*colour/);
  });
});
