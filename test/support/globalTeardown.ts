export default async function globalTeardown(): Promise<void> {
  // Test databases drop themselves; the migrated template is kept for the next run.
}
