#!/usr/bin/env node
// Generates syntaxes/kql.tmLanguage.json (scopeName source.kql) from the word lists below and the Defender
// advanced hunting table list in syntaxes/defender-tables.json (a snapshot of the shipped schema,
// src/kql/schema/ah-schema.json).
//
//   node scripts/gen-grammar.mjs                          write the grammar
//   node scripts/gen-grammar.mjs --check                  exit 1 if the committed grammar differs
//   node scripts/gen-grammar.mjs --schema src/kql/schema/ah-schema.json   refresh the table snapshot, then write the grammar
//
// test/unit/grammar/generated.test.ts checks that the committed grammar equals the generated one.
// Design notes (performance): only `let` statements, lambda parameter lists and ``` strings are begin/end rules
// (nesting stays shallow); everything else is a few combined `match` rules (see LAYOUT). Word lists become
// tries (`co(?:s|t|unt(?:if)?)`), \b-anchored, with no ambiguous nested quantifiers, so no regex backtracks
// badly; bench/grammar.bench.ts measures the result against the most used KQL grammar.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'syntaxes', 'kql.tmLanguage.json');
// The schema snapshot is vendored next to the generator so that generation does not depend on a path
// outside the repository; refresh it with --schema <path-to-ah-schema.json>.
const TABLES_FILE = path.join(ROOT, 'syntaxes', 'defender-tables.json');

// ---------------------------------------------------------------------------------------------------------
// Word lists (KQL reference, learn.microsoft.com/kusto/query; Defender advanced hunting docs)
// ---------------------------------------------------------------------------------------------------------

/** Tabular operators that are never function names (may be followed by `(`, e.g. `join(`). */
const TABULAR_OPERATORS = [
  'as', 'consume', 'datatable', 'distinct', 'evaluate', 'extend', 'externaldata', 'external_data', 'facet',
  'find', 'fork', 'getschema', 'graph-mark-components', 'graph-match', 'graph-shortest-paths', 'graph-to-table',
  'invoke', 'join', 'lookup', 'macro-expand', 'make-graph', 'make-series', 'mv-apply', 'mv-expand', 'mvapply',
  'mvexpand', 'order', 'parse', 'parse-kv', 'parse-where', 'partition', 'print', 'project', 'project-away',
  'project-keep', 'project-rename', 'project-reorder', 'reduce', 'render', 'sample-distinct', 'scan', 'search',
  'serialize', 'sort', 'summarize', 'top-hitters', 'top-nested', 'union', 'where', 'filter',
];
/** Tabular operators that are also function names (`count()`, `range(...)`, `sample`...): keywords unless `(` follows. */
const AMBIGUOUS_OPERATORS = ['count', 'limit', 'range', 'sample', 'take', 'top'];

/** Clause words inside tabular operators. */
const CLAUSE_WORDS = [
  'access', 'asc', 'by', 'decodeblocks', 'declare', 'default', 'desc', 'first', 'from', 'granny-asc', 'granny-desc',
  'last', 'nulls', 'of', 'on', 'step', 'to', 'with', 'with_itemindex', 'withsource', 'with_source', 'bagexpansion',
  'isfuzzy', 'output', 'packedcolumn', 'bagexpansion', 'typeof', 'ascending', 'descending', 'dataexport',
];
/** Statement keywords. */
const STATEMENT_WORDS = ['alias', 'declare', 'pattern', 'query_parameters', 'restrict', 'set', 'view'];

/** Option names followed by `=` and a keyword-like value (join kind=inner, hint.strategy=shuffle, flags=U). */
const OPTION_NAMES = ['kind', 'flags', String.raw`hint\.[A-Za-z_]+`];

/** `render` chart types. */
const CHART_TYPES = [
  'anomalychart', 'areachart', 'barchart', 'card', 'columnchart', 'ladderchart', 'linechart', 'piechart',
  'pivotchart', 'scatterchart', 'stackedareachart', 'table', 'timechart', 'timepivot', 'treemap', 'plotly',
];

/** Data types. */
const TYPES = [
  'bool', 'boolean', 'date', 'datetime', 'decimal', 'double', 'dynamic', 'guid', 'int', 'int64', 'long', 'real',
  'string', 'time', 'timespan', 'uniqueid',
];
/** Types that are reserved words anywhere (others, like `time` or `date`, only after `:` or before `(`). */
const RESERVED_TYPES = ['bool', 'datetime', 'decimal', 'dynamic', 'guid', 'int', 'long', 'real', 'string', 'timespan'];

