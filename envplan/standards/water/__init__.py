"""Surface-water quality: GB 3838-2002 single-factor classes, 2011 evaluation method (环办〔2011〕22号).

Pure: Polars frames in, Polars frames (or small dataclasses) out; no Django, no clock, no database.

Pipeline and frame schemas
--------------------------
1. ``parse_samples(raw, file=...)`` (or ``validate_samples`` for the errors only): raw text rows of the water
   CSV format -> typed samples + per-row errors ``(file, line, field, message)``. Detection-limit values
   (``<0.01``, ``0.01L``) become numbers by ``WaterRules.below_detection_limit`` (default: half the limit).
2. ``classify_samples(samples)``: one class per row. Samples: ``waterbody`` (``river``/``lake``) and item
   columns named by ``ITEM_CODES`` (Float64, mg/L, fecal coliforms per litre; null or absent = not
   measured). Adds ``class`` (``WATER_CLASS`` enum I…V, 劣V), ``main_pollutants`` (List[String]),
   ``exceedance`` (Struct, one multiple over class III per item; ``exceedance_pairs`` / ``exceedance_text``
   give a list or text) and reference-item classes ``tn_class``, ``fecal_coliform_class``.
3. ``period_values(samples, every="month"|"quarter"|"year")``: per ``monitoring_section`` and period, the
   mean of the valid results of each item (pH through [H+]); ``dry`` when no sample had water.
4. ``assess(samples, every=...)``: classified period values + ``meets_target``, the I-III shares under both
   dry-section rules (``Shares``) and the river/basin status (``BasinStatus``: class-share method with 5 or
   more evaluated sections, mean method otherwise).

Rules, as implemented
---------------------
* Routine items (2011 method): Table 1 items 2-8 and 10-23. TN (lakes/reservoirs only) and fecal coliforms
  are reference items: classified and reported, never in ``class``.
* pH 6-9 does not limit the class; outside 6-9 the row is 劣V. DO is a lower bound. TP uses river or
  lake/reservoir limits per row. Where adjacent classes share a limit the better class is given.
* Main pollutants: routine items worse than class III, at most three, worst class first, then the larger
  exceedance multiple (C - C_III) / C_III; pH and DO have no multiple and follow items of the same class
  that have one; remaining ties go by Table 1 order.
* Annual (quarterly, monthly) class = class of the period means, not the worst sample.
* Dry sections: excluded from the official I-III share; the plan's rule counts them as compliant
  (numerator and denominator). Both figures are always given. A dry section has no class and no
  ``meets_target`` (null); it never counts as 劣V.
* River/basin status: with 5 or more evaluated (not dry) sections the class-share method, otherwise the mean
  method (items averaged over the sections, then single-factor). The I-III = 60 % / 劣V = 40 % gap of the
  recalled rule is read as 中度污染. Both thresholds are in ``WaterRules``.

Choices not fixed by the sources read (see ../shared/reference/air-water-standards.md §4 and §6): the
detection-limit convention, the order of pH/DO among main pollutants, no minimum number of samples per
period, no rounding of period means before classification, DO class I by concentration only (not by 90 %
saturation).
"""

from envplan.standards.water.assess import (
    Assessment,
    BasinStatus,
    Shares,
    assess,
    basin_status,
    class_share_status,
    meets_target,
    section_shares,
)
from envplan.standards.water.classify import (
    classify_samples,
    exceedance_multiple,
    exceedance_pairs,
    exceedance_text,
    item_rank,
    rank_to_class,
)
from envplan.standards.water.limits import (
    CLASS_LABELS,
    ITEM_BY_CODE,
    ITEM_CODES,
    ITEMS,
    REFERENCE_CODES,
    ROUTINE_CODES,
    STATUS_BY_CLASS,
    WATER_CLASS,
    WATERBODY,
    Item,
)
from envplan.standards.water.periods import Every, period_values, ph_mean
from envplan.standards.water.rules import WaterRules
from envplan.standards.water.validate import (
    ERROR_SCHEMA,
    KNOWN_COLUMNS,
    ParsedSamples,
    UnreadableFile,
    parse_class_label,
    parse_samples,
    read_samples_csv,
    validate_samples,
)

__all__ = [
    "CLASS_LABELS",
    "ERROR_SCHEMA",
    "ITEMS",
    "ITEM_BY_CODE",
    "ITEM_CODES",
    "KNOWN_COLUMNS",
    "REFERENCE_CODES",
    "ROUTINE_CODES",
    "STATUS_BY_CLASS",
    "WATERBODY",
    "WATER_CLASS",
    "Assessment",
    "BasinStatus",
    "Every",
    "Item",
    "ParsedSamples",
    "Shares",
    "UnreadableFile",
    "WaterRules",
    "assess",
    "basin_status",
    "class_share_status",
    "classify_samples",
    "exceedance_multiple",
    "exceedance_pairs",
    "exceedance_text",
    "item_rank",
    "meets_target",
    "parse_class_label",
    "parse_samples",
    "period_values",
    "ph_mean",
    "rank_to_class",
    "read_samples_csv",
    "section_shares",
    "validate_samples",
]
