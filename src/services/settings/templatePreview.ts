/**
 * A firm template previewed for a real customer: the saved version, or the unsaved subject and
 * body from the editor (checked first, so a problem shows with its body line instead of a render).
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../../app/context';
import type { OrgScope } from '../../db/scope';
import { createRenderer } from '../../email';
import { builtinTemplates } from '../templates/builtins';
import { TemplateInvalidError, templateSource } from '../templates';
import { checkFirmTemplate } from '../templates/validate';
import type { Organization } from '../organizations';
import { previewCustomers, previewDocument, previewStep } from './emailPreview';

export async function previewTemplate(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  key: string,
  customerId: string | null,
  unsaved?: { subject: string; body: string },
): Promise<string> {
  const id = customerId || (await previewCustomers(scope, 1))[0]?.id;
  if (!id)
    return previewDocument(
      { kind: 'problem', message: 'No customer with open invoices yet: sync your books first.' },
      '',
    );
  let renderer;
  if (unsaved) {
    const { raw, layout } = builtinTemplates();
    try {
      await checkFirmTemplate(unsaved.subject, unsaved.body, layout, {
        color: org.branding.color ?? null,
        logoUrl: org.branding.logoUrl ?? null,
      });
    } catch (e) {
      if (!(e instanceof TemplateInvalidError)) throw e;
      const message = e.issues
        .map((i) => `${i.field}${i.line !== null ? ` line ${i.line}` : ''}: ${i.message}`)
        .join('; ');
      return previewDocument({ kind: 'problem', message: `Cannot preview: ${message}` }, '');
    }
    const source = templateSource(unsaved.subject, unsaved.body);
    const version = `unsaved-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
    renderer = createRenderer({
      templates: [...raw.filter((t) => t.key !== key), { key, version, source }],
      layout,
    });
  }
  const out = await previewStep(
    app,
    scope,
    org,
    id,
    { key: 'preview', offsetDays: 7, channel: 'email', template: key },
    renderer,
  );
  return previewDocument(out.preview, out.customerName);
}