/** Aggregation functions (summarize, make-series; also window-free row aggregations). */
const AGGREGATIONS = [
  'any', 'anyif', 'arg_max', 'arg_min', 'argmax', 'argmin', 'avg', 'avgif', 'binary_all_and', 'binary_all_or',
  'binary_all_xor', 'buildschema', 'count', 'count_distinct', 'count_distinctif', 'countif', 'dcount', 'dcountif',
  'hll', 'hll_if', 'hll_merge', 'make_bag', 'make_bag_if', 'make_dictionary', 'make_list', 'make_list_if',
  'make_list_with_nulls', 'make_set', 'make_set_if', 'makelist', 'makeset', 'max', 'maxif', 'merge_tdigest', 'min',
  'minif', 'percentile', 'percentiles', 'percentiles_array', 'percentilesw', 'percentilesw_array', 'percentilew',
  'stdev', 'stdevif', 'stdevp', 'sum', 'sumif', 'take_any', 'take_anyif', 'tdigest', 'tdigest_merge', 'variance',
  'varianceif', 'variancep',
];

/** Scalar functions (including deprecated aliases, which are valid and must not be flagged). */
const SCALAR_FUNCTIONS = [
  'abs', 'acos', 'ago', 'array_concat', 'array_iff', 'array_iif', 'array_index_of', 'array_length', 'array_reverse',
  'array_rotate_left', 'array_rotate_right', 'array_shift_left', 'array_shift_right', 'array_slice', 'array_sort_asc',
  'array_sort_desc', 'array_split', 'array_sum', 'asin', 'assert', 'atan', 'atan2', 'bag_has_key', 'bag_keys',
  'bag_merge', 'bag_pack', 'bag_pack_columns', 'bag_remove_keys', 'bag_set_key', 'bag_zip', 'base64_decode_toarray',
  'base64_decode_toguid', 'base64_decode_tostring', 'base64_decodestring', 'base64_encode_fromarray',
  'base64_encode_fromguid', 'base64_encode_tostring', 'base64_encodestring', 'beta_cdf', 'beta_inv', 'beta_pdf',
  'bin', 'bin_at', 'bin_auto', 'binary_and', 'binary_not', 'binary_or', 'binary_shift_left', 'binary_shift_right',
  'binary_xor', 'bitset_count_ones', 'case', 'ceiling', 'coalesce', 'column_ifexists', 'convert_angle',
  'convert_energy', 'convert_force', 'convert_length', 'convert_mass', 'convert_speed', 'convert_temperature',
  'convert_volume', 'cos', 'cosh', 'cot', 'countof', 'current_cluster_endpoint', 'current_database',
  'current_principal', 'current_principal_details', 'current_principal_is_member_of', 'cursor_after',
  'cursor_before_or_at', 'cursor_current', 'datetime_add', 'datetime_diff', 'datetime_list_timezones',
  'datetime_local_to_utc', 'datetime_part', 'datetime_utc_to_local', 'dayofmonth', 'dayofweek', 'dayofyear',
  'dcount_hll', 'degrees', 'dynamic_to_json', 'endofday', 'endofmonth', 'endofweek', 'endofyear',
  'estimate_data_size', 'exp', 'exp10', 'exp2', 'extent_id', 'extent_tags', 'extract', 'extract_all',
  'extract_json', 'extractall', 'extractjson', 'format_bytes', 'format_datetime', 'format_ipv4', 'format_ipv4_mask',
  'format_timespan', 'gamma', 'geo_angle', 'geo_azimuth', 'geo_distance_2points', 'geo_distance_point_to_line',
  'geo_distance_point_to_polygon', 'geo_geohash_neighbors', 'geo_geohash_to_central_point', 'geo_geohash_to_polygon',
  'geo_h3cell_children', 'geo_h3cell_level', 'geo_h3cell_neighbors', 'geo_h3cell_parent', 'geo_h3cell_rings',
  'geo_h3cell_to_central_point', 'geo_h3cell_to_polygon', 'geo_intersection_2lines', 'geo_intersection_2polygons',
  'geo_intersection_line_with_polygon', 'geo_intersects_2lines', 'geo_intersects_2polygons',
  'geo_intersects_line_with_polygon', 'geo_line_buffer', 'geo_line_centroid', 'geo_line_densify', 'geo_line_length',
  'geo_line_simplify', 'geo_line_to_s2cells', 'geo_point_buffer', 'geo_point_in_circle', 'geo_point_in_polygon',
  'geo_point_to_geohash', 'geo_point_to_h3cell', 'geo_point_to_s2cell', 'geo_polygon_area', 'geo_polygon_buffer',
  'geo_polygon_centroid', 'geo_polygon_densify', 'geo_polygon_perimeter', 'geo_polygon_simplify',
  'geo_polygon_to_h3cells', 'geo_polygon_to_s2cells', 'geo_s2cell_neighbors', 'geo_s2cell_to_central_point',
  'geo_s2cell_to_polygon', 'geo_simplify_polygons_array', 'geo_union_lines_array', 'geo_union_polygons_array',
  'getmonth', 'gettype', 'getyear', 'gzip_compress_to_base64_string', 'gzip_decompress_from_base64_string',
  'has_any_index', 'has_any_ipv4', 'has_any_ipv4_prefix', 'has_ipv4', 'has_ipv4_prefix', 'hash', 'hash_combine',
  'hash_crc32', 'hash_djb2', 'hash_many', 'hash_md5', 'hash_sha1', 'hash_sha256', 'hash_xxhash64', 'hourofday',
  'iff', 'iif', 'indexof', 'indexof_regex', 'ingestion_time', 'ipv4_compare', 'ipv4_is_in_any_range',
  'ipv4_is_in_range', 'ipv4_is_match', 'ipv4_is_private', 'ipv4_netmask_suffix', 'ipv4_range_to_cidr_list',
  'ipv6_compare', 'ipv6_is_in_any_range', 'ipv6_is_in_range', 'ipv6_is_match', 'isascii', 'isempty', 'isfinite',
  'isinf', 'isnan', 'isnotempty', 'isnotnull', 'isnull', 'isutf8', 'jaccard_index', 'log', 'log10', 'log2',
  'loggamma', 'make_datetime', 'make_string', 'make_timespan', 'materialize', 'max_of', 'min_of', 'monthofyear',
  'new_guid', 'next', 'notempty', 'notnull', 'now', 'pack', 'pack_all', 'pack_array', 'pack_dictionary',
  'parse_command_line', 'parse_csv', 'parse_ipv4', 'parse_ipv4_mask', 'parse_ipv6', 'parse_ipv6_mask', 'parse_json',
  'parse_path', 'parse_url', 'parse_urlquery', 'parse_user_agent', 'parse_version', 'parse_xml', 'parsejson',
  'percentile_array_tdigest', 'percentile_tdigest', 'percentrank_tdigest', 'pi', 'pow', 'prev',
  'punycode_domain_from_string', 'punycode_domain_to_string', 'punycode_from_string', 'punycode_to_string',
  'radians', 'rand', 'range', 'rank_tdigest', 'regex_quote', 'repeat', 'replace', 'replace_regex', 'replace_string',
  'replace_strings', 'reverse', 'round', 'row_cumsum', 'row_number', 'row_rank_dense', 'row_rank_min',
  'row_window_session', 'series_abs', 'series_acos', 'series_add', 'series_asin', 'series_atan', 'series_ceiling',
  'series_cos', 'series_cosine_similarity', 'series_decompose', 'series_decompose_anomalies',
  'series_decompose_forecast', 'series_divide', 'series_dot_product', 'series_equals', 'series_exp', 'series_fft',
  'series_fill_backward', 'series_fill_const', 'series_fill_forward', 'series_fill_linear', 'series_fir',
  'series_fit_2lines', 'series_fit_2lines_dynamic', 'series_fit_line', 'series_fit_line_dynamic',
  'series_fit_poly', 'series_floor', 'series_greater', 'series_greater_equals', 'series_ifft', 'series_iir',
  'series_less', 'series_less_equals', 'series_log', 'series_magnitude', 'series_multiply', 'series_not_equals',
  'series_outliers', 'series_pearson_correlation', 'series_periods_detect', 'series_periods_validate',
  'series_pow', 'series_seasonal', 'series_sign', 'series_sin', 'series_stats', 'series_stats_dynamic',
  'series_subtract', 'series_sum', 'series_tan', 'set_difference', 'set_has_element', 'set_intersect', 'set_union',
  'sign', 'sin', 'split', 'sqrt', 'startofday', 'startofmonth', 'startofweek', 'startofyear', 'strcat',
  'strcat_array', 'strcat_delim', 'strcmp', 'string_size', 'strlen', 'strrep', 'substring', 'table', 'tan',
  'tdigest_merge', 'to_utf8', 'tobool', 'toboolean', 'todatetime', 'todecimal', 'todouble', 'todynamic', 'toguid',
  'tohex', 'toint', 'tolong', 'tolower', 'toobject', 'toreal', 'toscalar', 'tostring', 'totimespan', 'toupper',
  'translate', 'treepath', 'trim', 'trim_end', 'trim_start', 'unicode_codepoints_from_string',
  'unicode_codepoints_to_string', 'unixtime_microseconds_todatetime', 'unixtime_milliseconds_todatetime',
  'unixtime_nanoseconds_todatetime', 'unixtime_seconds_todatetime', 'url_decode', 'url_encode',
  'url_encode_component', 'week_of_year', 'weekofyear', 'welch_test', 'zip', 'zlib_compress_to_base64_string',
  'zlib_decompress_from_base64_string', 'cluster', 'database', 'external_table', 'materialized_view',
];

