"""Single-factor classification (GB 3838-2002 + 环办〔2011〕22号) as Polars expressions, no row loops."""

from __future__ import annotations

from typing import Final

import polars as pl

from envplan.standards.water.limits import (
    CLASS_III,
    CLASS_LABELS,
    ITEM_BY_CODE,
    ITEMS,
    PH_RANGE,
    WATER_CLASS,
    WORSE_THAN_V,
    Item,
)

RANK_DTYPE: Final = pl.Int8

_CODE_BY_TABLE_NUMBER: Final[dict[int, str]] = {item.table_number: item.code for item in ITEMS}


def _value(code: str) -> pl.Expr:
    return pl.col(code).cast(pl.Float64).fill_nan(None)


def _is_lake() -> pl.Expr:
    return pl.col("waterbody").cast(pl.String) == "lake"


def _limit(item: Item, index: int, lake: pl.Expr) -> pl.Expr:
    """The class-(index+1) limit of an item, choosing lake limits per row where the item has them."""
    assert item.limits is not None
    river = pl.lit(float(item.limits[index]))
    if item.lake_limits is None:
        return river
    return pl.when(lake).then(pl.lit(float(item.lake_limits[index]))).otherwise(river)


def item_rank(item: Item, *, lake: pl.Expr | None = None) -> pl.Expr:
    """Class rank (1 = I … 5 = V, 6 = 劣V) of one item's column; null when not measured or not applicable.

    ``lake`` (Boolean, lake or reservoir) defaults to ``waterbody == "lake"``.
    """
    lake = _is_lake() if lake is None else lake
    value = _value(item.code)
    if item.direction == "range":
        # GB 3838-2002 Table 1: pH 6~9 for all classes; outside the range the sample is 劣V.
        low, high = PH_RANGE
        in_range = (value >= low) & (value <= high)
        return (
            pl.when(in_range)
            .then(pl.lit(1, RANK_DTYPE))
            .when(value.is_not_null())
            .then(pl.lit(WORSE_THAN_V, RANK_DTYPE))
            .otherwise(None)
        )

    # "max": best class whose limit the value does not exceed; "min" (DO): best class whose limit it reaches.
    # Checking classes from I upward gives the better class where adjacent classes share a limit.
    def within(index: int) -> pl.Expr:
        limit = _limit(item, index, lake)
        return value <= limit if item.direction == "max" else value >= limit

    chain = pl.when(within(0)).then(pl.lit(1, RANK_DTYPE)).when(within(1)).then(pl.lit(2, RANK_DTYPE))
    for index in range(2, 5):
        chain = chain.when(within(index)).then(pl.lit(index + 1, RANK_DTYPE))
    rank = chain.when(value.is_not_null()).then(pl.lit(WORSE_THAN_V, RANK_DTYPE)).otherwise(None)
    if item.waterbodies == ("lake",):
        # GB 3838-2002 Table 1 item 9: TN limits apply to lakes and reservoirs only.
        return pl.when(lake).then(rank).otherwise(None)
    return rank


def exceedance_multiple(item: Item, *, lake: pl.Expr | None = None) -> pl.Expr | None:
    """(C - C_III) / C_III where C exceeds the class-III limit, else null.

    None for pH and DO, which have no exceedance multiple (2011 method).
    """
    if item.direction != "max":
        return None
    value = _value(item.code)
    limit_iii = _limit(item, CLASS_III - 1, _is_lake() if lake is None else lake)
    multiple = (value - limit_iii) / limit_iii
    return pl.when(value > limit_iii).then(multiple).otherwise(None)


def rank_to_class(rank: pl.Expr) -> pl.Expr:
    """Map a class rank (1…6) to the ``WATER_CLASS`` label; any other value (0, null) gives null."""
    mapping = {rank_value: label for rank_value, label in enumerate(CLASS_LABELS, start=1)}
    return rank.replace_strict(mapping, default=None, return_dtype=WATER_CLASS)


def _rank_column(item: Item) -> str:
    return f"__rank_{item.code}"


def _multiple_column(item: Item) -> str:
    return f"__multiple_{item.code}"


