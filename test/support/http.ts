import type { Express } from 'express';
import request from 'supertest';

/** The CSRF token of the page's first form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
}

/** A browser-like agent (cookies kept) that reads the CSRF token from a page before posting. */
export function browser(web: Express) {
  const agent = request.agent(web);
  return {
    agent,
    async csrf(pagePath = '/login'): Promise<string> {
      const res = await agent.get(pagePath);
      return csrfFrom(res.text);
    },
    async login(email: string, password: string) {
      const token = await this.csrf('/login');
      return agent.post('/login').type('form').send({ email, password, _csrf: token, next: '/' });
    },
    async postForm(path: string, form: Record<string, string>, from = '/') {
      const token = await this.csrf(from);
      return agent
        .post(path)
        .type('form')
        .send({ ...form, _csrf: token });
    },
  };
}
