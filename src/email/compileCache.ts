import type { CompiledTemplate } from './compile';

/**
 * A bounded cache of compiled templates, shared by renderers: key = template key and version,
 * layout and branding. Least recently used entries go first once `max` is reached.
 */
export class CompileCache {
  private readonly map = new Map<string, Promise<CompiledTemplate>>();

  constructor(readonly max = 500) {}

  get(key: string): Promise<CompiledTemplate> | undefined {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Promise<CompiledTemplate>): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}
