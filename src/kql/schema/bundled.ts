import bundledJson from './ah-schema.json';
import { parseSchema, type KqlSchema } from './schema';

let bundled: KqlSchema | undefined;

/** The schema shipped with the extension (a copy of shared/reference/ah-schema.json); only the server needs it. */
export function loadBundledSchema(): KqlSchema {
  bundled ??= parseSchema(bundledJson, 'bundled');
  return bundled;
}
