#!/usr/bin/env node
// Generates syntaxes/kql.tmLanguage.json (scopeName source.kql) from the word lists below and the Defender
// advanced hunting table list in shared/reference/ah-schema.json.
//
//   node scripts/gen-grammar.mjs            write the grammar
//   node scripts/gen-grammar.mjs --check    exit 1 if the committed grammar differs from the generated one
//
// test/unit/grammar/generated.test.ts checks that the committed grammar equals the generated one.
// Design notes (performance): every rule is a single `match` except strings, dynamic(...) literals, `let`
// statements and lambda parameter lists (begin/end, nesting at most a few levels); keyword lists are
// \b-anchored alternations with no nested quantifiers, so no regex can backtrack catastrophically.
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

const uniqSorted = (xs) => [...new Set(xs)].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
const esc = (w) => w.replace(/[.*+?^${}()|[\]\\-]/g, (c) => (c === '-' ? '-' : '\\' + c));
const alt = (xs) => uniqSorted(xs).map(esc).join('|');
/** Whole word (words may contain `-`, so a following `-` or word char means a different word). */
const word = (xs) => String.raw`(?<![\w-])(?:${alt(xs)})(?![\w-])`;
const IDENT = String.raw`[A-Za-z_][\w]*`;
const BRACKETED = String.raw`\[\s*(?:'[^'\n]*'|"[^"\n]*")\s*\]`;

function readTables(schemaPath) {
  const json = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  return Object.keys(json.tables).sort();
}

