"""Layer 4b: only functions from an allowlist of safe analytical functions, per dialect.

An allowlist, not a denylist: ``pg_sleep``, ``pg_read_file``, ``dblink``, ``read_csv``,
``glob``, ``duckdb_secrets`` and whatever a future release adds are refused because they are
not listed. Functions sqlglot knows become typed nodes (``exp.Sum``...): they are allowed by
class, and the SQL that runs is generated from that node, never the name that was typed.
Functions it does not know keep their name (``exp.Anonymous``) and are allowed by name, per
dialect. Schema-qualified calls (``pg_catalog.f()``, ``myschema.f()``) are refused: they may
reach user-defined functions.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp

from atlas_query.guard.errors import Refusal

DialectName = Literal["duckdb", "postgres", "mysql", "sqlite"]

_SAFE_CLASS_NAMES = """
And Or Xor Collate Exists
Count CountIf Sum Avg Min Max Median Mode Stddev StddevPop StddevSamp Variance VariancePop
PercentileCont PercentileDisc Quantile ApproxDistinct ApproxQuantile ArrayAgg GroupConcat
LogicalAnd LogicalOr ArgMin ArgMax First Last AnyValue Corr CovarPop CovarSamp
RowNumber Rank DenseRank Ntile Lag Lead FirstValue LastValue NthValue PercentRank CumeDist
Abs Round Ceil Floor Pow Sqrt Cbrt Ln Log Exp Sign Greatest Least Trunc Pi WidthBucket
SafeDivide
Lower Upper Length Substring Trim Replace Concat ConcatWs SplitPart Left Right StrPosition
Pad RegexpLike RegexpILike RegexpReplace RegexpExtract StartsWith EndsWith Contains Initcap
Reverse Repeat MD5 Split Format TimeToStr ToChar Levenshtein Ascii Chr
TimestampTrunc DateTrunc Extract CurrentDate CurrentTimestamp CurrentTime DateDiff DateAdd
DateSub TimestampAdd TimestampSub TimestampDiff StrToTime StrToDate DateFromParts
TimestampFromParts UnixToTime TimeToUnix Year Month Day Hour Minute Second DayOfWeek
DayOfWeekIso DayOfMonth DayOfYear Week WeekOfYear Quarter Dayname Monthname LastDay Date
TsOrDsToDate TsOrDsAdd JustifyInterval JustifyDays JustifyHours MakeInterval ToDays
Cast TryCast Case If Coalesce Nullif
Explode Unnest ExplodingGenerateSeries GenerateSeries GenerateDateArray Array ArraySize
ArrayToString ArrayContains ArrayContainsAll ArrayContainedBy ArrayOverlaps ArraySort
ArrayFilter ArrayPosition JSONExtract JSONExtractScalar JSONBExtract JSONBExtractScalar
JSONArrayContains JSONBContains JSONBContainsAllTopKeys JSONBContainsAnyTopKeys
JSONBContainsTopKey JSONBPathExists ParseJSON RegexpFullMatch
Struct Typeof Columns
"""

SAFE_CLASSES: tuple[type[exp.Func], ...] = tuple(
    getattr(exp, name) for name in _SAFE_CLASS_NAMES.split()
)

# Typed nodes safe in MySQL and SQLite that their own functions parse to (DATE_FORMAT and
# strftime read their argument through TsOrDsToTimestamp); the other dialects keep their list.
_EXTRA_CLASS_NAMES = """
TsOrDsToTimestamp ConvertTimezone SubstringIndex Timestamp UtcTimestamp UtcDate Hex Unhex
RegexpSubstr BitwiseCount NumberToStr Soundex Elt BitwiseAndAgg BitwiseOrAgg BitwiseXorAgg
JSONKeys JSONType JSONObject JSONObjectAgg JSONArrayAgg TimeFromParts Cot Degrees Radians Sin
Cos Atan2 BitLength Unicode Stuff
"""
EXTRA_CLASSES: dict[DialectName, tuple[type[exp.Func], ...]] = {
    dialect: tuple(getattr(exp, name) for name in _EXTRA_CLASS_NAMES.split())
    for dialect in ("mysql", "sqlite")
}

# Functions sqlglot parses as anonymous in each dialect, vetted one by one. Not listed, so
# refused: MySQL's LOAD_FILE, SLEEP, BENCHMARK, GET_LOCK / RELEASE_LOCK, USER(),
# CONNECTION_ID(), LAST_INSERT_ID(), EXTRACTVALUE / UPDATEXML (error-based reads), SYS_EVAL;
# SQLite's load_extension, readfile / writefile, edit, fts3_tokenizer, randomblob /
# zeroblob, changes(), sqlite_compileoption_get and the pragma_* table functions.
SAFE_NAMES: dict[DialectName, frozenset[str]] = {
    "postgres": frozenset({
        "age", "date_bin", "make_date", "make_time", "make_timestamp", "make_timestamptz",
        "to_number", "num_nonnulls", "num_nulls", "regexp_matches", "regexp_split_to_array",
        "regexp_count", "regexp_substr", "listagg", "justify_interval", "isfinite",
        "jsonb_array_length", "json_array_length", "jsonb_typeof", "json_typeof",
        "array_position", "array_positions", "cardinality", "string_to_array", "translate",
        "quote_ident", "quote_literal", "to_hex", "bit_length", "octet_length", "gcd", "lcm",
        "factorial", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan",
        "atan2", "scale", "trim_scale", "min_scale", "regr_slope", "regr_intercept",
        "regr_r2", "bit_and", "bit_or", "every", "date_part", "timezone", "extract",
    }),
    "duckdb": frozenset({
        "age", "now", "today", "get_current_timestamp", "date_part", "datepart", "date_sub",
        "datesub", "time_bucket", "to_date",
        "make_time", "epoch_ms", "epoch_us", "yearweek", "isodow", "isoyear", "century",
        "millennium", "decade", "era", "dayofmonth", "weekday", "weekofyear",
        "list_value", "list_sort", "list_distinct", "list_unique", "list_aggregate",
        "list_sum", "list_contains", "list_extract", "array_extract", "cardinality", "len",
        "string_split", "str_split", "string_split_regex", "regexp_split_to_array",
        "regexp_full_match", "regexp_extract_all", "printf", "fsum", "favg", "kahan_sum",
        "product", "entropy", "kurtosis", "skewness", "histogram", "bit_and", "bit_or",
        "bool_and", "bool_or", "arbitrary", "quantile", "quantile_disc", "reservoir_quantile",
        "approx_quantile", "mad", "geomean", "sem", "regr_slope", "regr_intercept",
        "regr_r2", "gcd", "lcm", "factorial", "degrees", "radians", "sin", "cos", "tan",
        "even", "gamma", "lgamma", "nextafter", "isnan", "isinf", "isfinite", "bar",
        "formatreadabledecimalsize", "format_bytes", "translate", "strip_accents", "nfc_normalize",
        "ord", "unicode", "jaro_similarity", "jaro_winkler_similarity", "jaccard",
        "damerau_levenshtein", "hamming", "mismatches", "editdist3", "struct_extract",
        "struct_pack", "map_extract", "map_keys", "map_values", "element_at", "to_json",
        "json_extract_string", "json_extract_path", "json_type", "json_keys", "json_valid",
        "to_years", "to_months", "to_weeks", "to_hours", "to_minutes", "to_seconds",
        "timezone", "epoch", "list_reverse_sort", "array_length", "hash", "nullif", "ifnull",
    }),
    "mysql": frozenset({
        "weekday", "makedate", "find_in_set", "field", "yearweek", "now", "unix_timestamp",
        "json_unquote", "time_to_sec", "sec_to_time", "adddate", "subdate", "strcmp", "crc32",
        "ord", "bin", "oct", "conv", "mid", "json_array", "json_contains", "json_length",
        "json_valid", "microsecond", "period_diff", "period_add", "time_format", "from_days",
        "addtime", "subtime", "timediff", "octet_length", "quote", "json_arrayagg",
        "inet_ntoa", "inet_aton", "to_seconds", "utc_time", "curtime", "sysdate",
    }),
    "sqlite": frozenset({
        "date", "datetime", "time", "julianday", "unixepoch", "printf", "total", "quote",
        "likely", "unlikely", "json", "json_array", "json_array_length", "json_valid",
        "octet_length", "instr", "char", "ifnull", "iif",
    }),
}


def check_functions(tree: exp.Expr, dialect: DialectName) -> None:
    for node in tree.find_all(exp.Func):
        if _qualified(node):
            raise Refusal("functions",
                          f"Schema-qualified function {_qualified_name(node)} is not allowed")
        if not allowed(node, dialect):
            raise Refusal("functions", f"Function {function_name(node)} is not allowed")


def _qualified(node: exp.Func) -> bool:
    parent = node.parent
    if isinstance(parent, exp.Dot):
        return parent.expression is node
    # A table function in FROM carries its schema on the Table: ``FROM s.generate_series(1, 2)``
    return isinstance(parent, exp.Table) and parent.this is node and bool(
        parent.args.get("db") or parent.args.get("catalog"))


def _qualified_name(node: exp.Func) -> str:
    parent = node.parent
    if isinstance(parent, exp.Table):
        return ".".join(part.name for part in parent.parts[:-1]) + "." + node.sql_name()
    return parent.sql() if parent is not None else node.sql()


def allowed(node: exp.Func, dialect: DialectName) -> bool:
    if _is_named(node):
        return function_name(node).lower() in SAFE_NAMES[dialect]
    return type(node) in SAFE_CLASSES or type(node) in EXTRA_CLASSES.get(dialect, ())


def function_name(node: exp.Func) -> str:
    if _is_named(node):
        return str(node.name)
    return node.sql_name()


def _is_named(node: exp.Func) -> bool:
    # These keep the name that was typed: the name is what runs, so the name is checked.
    return isinstance(node, exp.Anonymous | exp.AnonymousAggFunc | exp.CombinedAggFunc |
                      exp.CombinedParameterizedAgg | exp.ParameterizedAgg)
