export * from './organizations';
export * from './connections';
export * from './ledger';
export * from './emails';
export * from './collections';
