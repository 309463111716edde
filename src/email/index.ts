export { createRenderer, UnknownTemplateError } from './renderer';
export type { EmailTemplate, RenderedEmail, Renderer, RendererOptions, RenderOptions } from './renderer';
export { createBuiltinRenderer, loadBuiltinTemplates, emailViewsDir } from './loadTemplates';
export { validateTemplate } from './validate';
export type { TemplateProblem, TemplateValidation } from './validate';
export { emailDataSchema, brandingSchema, displayMoney } from './data';
export type { EmailData, EmailBranding } from './data';
export { TEMPLATE_VARIABLES } from './variables';
export { TemplateCompileError } from './compile';
