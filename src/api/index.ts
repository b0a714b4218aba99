export * from './errors';
export * from './http';
export * from './graph';
export * from './mde';
export * from './endpoints';
export * from './timespan';
