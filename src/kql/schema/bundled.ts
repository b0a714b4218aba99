import bundledJson from './ah-schema.json';
import { parseSchema, type KqlSchema } from './schema';

let bundled: KqlSchema | undefined;

/** The schema shipped with the extension (scripts/gen-ah-schema.mjs writes it); only the server needs it. */
export function loadBundledSchema(): KqlSchema {
  bundled ??= parseSchema(bundledJson, 'bundled');
  return bundled;
}