/** `evaluate` plugins. */
const PLUGINS = [
  'active_users_count', 'activity_counts_metrics', 'activity_engagement', 'activity_metrics', 'autocluster',
  'azure_digital_twins_query_request', 'bag_unpack', 'basket', 'cosmosdb_sql_request', 'dcount_intersect',
  'diffpatterns', 'diffpatterns_text', 'funnel_sequence', 'funnel_sequence_completion', 'http_request',
  'http_request_post', 'infer_storage_schema', 'ipv4_lookup', 'ipv6_lookup', 'mysql_request', 'narrow',
  'new_activity_metrics', 'pivot', 'postgresql_request', 'preview', 'python', 'r', 'rolling_percentile',
  'rows_near', 'schema_merge', 'sequence_detect', 'session_count', 'sliding_window_counts', 'sql_request',
  'market_basket',
];

/** Defender advanced hunting functions. */
const DEFENDER_FUNCTIONS = ['AssignedIPAddresses', 'DeviceFromIP', 'FileProfile', 'SeenBy'];

/** Timespan units, longest first within each family. */
const TIMESPAN_UNITS = [
  'days', 'day', 'd', 'hours', 'hour', 'hrs', 'hr', 'h', 'minutes', 'minute', 'min', 'milliseconds',
  'millisecond', 'millis', 'milli', 'ms', 'microseconds', 'microsecond', 'micros', 'micro', 'nanoseconds',
  'nanosecond', 'nanos', 'nano', 'seconds', 'second', 'sec', 's', 'ticks', 'tick', 'm',
];

