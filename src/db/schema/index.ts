export * from './organizations';
export * from './connections';
export * from './ledger';
export * from './emails';
export * from './collections';
export * from './cases';
export * from './portal';
export * from './workspace';
