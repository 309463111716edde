export {
  getTemplate,
  listTemplates,
  resetTemplate,
  saveTemplate,
  templateInput,
  templateKeys,
  TEMPLATE_KEY,
  type TemplateInput,
  type TemplateView,
} from './store';
export { firmRenderer, compileCache } from './renderer';
export { TemplateInvalidError, templateSource, type TemplateIssue } from './validate';
export { templateName } from './builtins';
