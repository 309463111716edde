export * from './businessDays';
export * from './holidays';
export * from './localDate';
export * from './sendTime';
