#!/usr/bin/env node
// Generates src/kql/schema/ah-schema.json, the advanced hunting schema the extension ships, from
//   1. shared/reference/ah-schema.json: the table list (62 tables) and their descriptions;
//   2. scripts/ah-schema/documented-columns.json: every table's columns and types as its Microsoft docs page
//      (MicrosoftDocs/defender-docs, defender-xdr/advanced-hunting-<table>-table.md) lists them, with the
//      commit and ms.date of the page version read;
//   3. CORRECTIONS below: the few places where the docs disagree with the service (each with its evidence).
//
//   node scripts/gen-ah-schema.mjs                       write src/kql/schema/ah-schema.json
//   node scripts/gen-ah-schema.mjs --check               exit 1 if the committed file differs
//   node scripts/gen-ah-schema.mjs --reference <path>    another reference file (default ../shared/reference/…)
//   node scripts/gen-ah-schema.mjs --extract <docs> [--commit <sha>]
//        re-read documented-columns.json from a defender-docs checkout (<docs> is its work tree, or its git
//        directory, read with `git show HEAD:<page>`), then write the schema
//
// test/unit/kql/schema.test.ts checks that the committed output is what this script makes from its inputs
// (when ../shared is present) and that the output differs from the reference only by documented columns and
// the corrections. The grammar's table list (syntaxes/defender-tables.json) follows the shipped schema:
// `node scripts/gen-grammar.mjs --schema src/kql/schema/ah-schema.json`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = path.join(ROOT, 'src', 'kql', 'schema', 'ah-schema.json');
export const DOCUMENTED = path.join(ROOT, 'scripts', 'ah-schema', 'documented-columns.json');
export const REFERENCE = process.env.DTM_AH_SCHEMA ?? path.resolve(ROOT, '..', 'shared', 'reference', 'ah-schema.json');
const DOCS_REPO = 'MicrosoftDocs/defender-docs';

/** Kusto's scalar types, the only ones the shipped schema uses. */
const KUSTO_TYPES = new Set(['string', 'long', 'int', 'real', 'decimal', 'bool', 'datetime', 'timespan', 'guid', 'dynamic']);

/**
 * Type spellings of the docs pages that are not Kusto's. `object` and `array` are dynamic values in Kusto;
 * `enum` names no Kusto type, so the column is kept as dynamic (any use is accepted) rather than guessed.
 */
export const DOC_TYPE_ALIASES = {
  boolean: 'bool',
  'nullable bool': 'bool',
  integer: 'int',
  object: 'dynamic',
  array: 'dynamic',
  enum: 'dynamic',
};

/**
 * Where the docs pages disagree with the advanced hunting service. Kusto names are case-sensitive, so a
 * wrong spelling is a false "unknown name" error on a real query.
 */
export const CORRECTIONS = [
  {
    kind: 'renameTable',
    table: 'GraphApiAuditEvents',
    to: 'GraphAPIAuditEvents',
    reason: 'The service names the table GraphAPIAuditEvents (issue #10 item 17); queries in public use spell it so. The docs page and the reference spell it GraphApiAuditEvents.',
  },
  {
    kind: 'renameColumn',
    table: 'CloudAppEvents',
    column: 'Isp',
    to: 'ISP',
    reason: "The service's column is ISP (issue #10 item 17): Microsoft's own hunting queries use it (microsoft/Microsoft-365-Defender-Hunting-Queries@efa17a60, 'Webcasts/l33tSpeak/MCAS - The Hunt.txt', shared/kql-corpus m365d-0364). The docs page spells it Isp.",
  },
  {
    kind: 'renameColumn',
    table: 'IdentityLogonEvents',
    column: 'Isp',
    to: 'ISP',
    reason: "The service's column is ISP (issue #10 item 17), as IdentityDirectoryEvents' page spells it: Microsoft's own hunting queries use it (microsoft/Microsoft-365-Defender-Hunting-Queries@efa17a60, 'Lateral Movement/Device Logons from Unknown IPs.txt', shared/kql-corpus m365d-0283). The docs page spells it Isp.",
  },
  {
    kind: 'retypeColumn',
    table: 'GraphAPIAuditEvents',
    column: 'Timestamp',
    to: 'datetime',
    reason: "The docs page types Timestamp as string, which makes the query every hunt starts with (`| where Timestamp > ago(1d)`) a type error. Advanced hunting's time range applies to every table's Timestamp, which is datetime on every other page.",
  },
];