// ---------------------------------------------------------------------------------------------------------

const IDENT = String.raw`[A-Za-z_]\w*`;
const BRACKETED = String.raw`\[\s*(?:'[^'\n]*'|"[^"\n]*")\s*\]`;

/**
 * A regex alternation of `words`, factored as a trie (`co(?:s|t|unt(?:if)?)`), so that matching or rejecting
 * a word costs a few character tests instead of one test per listed word. Callers add the end-of-word guard.
 */
export function trie(words) {
  const root = new Map();
  for (const w of new Set(words)) {
    let node = root;
    for (const ch of w) {
      if (!node.has(ch)) node.set(ch, new Map());
      node = node.get(ch);
    }
    node.set('', null); // end of word
  }
  const escChar = (c) => (/[\w-]/.test(c) ? c : '\\' + c);
  const emit = (node) => {
    const end = node.has('');
    const parts = [...node.keys()]
      .filter((k) => k !== '')
      .sort()
      .map((k) => escChar(k) + emit(node.get(k)));
    if (parts.length === 0) return '';
    const body = parts.length === 1 && !end ? parts[0] : `(?:${parts.join('|')})`;
    return end ? body + '?' : body;
  };
  return emit(root);
}

function readTables(schemaPath) {
  const json = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  return Object.keys(json.tables).sort();
}

/** Builds one regex of alternatives `[regex, scope]`, each in its own capture group, and its captures map. */
/** Number of capturing groups in a regex source (no named groups are used in this grammar). */
export function countGroups(re) {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && re[i + 1] !== '?') n++;
  }
  return n;
}

/**
 * One alternative of a combined regex: `re` with its own groups; `names[i]` scopes group i+1 (a scope name, a
 * capture rule object, or null for none).
 */
const alt = (re, ...names) => {
  if (countGroups(re) !== names.length) throw new Error(`group count mismatch in ${re}: ${names}`);
  return { re, names };
};
/** An alternative that is one token with one scope. */
const token = (re, scope) => alt(`(${re})`, scope);

/** Alternatives behind a common lookahead guard, as one alternative. */
const guarded = (guard, alternatives) =>
  alt(`${guard}(?:${alternatives.map((a) => a.re).join('|')})`, ...alternatives.flatMap((a) => a.names));