export function generate(tables) {
  const stringEscape = { name: 'constant.character.escape.kql', match: String.raw`\\(?:[\\'"abfnrtv0]|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)` };
  const repository = {
    comment: {
      name: 'comment.line.double-slash.kql',
      match: '(//).*',
      captures: { 1: { name: 'punctuation.definition.comment.kql' } },
    },
    strings: {
      patterns: [
        { include: '#string-multiline' },
        { include: '#string-obfuscated' },
        { include: '#string-verbatim' },
        { include: '#string-quoted' },
      ],
    },
    'string-multiline': {
      name: 'string.quoted.triple.kql',
      begin: '(?<![\\w])([hH])?(```)',
      beginCaptures: {
        1: { name: 'storage.modifier.obfuscated.kql' },
        2: { name: 'punctuation.definition.string.begin.kql' },
      },
      end: '```',
      endCaptures: { 0: { name: 'punctuation.definition.string.end.kql' } },
    },
    'string-obfuscated': {
      patterns: [
        {
          name: 'string.quoted.single.obfuscated.kql',
          begin: "(?<![\\w])([hH])(@)?(')",
          beginCaptures: {
            1: { name: 'storage.modifier.obfuscated.kql' },
            2: { name: 'storage.modifier.verbatim.kql' },
            3: { name: 'punctuation.definition.string.begin.kql' },
          },
          end: "(')|$",
          endCaptures: { 1: { name: 'punctuation.definition.string.end.kql' } },
          patterns: [stringEscape],
        },
        {
          name: 'string.quoted.double.obfuscated.kql',
          begin: '(?<![\\w])([hH])(@)?(")',
          beginCaptures: {
            1: { name: 'storage.modifier.obfuscated.kql' },
            2: { name: 'storage.modifier.verbatim.kql' },
            3: { name: 'punctuation.definition.string.begin.kql' },
          },
          end: '(")|$',
          endCaptures: { 1: { name: 'punctuation.definition.string.end.kql' } },
          patterns: [stringEscape],
        },
      ],
    },
    'string-verbatim': {
      patterns: [
        {
          name: 'string.quoted.single.verbatim.kql',
          match: "(@)(')((?:[^']|'')*)(')?",
          captures: {
            1: { name: 'storage.modifier.verbatim.kql' },
            2: { name: 'punctuation.definition.string.begin.kql' },
            4: { name: 'punctuation.definition.string.end.kql' },
          },
        },
        {
          name: 'string.quoted.double.verbatim.kql',
          match: '(@)(")((?:[^"]|"")*)(")?',
          captures: {
            1: { name: 'storage.modifier.verbatim.kql' },
            2: { name: 'punctuation.definition.string.begin.kql' },
            4: { name: 'punctuation.definition.string.end.kql' },
          },
        },
      ],
    },
    'string-quoted': {
      patterns: [
        {
          name: 'string.quoted.single.kql',
          begin: "'",
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kql' } },
          end: "(')|$",
          endCaptures: { 1: { name: 'punctuation.definition.string.end.kql' } },
          patterns: [stringEscape],
        },
        {
          name: 'string.quoted.double.kql',
          begin: '"',
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kql' } },
          end: '(")|$',
          endCaptures: { 1: { name: 'punctuation.definition.string.end.kql' } },
          patterns: [stringEscape],
        },
      ],
    },
    let: {
      patterns: [
        {
          // let f = (a:string, T:(*)) { ... };   let v = view () { ... };
          name: 'meta.let.function.kql',
          begin: String.raw`(?<![\w-])(let)\s+(${IDENT}|${BRACKETED})\s*(=)\s*(?:(view)\s*)?(?=\(\s*(?:\)|${IDENT}\s*:))`,
          beginCaptures: {
            1: { name: 'keyword.control.let.kql' },
            2: { name: 'entity.name.function.kql' },
            3: { name: 'keyword.operator.assignment.kql' },
            4: { name: 'keyword.control.view.kql' },
          },
          end: ';',
          endCaptures: { 0: { name: 'punctuation.terminator.statement.kql' } },
          patterns: [{ include: '#lambda-parameters' }, { include: '$self' }],
        },
        {
          name: 'meta.let.kql',
          begin: String.raw`(?<![\w-])(let)\s+(${IDENT}|${BRACKETED})\s*(=)`,
          beginCaptures: {
            1: { name: 'keyword.control.let.kql' },
            2: { name: 'entity.name.variable.kql' },
            3: { name: 'keyword.operator.assignment.kql' },
          },
          end: ';',
          endCaptures: { 0: { name: 'punctuation.terminator.statement.kql' } },
          patterns: [{ include: '$self' }],
        },
      ],
    },
    'lambda-parameters': {
      name: 'meta.parameters.kql',
      begin: String.raw`\G\s*(\()`,
      beginCaptures: { 1: { name: 'punctuation.section.parameters.begin.kql' } },
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
    'typed-literals': {
      patterns: [
        {
          name: 'meta.literal.datetime.kql',
          match: String.raw`(?<![\w-])(datetime|date)\s*(\()\s*(null)?([^)\n]*?)\s*(\))`,
          captures: {
            1: { name: 'storage.type.kql' },
            2: { name: 'punctuation.section.parens.begin.kql' },
            3: { name: 'constant.language.null.kql' },
            4: { name: 'constant.numeric.datetime.kql' },
            5: { name: 'punctuation.section.parens.end.kql' },
          },
        },
        {
          name: 'meta.literal.timespan.kql',
          match: String.raw`(?<![\w-])(timespan|time)\s*(\()\s*(null)?([^)\n]*?)\s*(\))`,
          captures: {
            1: { name: 'storage.type.kql' },
            2: { name: 'punctuation.section.parens.begin.kql' },
            3: { name: 'constant.language.null.kql' },
            4: { name: 'constant.numeric.timespan.kql' },
            5: { name: 'punctuation.section.parens.end.kql' },
          },
        },
        {
          name: 'meta.literal.guid.kql',
          match: String.raw`(?<![\w-])(guid|uniqueid)\s*(\()\s*(null)?([^)\n]*?)\s*(\))`,
          captures: {
            1: { name: 'storage.type.kql' },
            2: { name: 'punctuation.section.parens.begin.kql' },
            3: { name: 'constant.language.null.kql' },
            4: { name: 'constant.other.guid.kql' },
            5: { name: 'punctuation.section.parens.end.kql' },
          },
        },
        {
          name: 'meta.literal.dynamic.kql',
          begin: String.raw`(?<![\w-])(dynamic)\s*(\()`,
          beginCaptures: {
            1: { name: 'storage.type.kql' },
            2: { name: 'punctuation.section.parens.begin.kql' },
          },
          end: String.raw`\)`,
          endCaptures: { 0: { name: 'punctuation.section.parens.end.kql' } },
          patterns: [
            { include: '#comment' },
            { include: '#strings' },
            { include: '#numbers' },
            { include: '#constants' },
            { match: String.raw`\{`, name: 'punctuation.section.braces.begin.kql' },
            { match: String.raw`\}`, name: 'punctuation.section.braces.end.kql' },
            { match: String.raw`\[`, name: 'punctuation.section.brackets.begin.kql' },
            { match: String.raw`\]`, name: 'punctuation.section.brackets.end.kql' },
            { match: ',', name: 'punctuation.separator.comma.kql' },
            { match: ':', name: 'punctuation.separator.colon.kql' },
            { include: '$self' },
          ],
        },
      ],
    },
    render: {
      match: String.raw`(?<![\w-])(render)\s+(${alt(CHART_TYPES)})(?![\w-])`,
      captures: {
        1: { name: 'keyword.other.operator.kql' },
        2: { name: 'support.constant.chart.kql' },
      },
    },
    options: {
      match: String.raw`(?<![\w-])(${OPTION_NAMES.join('|')})\s*(=)\s*(${IDENT})?`,
      captures: {
        1: { name: 'keyword.other.option.kql' },
        2: { name: 'keyword.operator.assignment.kql' },
        3: { name: 'constant.language.option.kql' },
      },
    },
    'variable-language': {
      match: String.raw`(\$)(?:left|right|table)\b`,
      name: 'variable.language.kql',
      captures: { 1: { name: 'punctuation.definition.variable.kql' } },
    },
    'bracketed-name': {
      // ['Column name'] / ["Column name"] used as a name (not an index: `x['key']` keeps string scopes)
      name: 'meta.name.bracketed.kql',
      match: String.raw`(?<![\w\])])(\[)\s*(?:(')([^'\n]*)(')|(")([^"\n]*)("))\s*(\])`,
      captures: {
        1: { name: 'punctuation.definition.name.begin.kql' },
        2: { name: 'punctuation.definition.name.begin.kql' },
        3: { name: 'variable.other.column.kql' },
        4: { name: 'punctuation.definition.name.end.kql' },
        5: { name: 'punctuation.definition.name.begin.kql' },
        6: { name: 'variable.other.column.kql' },
        7: { name: 'punctuation.definition.name.end.kql' },
        8: { name: 'punctuation.definition.name.end.kql' },
      },
    },
    numbers: {
      patterns: [
        {
          name: 'constant.numeric.timespan.kql',
          match: String.raw`(?<!\w)(?:\d+(?:\.\d+)?(?:${TIMESPAN_UNITS.join('|')}))+(?!\w)`,
        },
        { name: 'constant.numeric.hex.kql', match: String.raw`(?<!\w)0[xX][0-9A-Fa-f]+(?!\w)` },
        {
          name: 'constant.numeric.decimal.kql',
          match: String.raw`(?<!\w)(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|(?<!\.)\.\d+(?:[eE][+-]?\d+)?)(?!\w)`,
        },
        { name: 'constant.numeric.integer.kql', match: String.raw`(?<!\w)\d+(?!\w)` },
      ],
    },
    constants: {
      patterns: [
        { name: 'constant.language.boolean.kql', match: String.raw`(?<![\w-])(?:true|false)(?![\w-])` },
        { name: 'constant.language.null.kql', match: String.raw`(?<![\w-])null(?![\w-])` },
      ],
    },
    'word-operators': {
      patterns: [
        {
          name: 'keyword.operator.string.kql',
          match: String.raw`(?<![\w-])(?:!?(?:has|contains|startswith|endswith|hasprefix|hassuffix)(?:_cs)?|has_any|has_all|like|notlike|likecs|notlikecs|contains_cs|matches\s+regex)(?![\w-])`,
        },
        { name: 'keyword.operator.set.kql', match: String.raw`(?<![\w-])!?in~?(?![\w~-])` },
        { name: 'keyword.operator.range.kql', match: String.raw`(?<![\w-])!?between(?![\w-])` },
        { name: 'keyword.operator.logical.kql', match: String.raw`(?<![\w-])(?:and|or|not)(?![\w-])` },
      ],
    },
    keywords: {
      patterns: [
        { name: 'keyword.other.operator.kql', match: word(TABULAR_OPERATORS) },
        { name: 'keyword.other.operator.kql', match: String.raw`(?<![\w-])(?:${alt(AMBIGUOUS_OPERATORS)})(?![\w-]|\s*\()` },
        { name: 'keyword.control.statement.kql', match: word(STATEMENT_WORDS) },
        { name: 'keyword.other.clause.kql', match: word(CLAUSE_WORDS) },
      ],
    },
    types: {
      patterns: [
        {
          match: String.raw`(:)\s*(${alt(TYPES)})(?![\w-])`,
          captures: {
            1: { name: 'punctuation.separator.colon.kql' },
            2: { name: 'storage.type.kql' },
          },
        },
        { name: 'storage.type.kql', match: word(RESERVED_TYPES) },
        { name: 'storage.type.kql', match: String.raw`(?<![\w-])(?:${alt(TYPES)})(?=\s*\()` },
      ],
    },
    functions: {
      patterns: [
        {
          name: 'support.function.aggregation.kql',
          match: String.raw`(?<![\w-])(?:${alt(AGGREGATIONS)})(?=\s*\()`,
        },
        { name: 'support.function.kql', match: String.raw`(?<![\w-])(?:${alt(SCALAR_FUNCTIONS)})(?=\s*\()` },
        { name: 'support.function.plugin.kql', match: String.raw`(?<![\w-])(?:${alt(PLUGINS)})(?=\s*\()` },
        { name: 'support.function.defender.kql', match: String.raw`(?<![\w-])(?:${alt(DEFENDER_FUNCTIONS)})(?=\s*\()` },
        { name: 'entity.name.function.kql', match: String.raw`(?<![\w-])${IDENT}(?=\s*\()` },
      ],
    },
    tables: {
      name: 'support.class.table.defender.kql',
      match: String.raw`(?<![\w-])(?:${alt(tables)})(?![\w-])`,
    },
    'member-access': {
      match: String.raw`(\.)(${IDENT})`,
      captures: {
        1: { name: 'punctuation.accessor.kql' },
        2: { name: 'variable.other.property.kql' },
      },
    },
    identifiers: { name: 'variable.other.column.kql', match: String.raw`[A-Za-z_]\w*|\d+[A-Za-z_]\w*` },
    punctuation: {
      match: String.raw`(==|!=|<>|<=|>=|=~|!~|<|>)|(=)|(\.\.)|(\+|-|\*|/|%)|(,)|(;)|(\()|(\))|(\[)|(\])|(\{)|(\})|(\|)|(\.)|(:)|(!)`,
      captures: {
        1: { name: 'keyword.operator.comparison.kql' },
        2: { name: 'keyword.operator.assignment.kql' },
        3: { name: 'keyword.operator.range.kql' },
        4: { name: 'keyword.operator.arithmetic.kql' },
        5: { name: 'punctuation.separator.comma.kql' },
        6: { name: 'punctuation.terminator.statement.kql' },
        7: { name: 'punctuation.section.parens.begin.kql' },
        8: { name: 'punctuation.section.parens.end.kql' },
        9: { name: 'punctuation.section.brackets.begin.kql' },
        10: { name: 'punctuation.section.brackets.end.kql' },
        11: { name: 'punctuation.section.braces.begin.kql' },
        12: { name: 'punctuation.section.braces.end.kql' },
        13: { name: 'punctuation.separator.pipe.kql' },
        14: { name: 'punctuation.accessor.kql' },
        15: { name: 'punctuation.separator.colon.kql' },
        16: { name: 'keyword.operator.logical.kql' },
      },
    },
  };

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'KQL',
    scopeName: 'source.kql',
    fileTypes: ['kql', 'csl'],
    comment: 'GENERATED by scripts/gen-grammar.mjs from its word lists and syntaxes/defender-tables.json. Do not edit by hand.',
    patterns: [
      { include: '#comment' },
      { include: '#strings' },
      { include: '#let' },
      { include: '#typed-literals' },
      { include: '#render' },
      { include: '#options' },
      { include: '#variable-language' },
      { include: '#bracketed-name' },
      { include: '#numbers' },
      { include: '#word-operators' },
      { include: '#keywords' },
      { include: '#types' },
      { include: '#constants' },
      { include: '#functions' },
      { include: '#tables' },
      { include: '#member-access' },
      { include: '#identifiers' },
      { include: '#punctuation' },
    ],
    repository,
  };
}

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
    const note = 'Defender advanced hunting table names, from shared/reference/ah-schema.json (MicrosoftDocs/defender-docs). Input of scripts/gen-grammar.mjs.';
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
