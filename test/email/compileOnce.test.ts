import { createRenderer, loadBuiltinTemplates } from '../../src/email';
import { defaultMjmlCompiler, type MjmlCompiler } from '../../src/email/compile';
import { emailData } from './fixtures';

describe('compile once per template version', () => {
  const { templates, layout } = loadBuiltinTemplates();

  function counting(): { compiler: MjmlCompiler; count: () => number } {
    let n = 0;
    return {
      compiler: async (src) => {
        n += 1;
        return defaultMjmlCompiler(src);
      },
      count: () => n,
    };
  }

  it('compiles MJML once for many messages, even rendered concurrently', async () => {
    const spy = counting();
    const r = createRenderer({ templates, layout, compiler: spy.compiler });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        r.render('overdue', emailData({ contact: { name: `Contact ${i}` } })),
      ),
    );
    const last = await r.render('overdue', emailData({ contact: { name: 'Last One' } }));
    expect(last.text).toContain('Hello Last One,');
    expect(spy.count()).toBe(1);
    expect(r.compilations).toBe(1);
  });

  it('compiles again for a new template version or other branding, not otherwise', async () => {
    const spy = counting();
    const overdue = templates.find((t) => t.key === 'overdue')!;
    const r1 = createRenderer({ templates, layout, compiler: spy.compiler });
    await r1.render('overdue', emailData());
    await r1.render('overdue', emailData({ firm: { name: 'Other', branding: { color: '#123456' } } }));
    await r1.render('overdue', emailData({ firm: { name: 'Other', branding: { color: '#123456' } } }));
    expect(spy.count()).toBe(2);
    const edited = {
      ...overdue,
      version: 'v2',
      source: overdue.source.replace('It may simply', 'Perhaps it simply'),
    };
    const r2 = createRenderer({ templates: [edited], layout, compiler: spy.compiler });
    const out = await r2.render('overdue', emailData());
    expect(out.text).toContain('Perhaps it simply');
    expect(out.templateVersion).toBe('v2');
    expect(spy.count()).toBe(3);
  });
});