/**
 * Combines alternatives into one `match` rule; earlier alternatives win at the same position. `guard` is a
 * lookahead on the first character: without it, oniguruma searches some combinations (several alternatives
 * starting alike) far more slowly, measured up to 8x for the whole grammar.
 */
function combine(alternatives, guard = '') {
  const captures = {};
  let n = 0;
  for (const a of alternatives) {
    a.names.forEach((name, i) => {
      if (name) captures[n + i + 1] = typeof name === 'string' ? { name } : name;
    });
    n += a.names.length;
  }
  return { match: `${guard}(?:${alternatives.map((a) => a.re).join('|')})`, captures };
}

/** First characters of each block (a regex character-class body), for the guards; null: no guard. */
const FIRST_CHARS = {
  comment: '/',
  specialPunctuation: String.raw`@$\[!.:`,
  quotedStrings: `'"`,
  specialWords: 'A-Za-z',
  keywords: 'a-z',
  numbers: '0-9',
  tables: 'A-Z',
  functionCall: 'A-Za-z_',
  identifier: 'A-Za-z_',
  punctuation: null,
};

export function generate(tables, layout = LAYOUT) {
  const END = String.raw`(?![\w-])`; // end of a word (KQL operator names contain `-`)
  const STRING_OPERATORS = [
    ...['has', 'contains', 'startswith', 'endswith', 'hasprefix', 'hassuffix'].flatMap((w) => [w, w + '_cs']),
    'has_any', 'has_all', 'like', 'notlike', 'likecs', 'notlikecs',
  ];
  const NEGATABLE = [
    ...['has', 'contains', 'startswith', 'endswith', 'hasprefix', 'hassuffix'].flatMap((w) => [w, w + '_cs']),
    'between', 'in',
  ];
  const stringEscape = {
    name: 'constant.character.escape.kql',
    match: String.raw`\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)`,
  };
  const BEGIN = 'punctuation.definition.string.begin.kql';
  const PAREN = 'punctuation.section.parens.begin.kql';
  const STOP = 'punctuation.definition.string.end.kql';

  // Blocks of alternatives. The engine returns every capture group of the regex that matched, and each regex
  // in a rule list costs time on every search, so frequent tokens go to regexes with few groups and rare
  // constructs are gathered into a few regexes. `layout` decides how blocks are combined.
  const blocks = {
    // Rare constructs that start with punctuation.
    comment: [alt(String.raw`((//).*)`, 'comment.line.double-slash.kql', 'punctuation.definition.comment.kql')],
    specialPunctuation: [
      alt(String.raw`((@)(')(?:[^'\n]|'')*(')?)`, 'string.quoted.single.verbatim.kql', 'storage.modifier.verbatim.kql', BEGIN, STOP),
      alt(String.raw`((@)(")(?:[^"\n]|"")*(")?)`, 'string.quoted.double.verbatim.kql', 'storage.modifier.verbatim.kql', BEGIN, STOP),
      alt(String.raw`((\$)(?:left|right|table)\b)`, 'variable.language.kql', 'punctuation.definition.variable.kql'),
      // ['Column name'] used as a name, not as an index (x['key'] keeps string scopes)
      alt(
        String.raw`(?<![\w\])])((\[)\s*(['"])([^'"\n]*)(['"])\s*(\]))`,
        'meta.name.bracketed.kql', 'punctuation.definition.name.begin.kql', 'punctuation.definition.name.begin.kql',
        'variable.other.column.kql', 'punctuation.definition.name.end.kql', 'punctuation.definition.name.end.kql',
      ),
      token(String.raw`!(?:${trie(NEGATABLE)})(?:(?<=in)~)?(?![\w~-])`, 'keyword.operator.negated.kql'),
      alt(String.raw`(\.)(${IDENT})`, 'punctuation.accessor.kql', 'variable.other.property.kql'),
      token(String.raw`\.\d+(?:[eE][+-]?\d+)?(?!\w)`, 'constant.numeric.decimal.kql'),
      alt(String.raw`(:)\s*(${trie(TYPES)})${END}`, 'punctuation.separator.colon.kql', 'storage.type.kql'),
    ],
    // Single-line strings as one match each; only strings that contain a backslash are retokenized (the engine
    // drops the outer capture's scope there, hence the repeated name) to scope their escape sequences.
    quotedStrings: [
      alt(String.raw`((')[^'\\\n]*('))`, 'string.quoted.single.kql', BEGIN, STOP),
      alt(String.raw`((")[^"\\\n]*("))`, 'string.quoted.double.kql', BEGIN, STOP),
      alt(String.raw`((')((?:[^'\\\n]|\\.)*)(')?)`, 'string.quoted.single.kql', BEGIN, { name: 'string.quoted.single.kql', patterns: [stringEscape] }, STOP),
      alt(String.raw`((")((?:[^"\\\n]|\\.)*)(")?)`, 'string.quoted.double.kql', BEGIN, { name: 'string.quoted.double.kql', patterns: [stringEscape] }, STOP),
    ],
    // Rare constructs that start with a letter.
    specialWords: [
      // obfuscated strings h'..' h"..", verbatim h@'..' h@".." (escape sequences inside are not scoped apart)
      guarded(String.raw`\b(?=[hH]@?['"])`, [
        [String.raw`(')(?:[^'\\\n]|\\.)*(')?`, 'single', ''],
        [String.raw`(")(?:[^"\\\n]|\\.)*(")?`, 'double', ''],
        [String.raw`(')(?:[^'\n]|'')*(')?`, 'single', '@'],
        [String.raw`(")(?:[^"\n]|"")*(")?`, 'double', '@'],
      ].map(([body, quote, at]) =>
        at
          ? alt(
              String.raw`(([hH])(@)${body})`,
              `string.quoted.${quote}.obfuscated.kql`, 'storage.modifier.obfuscated.kql', 'storage.modifier.verbatim.kql',
              BEGIN, STOP,
            )
          : alt(String.raw`(([hH])${body})`, `string.quoted.${quote}.obfuscated.kql`, 'storage.modifier.obfuscated.kql', BEGIN, STOP),
      )),
      // typed literals datetime(..) timespan(..) guid(..)
      ...[
        ['datetime|date', 'constant.numeric.datetime.kql'],
        ['timespan|time', 'constant.numeric.timespan.kql'],
        ['guid|uniqueid', 'constant.other.guid.kql'],
      ].map(([types, scope]) =>
        alt(
          // (content bounded: without a `)` the search must not scan the rest of the line at every literal)
          String.raw`\b(${types})\s*(\()\s*(?:(null)|([^)\n]{0,80}?))\s*(\))`,
          'storage.type.kql', 'punctuation.section.parens.begin.kql', 'constant.language.null.kql', scope,
          'punctuation.section.parens.end.kql',
        ),
      ),
      alt(String.raw`\b(render)\s+(${trie(CHART_TYPES)})${END}`, 'keyword.other.operator.kql', 'support.constant.chart.kql'),
      // typeof(double): every type name, not only the reserved ones
      alt(String.raw`\b(typeof)\s*(\()\s*(${trie(TYPES)})${END}`, 'keyword.other.clause.kql', PAREN, 'storage.type.kql'),
      // kind=inner, hint.strategy=shuffle, flags=U
      alt(
        String.raw`\b(${OPTION_NAMES.join('|')})\s*(=)\s*(${IDENT})?`,
        'keyword.other.option.kql', 'keyword.operator.assignment.kql', 'constant.language.option.kql',
      ),
      alt(String.raw`\b(${trie(DEFENDER_FUNCTIONS)})\s*(\()`, 'support.function.defender.kql', PAREN),
    ],
    // Lower-case KQL words: operators, keywords, types, constants, built-in functions. Order decides.
    keywords: [
      token(String.raw`\b(?:${trie(TABULAR_OPERATORS)})${END}|\b(?:${trie(AMBIGUOUS_OPERATORS)})(?![\w-]|\s*\()`, 'keyword.other.operator.kql'),
      token(String.raw`\b(?:${trie(STRING_OPERATORS)})${END}|\bmatches\s+regex${END}`, 'keyword.operator.string.kql'),
      token(String.raw`\bin~?(?![\w~-])`, 'keyword.operator.set.kql'),
      token(String.raw`\bbetween${END}`, 'keyword.operator.range.kql'),
      token(String.raw`\b(?:and|or|not)${END}`, 'keyword.operator.logical.kql'),
      token(String.raw`\b(?:${trie(STATEMENT_WORDS)})${END}`, 'keyword.control.statement.kql'),
      token(String.raw`\b(?:${trie(CLAUSE_WORDS)})${END}`, 'keyword.other.clause.kql'),
      alt(String.raw`\b(${trie(TYPES)})\s*(\()`, 'storage.type.kql', PAREN),
      token(String.raw`\b(?:${trie(RESERVED_TYPES)})${END}`, 'storage.type.kql'),
      token(String.raw`\b(?:true|false)${END}`, 'constant.language.boolean.kql'),
      token(String.raw`\bnull${END}`, 'constant.language.null.kql'),
      // a function name and its `(` in one match (one search instead of two)
      alt(String.raw`\b(${trie(AGGREGATIONS)})\s*(\()`, 'support.function.aggregation.kql', PAREN),
      alt(String.raw`\b(${trie(SCALAR_FUNCTIONS)})\s*(\()`, 'support.function.kql', PAREN),
      alt(String.raw`\b(${trie(PLUGINS)})\s*(\()`, 'support.function.plugin.kql', PAREN),
    ],
    // (no \b: a digit inside a word is never reached, the whole word is matched from its start)
    numbers: [
      alt(
        String.raw`(?=\d)(?:((?:\d+(?:\.\d+)?(?:${trie(TIMESPAN_UNITS)}))+)(?!\w)|(0[xX][0-9A-Fa-f]+)(?!\w)|(\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?!\w)|(\d+)(?!\w)|(\d+[A-Za-z_]\w*))`,
        'constant.numeric.timespan.kql', 'constant.numeric.hex.kql', 'constant.numeric.decimal.kql',
        'constant.numeric.integer.kql', 'variable.other.column.kql', // e.g. 5Minutebin
      ),
    ],
    tables: [token(String.raw`\b(?:${trie(tables)})${END}`, 'support.class.table.defender.kql')],
    functionCall: [alt(String.raw`\b(${IDENT}+)\s*(\()`, 'entity.name.function.kql', PAREN)],
    // an identifier and the `,` `)` or `=` right after it in one match
    identifier: [
      alt(
        String.raw`(${IDENT}+)(?:\s*(?:(,)|(\))|(=)(?![=~])))?`,
        'variable.other.column.kql', 'punctuation.separator.comma.kql', 'punctuation.section.parens.end.kql',
        'keyword.operator.assignment.kql',
      ),
    ],
    punctuation: [
      token(String.raw`,`, 'punctuation.separator.comma.kql'),
      // `|` and the tabular operator after it in one match (`render` has its own rule, for the chart type)
      alt(
        String.raw`(\|)(?:\s*(?:(${trie(TABULAR_OPERATORS.filter((w) => w !== 'render'))})${END}|(${trie(AMBIGUOUS_OPERATORS)})(?![\w-]|\s*\()))?`,
        'punctuation.separator.pipe.kql', 'keyword.other.operator.kql', 'keyword.other.operator.kql',
      ),
      token(String.raw`\(`, 'punctuation.section.parens.begin.kql'),
      token(String.raw`\)`, 'punctuation.section.parens.end.kql'),
      token(String.raw`==|!=|<>|<=|>=|=~|!~|<|>`, 'keyword.operator.comparison.kql'),
      token(String.raw`=`, 'keyword.operator.assignment.kql'),
      token(String.raw`;`, 'punctuation.terminator.statement.kql'),
      token(String.raw`\.\.`, 'keyword.operator.range.kql'),
      token(String.raw`\.`, 'punctuation.accessor.kql'),
      token(String.raw`[-+*/%]`, 'keyword.operator.arithmetic.kql'),
      token(String.raw`\[`, 'punctuation.section.brackets.begin.kql'),
      token(String.raw`\]`, 'punctuation.section.brackets.end.kql'),
      token(String.raw`\{`, 'punctuation.section.braces.begin.kql'),
      token(String.raw`\}`, 'punctuation.section.braces.end.kql'),
      token(String.raw`:`, 'punctuation.separator.colon.kql'),
      token(String.raw`!`, 'keyword.operator.logical.kql'),
    ],
  };

  const repository = {
    comment: {
      name: 'comment.line.double-slash.kql',
      match: '(//).*',
      captures: { 1: { name: 'punctuation.definition.comment.kql' } },
    },
    'string-multiline': {
      name: 'string.quoted.triple.kql',
      begin: '(?:\\b([hH]))?(```)',
      beginCaptures: {
        1: { name: 'storage.modifier.obfuscated.kql' },
        2: { name: BEGIN },
      },
      end: '```',
      endCaptures: { 0: { name: STOP } },
    },
    let: {
      // let x = ...;   let f = (a:string, T:(*)) { ... };   let v = view () { ... };   let ['a b'] = ...;
      name: 'meta.let.kql',
      begin: String.raw`\b(let)\s+(?:(${IDENT}|${BRACKETED})(?=\s*=\s*(?:view\s*)?\(\s*(?:\)|${IDENT}\s*:))|(${IDENT}|${BRACKETED}))\s*(=)`,
      beginCaptures: {
        1: { name: 'keyword.control.let.kql' },
        2: { name: 'entity.name.function.kql' },
        3: { name: 'entity.name.variable.kql' },
        4: { name: 'keyword.operator.assignment.kql' },
      },
      end: ';',
      endCaptures: { 0: { name: 'punctuation.terminator.statement.kql' } },
      patterns: [{ include: '#lambda-parameters' }, { include: '$self' }],
    },
    'lambda-parameters': {
      name: 'meta.parameters.kql',
      begin: String.raw`\G\s*(?:(view)\s*)?(\()(?=\s*(?:\)|${IDENT}\s*:))`,
      beginCaptures: {
        1: { name: 'keyword.control.view.kql' },
        2: { name: 'punctuation.section.parameters.begin.kql' },
      },
      end: String.raw`\)`,
      endCaptures: { 0: { name: 'punctuation.section.parameters.end.kql' } },
      patterns: [
        { include: '#comment' },
        {
          match: String.raw`(${IDENT})\s*(:)`,
          captures: {
            1: { name: 'variable.parameter.kql' },
            2: { name: 'punctuation.separator.colon.kql' },
          },
        },
        { include: '#tabular-schema' },
        { include: '$self' },
      ],
    },
    'tabular-schema': {
      // T:(*) or T:(Col:string, *) in a lambda parameter list
      begin: String.raw`\(`,
      beginCaptures: { 0: { name: 'punctuation.section.parens.begin.kql' } },
      end: String.raw`\)`,
      endCaptures: { 0: { name: 'punctuation.section.parens.end.kql' } },
      patterns: [{ match: String.raw`\*`, name: 'keyword.operator.wildcard.kql' }, { include: '$self' }],
    },
  };

  const patterns = [];
  for (const entry of layout) {
    if (typeof entry === 'string') {
      patterns.push({ include: `#${entry}` });
      continue;
    }
    const name = entry.join('-').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    const alternatives = entry.flatMap((b) => {
      if (!blocks[b]) throw new Error(`unknown block ${b}`);
      return blocks[b];
    });
    const firsts = entry.map((b) => FIRST_CHARS[b]);
    repository[name] = combine(alternatives, firsts.includes(null) ? '' : `(?=[${[...new Set(firsts)].join('')}])`);
    patterns.push({ include: `#${name}` });
  }

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'KQL',
    scopeName: 'source.kql',
    fileTypes: ['kql', 'csl'],
    comment: 'GENERATED by scripts/gen-grammar.mjs from its word lists and syntaxes/defender-tables.json. Do not edit by hand.',
    patterns,
    repository,
  };
}

