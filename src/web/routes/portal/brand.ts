/**
 * `/portal-brand.css?c=<hex>`: the firm's colour as CSS variables (the strict CSP allows no inline
 * styles), with a text colour on it chosen for contrast. Any valid colour gives the same answer to
 * anyone, so it is public and cacheable.
 */
import type { RequestHandler } from 'express';

const luminance = (hex: string): number => {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
};

/** White or near-black text, whichever contrasts more with the background colour. */
export function inkFor(hex: string): string {
  const l = luminance(hex);
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (0.0143 + 0.05); // #111827
  return onWhite >= onDark ? '#ffffff' : '#111827';
}

export const brandStylesheet: RequestHandler = (req, res) => {
  const c = typeof req.query.c === 'string' ? req.query.c : '';
  res.type('text/css');
  if (!/^[0-9a-fA-F]{6}$/.test(c)) {
    res.status(400).send('/* expected ?c=<6 hex digits> */\n');
    return;
  }
  res.setHeader('Cache-Control', 'public, max-age=86400');
  res.send(`:root { --brand: #${c.toLowerCase()}; --brand-ink: ${inkFor(c)}; }\n`);
};