def _ranking_stages(routine: list[Item]) -> list[list[pl.Expr]]:
    """Stages choosing the main pollutants ``__main_1..3`` (Table 1 numbers, 0 = none) among routine items.

    Each pick takes, among the items worse than class III not picked yet, the worst class, then the largest
    exceedance multiple (exact float comparison; pH and DO count as -1, after any item with a multiple),
    then the lowest Table 1 number. Sentinels (rank 0, multiple -2, number 0) stand for "none" because
    horizontal maxima over columns without nulls are many times faster in Polars 2.1.
    """
    stages: list[list[pl.Expr]] = []
    picked: list[pl.Expr] = []

    def multiple(item: Item) -> pl.Expr:
        return pl.col(_multiple_column(item)).fill_null(-1.0) if item.direction == "max" else pl.lit(-1.0)

    for step in (1, 2, 3):
        available = {}
        for item in routine:
            condition = pl.col(_rank_column(item)) > CLASS_III
            for column in picked:
                condition = condition & (column != item.table_number)
            available[item.code] = condition
        best_rank = pl.col(f"__best_rank_{step}")
        best_multiple = pl.col(f"__best_multiple_{step}")
        in_best_class = {
            item.code: available[item.code] & (pl.col(_rank_column(item)) == best_rank) for item in routine
        }
        rank_candidates = [
            pl.when(available[item.code]).then(pl.col(_rank_column(item))).otherwise(pl.lit(0, RANK_DTYPE))
            for item in routine
        ]
        multiple_candidates = [
            pl.when(in_best_class[item.code]).then(multiple(item)).otherwise(pl.lit(-2.0)) for item in routine
        ]
        # 100 - Table 1 number, so the maximum is the lowest number; 0 = no pick.
        pick_candidates = [
            pl.when(in_best_class[item.code] & (multiple(item) == best_multiple))
            .then(pl.lit(100 - item.table_number, pl.Int16))
            .otherwise(pl.lit(0, pl.Int16))
            for item in routine
        ]
        pick = pl.max_horizontal(pick_candidates)
        stages.append([pl.max_horizontal(rank_candidates).alias(f"__best_rank_{step}")])
        stages.append([pl.max_horizontal(multiple_candidates).alias(f"__best_multiple_{step}")])
        stages.append([pl.when(pick > 0).then(100 - pick).otherwise(0).alias(f"__main_{step}")])
        picked.append(pl.col(f"__main_{step}"))
    return stages


def _decode_table_number(number: pl.Expr) -> pl.Expr:
    return number.replace_strict(_CODE_BY_TABLE_NUMBER, default=None, return_dtype=pl.String)


def classification_stages(present: list[str], *, item_classes: bool = False) -> list[list[pl.Expr]]:
    """Successive ``with_columns`` stages adding the classification columns (see :func:`classify_samples`).

    ``present`` lists the item columns that exist in the frame; absent items count as not measured. Stages
    keep every intermediate (ranks, multiples, main-pollutant picks) a column computed once; the names of
    temporary columns start with ``__`` and the caller drops them.
    """
    routine = sorted(
        (ITEM_BY_CODE[code] for code in present if ITEM_BY_CODE[code].routine),
        key=lambda item: item.table_number,
    )
    with_multiple = [item for item in routine if item.direction == "max"]
    # Lake or reservoir, computed once (stage 0) for the TP and TN limits.
    lake = pl.col("__lake")
    reference: list[pl.Expr] = []
    for item in ITEMS:
        if not item.routine:
            rank = item_rank(item, lake=lake) if item.code in present else pl.lit(None, RANK_DTYPE)
            reference.append(rank_to_class(rank).alias(f"{item.code}_class"))
    if not routine:
        return [
            [_is_lake().alias("__lake")],
            [
                pl.lit(None, dtype=WATER_CLASS).alias("class"),
                pl.lit([], dtype=pl.List(pl.String)).alias("main_pollutants"),
                pl.lit(None, pl.Struct({})).alias("exceedance"),
                *reference,
            ],
        ]
    # Rank 0 = not measured (see _ranking_stages on sentinels).
    ranks = [item_rank(item, lake=lake).fill_null(0).alias(_rank_column(item)) for item in routine]
    multiples = [
        multiple.alias(_multiple_column(item))
        for item in with_multiple
        if (multiple := exceedance_multiple(item, lake=lake)) is not None
    ]
    rank_columns = [pl.col(_rank_column(item)) for item in routine]
    results = [rank_to_class(pl.max_horizontal(rank_columns)).alias("class"), *reference]
    if item_classes:
        results.extend(
            rank_to_class(pl.col(_rank_column(item))).alias(f"{item.code}_class") for item in routine
        )
    # concat_str + split builds the lists several times faster than concat_list + drop_nulls (Polars 2.1).
    joined = pl.concat_str(
        [_decode_table_number(pl.col(f"__main_{step}")) for step in (1, 2, 3)],
        separator=";",
        ignore_nulls=True,
    )
    main = (
        pl.when(pl.col("__main_1") > 0).then(joined.str.split(";")).otherwise(pl.lit([], pl.List(pl.String)))
    )
    exceedance = (
        pl.struct([pl.col(_multiple_column(item)).alias(item.code) for item in with_multiple])
        if with_multiple
        else pl.lit(None, pl.Struct({}))
    )
    return [
        [_is_lake().alias("__lake")],
        [*ranks, *multiples],
        results,
        *_ranking_stages(routine),
        [main.alias("main_pollutants"), exceedance.alias("exceedance")],
    ]