/**
 * Root rule list. Each array becomes one combined `match` rule. Measured alternatives (bench/grammar.bench.ts and
 * per-scanner micro-benchmarks): one rule per construct (about 25 regexes) was 0.85x kuskus's speed; every regex in
 * the list costs time on each search, and capture groups cost time when their regex matches, so rare constructs
 * share rules, frequent tokens get rules with few groups, and frequent neighbours (`| where`, `f(`, `x,`) are
 * matched together. `let` and multi-line strings need begin/end rules.
 */
const LAYOUT = [
  'let',
  'string-multiline',
  ['comment', 'specialPunctuation', 'quotedStrings'],
  ['specialWords'],
  ['keywords'],
  ['numbers', 'tables', 'functionCall', 'identifier'],
  ['punctuation'],
];

export function render(grammar) {
  return JSON.stringify(grammar, null, 2) + '\n';
}

export function loadTables() {
  return JSON.parse(fs.readFileSync(TABLES_FILE, 'utf8')).tables;
}

function main(argv) {
  const schemaIdx = argv.indexOf('--schema');
  if (schemaIdx >= 0) {
    const tables = readTables(argv[schemaIdx + 1]);
    const note = 'Defender advanced hunting table names, from the shipped schema src/kql/schema/ah-schema.json (MicrosoftDocs/defender-docs). Input of scripts/gen-grammar.mjs.';
    fs.writeFileSync(TABLES_FILE, JSON.stringify({ comment: note, tables }, null, 2) + '\n');
  }
  const text = render(generate(loadTables()));
  if (argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      console.error('syntaxes/kql.tmLanguage.json is out of date: run node scripts/gen-grammar.mjs');
      process.exit(1);
    }
    console.log('grammar up to date');
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(ROOT, OUT)} (${text.length} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
