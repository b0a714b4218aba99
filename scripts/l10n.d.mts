// Types for scripts/l10n.mjs (the localisation codemod and checker); test/unit/foundation/l10n.test.ts uses them.
export const ROOT: string;
export function manifestStrings(pkg: unknown): { obj: any; prop: string | number; key: string }[];
export function migrateManifest(pkg: any, nls: Record<string, string>): Record<string, string>;
export function checkManifest(pkg: unknown, nls: Record<string, string>): string[];
export function resolveManifest(pkg: unknown, nls: Record<string, string>): any;
export function isProse(text: string): boolean;
export function sourceFiles(root?: string): string[];
export function createProgram(files: string[], overrides?: Record<string, string>, root?: string): any;
export function collectSinks(sf: any, checker: any): { node: any; rule: string }[];
export function l10nCalls(sf: any): { messages: { message: string; args?: number; comment?: string[] }[]; problems: any[] };
export function findBypasses(program: any, files: string[], root?: string): string[];
export function extractBundle(program: any, files: string[]): Record<string, string | { message: string; comment: string[] }>;
export function rewriteFile(program: any, fileName: string, root?: string): { text: string; wrapped: number; manual: string[] };
export function main(argv?: string[], root?: string): number;