def classify_samples(samples: pl.DataFrame | pl.LazyFrame, *, item_classes: bool = False) -> pl.DataFrame:
    """Classify every row of a samples frame by the single-factor method.

    Input: ``waterbody`` (``WATERBODY`` enum or text ``river``/``lake``) and any item columns of
    ``limits.ITEM_CODES`` (Float64, mg/L; fecal coliforms per litre; null or absent = not measured); other
    columns are carried through. Output adds:

    * ``class`` (``WATER_CLASS``): worst class of the routine items; null when none was measured;
    * ``main_pollutants`` (List[String]): up to three routine items worse than class III, worst class first,
      then largest exceedance multiple, pH/DO (no multiple) after items with one, then Table 1 order;
    * ``exceedance`` (Struct with one Float64 field per routine item present in the input other than pH and
      DO, in Table 1 order): (C - C_III) / C_III where the item exceeds its class-III limit, else null
      (:func:`exceedance_pairs` turns it into a list of (item, multiple));
    * ``tn_class``, ``fecal_coliform_class`` (``WATER_CLASS``): reference items, not in ``class``; TN only
      for lakes and reservoirs;
    * with ``item_classes=True``, ``<code>_class`` for every routine item present.
    """
    lazy = samples.lazy()
    names = lazy.collect_schema().names()
    present = [name for name in names if name in ITEM_BY_CODE]
    temporary: list[str] = []
    for stage in classification_stages(present, item_classes=item_classes):
        lazy = lazy.with_columns(stage)
        temporary += [name for expr in stage if (name := expr.meta.output_name()).startswith("__")]
    return lazy.drop(temporary).collect()


def _exceedance_fields(frame: pl.DataFrame) -> list[str]:
    dtype = frame.schema["exceedance"]
    assert isinstance(dtype, pl.Struct)
    return [field.name for field in dtype.fields]


def exceedance_pairs(frame: pl.DataFrame) -> pl.Series:
    """The ``exceedance`` struct of a classified frame as List[Struct{item, multiple}], in Table 1 order.

    Convenient for display and JSON; building lists is several times slower than the struct itself in
    Polars 2.1, so it is not part of :func:`classify_samples`.
    """
    field = pl.col("exceedance").struct.field
    pairs = [
        pl.when(field(name).is_not_null()).then(pl.struct(item=pl.lit(name), multiple=field(name)))
        for name in _exceedance_fields(frame)
    ]
    dtype = pl.List(pl.Struct({"item": pl.String, "multiple": pl.Float64}))
    expr = pl.concat_list(pairs).list.drop_nulls() if pairs else pl.lit([], dtype)
    return frame.select(expr.alias("exceedance")).to_series()


def exceedance_text(frame: pl.DataFrame, *, decimals: int = 2) -> pl.Series:
    """The ``exceedance`` struct as ``code:multiple`` pairs joined by ``;``; null when nothing exceeds."""
    field = pl.col("exceedance").struct.field
    parts = [
        pl.concat_str(pl.lit(f"{name}:"), field(name).round(decimals).cast(pl.String))
        for name in _exceedance_fields(frame)
    ]
    if not parts:
        return pl.Series("exceedance", [None] * frame.height, dtype=pl.String)
    text = pl.concat_str(parts, separator=";", ignore_nulls=True)
    return frame.select(pl.when(text != "").then(text).alias("exceedance")).to_series()