// ---------------------------------------------------------------------------------------------------------
// The docs pages
// ---------------------------------------------------------------------------------------------------------

/** The docs page of a table, named as the docs name it (lower case). */
export function pageOf(docsTableName) {
  return `defender-xdr/advanced-hunting-${docsTableName.toLowerCase()}-table.md`;
}

/** `ms.date: 03/28/2025` of a page's front matter, as 2025-03-28. */
export function parseMsDate(markdown) {
  const m = /^ms\.date:\s*(\d{2})\/(\d{2})\/(\d{4})\s*$/m.exec(markdown);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : undefined;
}

/**
 * The rows of a page's column table (the first table whose header starts with "Column name"), as
 * [name, type] with the type as the page spells it. Names lose their backticks, footnote marks (`*`,
 * `[*](#…)`), a "(Preview)" note and stray whitespace; so do types (some pages omit the backticks).
 */
export function parseColumnTable(markdown) {
  const lines = markdown.split(/\r?\n/);
  const header = lines.findIndex((l) => /^\s*\|\s*Column name\s*\|/i.test(l));
  if (header < 0) return [];
  const columns = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line.trim().replace(/^\|/, '').split('|');
    if (cells.length < 2) break;
    const name = cleanCell(cells[0]).replace(/\s*\(Preview\)\s*/i, '').replace(/\s*\[\*+\]\(#[^)]*\)/g, '').replace(/\*+$/, '').trim();
    const type = cleanCell(cells[1]).toLowerCase();
    if (!/^[A-Za-z_]\w*$/.test(name) || !type) throw new Error(`unreadable column row: ${line}`);
    columns.push([name, type]);
  }
  return columns;
}

function cleanCell(cell) {
  return cell.replace(/`/g, '').replace(/\s+/g, ' ').trim();
}

/** Reads one page from a checkout (work tree) or a bare git directory. */
function readPage(docs, page) {
  const file = path.join(docs, page);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  return execFileSync('git', ['--git-dir', docs, 'show', `HEAD:${page}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

/** documented-columns.json from a defender-docs checkout: one entry per reference table, as the docs name it. */
export function extractDocumented(reference, docs, commit) {
  const pages = {};
  for (const table of Object.keys(reference.tables)) {
    const page = pageOf(table);
    let markdown;
    try {
      markdown = readPage(docs, page);
    } catch {
      continue; // No page: the table keeps no columns (reported by main()).
    }
    const columns = parseColumnTable(markdown);
    if (columns.length === 0) continue;
    pages[table] = { page, commit, msDate: parseMsDate(markdown) ?? null, columns };
  }
  return { _about: documentedAbout(), repo: DOCS_REPO, pages };
}

function documentedAbout() {
  return (
    'The columns and types of each advanced hunting table as its docs page lists them (types as the page spells them), ' +
    'with the page version read (commit, ms.date) and the other versions compared. Input of scripts/gen-ah-schema.mjs; ' +
    'refresh with --extract <defender-docs checkout>. Facts from Microsoft docs (CC BY 4.0).'
  );
}

/** documented-columns.json's layout: one column per line, so a diff shows what the docs changed. */
export function renderDocumented(doc) {
  const out = ['{', `  "_about": ${JSON.stringify(doc._about)},`, `  "repo": ${JSON.stringify(doc.repo)},`, '  "pages": {'];
  const names = Object.keys(doc.pages);
  names.forEach((name, i) => {
    const p = doc.pages[name];
    out.push(`    ${JSON.stringify(name)}: {`);
    out.push(`      "page": ${JSON.stringify(p.page)},`);
    out.push(`      "commit": ${JSON.stringify(p.commit)},`);
    out.push(`      "msDate": ${JSON.stringify(p.msDate)},`);
    if (p.alsoRead?.length) out.push(`      "alsoRead": ${JSON.stringify(p.alsoRead)},`);
    out.push('      "columns": [');
    p.columns.forEach((c, j) => out.push(`        ${JSON.stringify(c)}${j < p.columns.length - 1 ? ',' : ''}`));
    out.push('      ]');
    out.push(`    }${i < names.length - 1 ? ',' : ''}`);
  });
  out.push('  }', '}');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// The shipped schema
// ---------------------------------------------------------------------------------------------------------

export function kustoType(docType, where) {
  const t = DOC_TYPE_ALIASES[docType] ?? docType;
  if (!KUSTO_TYPES.has(t)) throw new Error(`${where}: the docs type ${JSON.stringify(docType)} is not a Kusto type; add it to DOC_TYPE_ALIASES`);
  return t;
}

/**
 * The shipped schema: the reference's tables (in its order, renamed where corrected) with their reference
 * descriptions, each with the columns of its docs page (corrected), and where they came from.
 */
export function generate(reference, documented, corrections = CORRECTIONS) {
  const renamedTable = new Map(corrections.filter((c) => c.kind === 'renameTable').map((c) => [c.table, c.to]));
  const tables = {};
  const withoutPage = [];
  for (const [docsName, ref] of Object.entries(reference.tables)) {
    const name = renamedTable.get(docsName) ?? docsName;
    const doc = documented.pages[docsName];
    const entry = { description: ref.description };
    if (!doc) {
      withoutPage.push(name);
      tables[name] = entry;
      continue;
    }
    const columnFix = (kind) => new Map(corrections.filter((c) => c.kind === kind && c.table === name).map((c) => [c.column, c.to]));
    const renames = columnFix('renameColumn');
    const retypes = columnFix('retypeColumn');
    for (const column of [...renames.keys(), ...retypes.keys()]) {
      if (!doc.columns.some(([n]) => n === column)) throw new Error(`correction for ${name}.${column}: the docs page has no such column`);
    }
    entry.source = doc.page;
    entry.commit = doc.commit;
    entry.msDate = doc.msDate;
    entry.columns = doc.columns.map(([n, t]) => ({ name: renames.get(n) ?? n, type: retypes.get(n) ?? kustoType(t, `${name}.${n}`) }));
    tables[name] = entry;
  }
  for (const c of corrections) {
    const table = c.kind === 'renameTable' ? c.to : c.table;
    if (!tables[table]) throw new Error(`correction for ${table}: no such table in the reference`);
  }
  return {
    _meta: {
      description:
        'Microsoft Defender XDR advanced hunting schema for KQL completion and checks. GENERATED by scripts/gen-ah-schema.mjs; do not edit by hand. ' +
        'Tables and descriptions: shared/reference/ah-schema.json. Columns and types: each table\'s docs page (source, commit, msDate), ' +
        'read into scripts/ah-schema/documented-columns.json; docs types that are not Kusto\'s are mapped (boolean→bool, integer→int, object/array/enum→dynamic). ' +
        "The docs type AdditionalFields as 'string' in Device* tables (use parse_json) and 'dynamic' in Identity*/CloudAppEvents. " +
        "Verify at runtime with '<Table> | getschema' (Defender: Refresh KQL Schema) since Microsoft adds columns frequently.",
      repo: DOCS_REPO,
      tableListSource: reference._meta?.tableListSource,
      corrections: corrections.map((c) => ({ ...c })),
      ...(withoutPage.length ? { tablesWithoutDocumentedColumns: withoutPage } : {}),
    },
    tables,
  };
}

/** Pretty JSON with one column per line, so the file stays small and a diff shows what changed. */
export function render(schema) {
  const oneLine = JSON.stringify(schema, (key, value) => (key === 'columns' ? value.map((c) => `@@${JSON.stringify(c)}@@`) : value), 1);
  return oneLine.replace(/"@@(.*?)@@"/g, (_, c) => JSON.parse(`"${c}"`)) + '\n';
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function main(argv) {
  const arg = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const referencePath = arg('--reference') ?? REFERENCE;
  if (!fs.existsSync(referencePath)) {
    console.error(`reference schema not found at ${referencePath} (give --reference <path>)`);
    process.exit(2);
  }
  const reference = readJson(referencePath);
  const docs = arg('--extract');
  if (docs) {
    const commit = arg('--commit') ?? execFileSync('git', ['--git-dir', fs.existsSync(path.join(docs, '.git')) ? path.join(docs, '.git') : docs, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(DOCUMENTED, renderDocumented(extractDocumented(reference, docs, commit)));
  }
  const schema = generate(reference, readJson(DOCUMENTED));
  const text = render(schema);
  for (const t of schema._meta.tablesWithoutDocumentedColumns ?? []) console.warn(`no documented columns for ${t}: it stays open (any column name is accepted)`);
  if (argv.includes('--check')) {
    if ((fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '') !== text) {
      console.error('src/kql/schema/ah-schema.json is out of date: run node scripts/gen-ah-schema.mjs');
      process.exit(1);
    }
    console.log('advanced hunting schema up to date');
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(ROOT, OUT)}: ${Object.keys(schema.tables).length} tables`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
