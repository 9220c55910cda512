"""The draw method: canonical pool, seed, ranking, apportionment, and what verification compares."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envplan.draw import (
    DrawError,
    DrawMethod,
    Pool,
    apportion,
    differences,
    draw,
    parse_seed,
    published_draw,
    rank_key,
)

SEED = bytes(range(16))
OTHER_SEED = bytes(range(15)) + b"\x10"  # the last byte changed
IDS = [f"E{number:03d}" for number in range(50)]


def strata_of(identifier: str) -> str:
    return ("key", "general", "general", "special")[int(identifier[1:]) % 4]


def test_pool_canonical_form_is_sorted_lines_with_strata():
    pool = Pool.of([("E2", "key"), ("E10", "general"), ("E1", "key")], strata_column="category")

    assert pool.canonical() == b"E1\tkey\nE10\tgeneral\nE2\tkey\n"
    assert pool.sha256() == hashlib.sha256(b"E1\tkey\nE10\tgeneral\nE2\tkey\n").hexdigest()


def test_pool_canonical_form_without_strata_is_ids_only():
    pool = Pool.of([("B", "ignored"), ("A", "ignored")])

    assert pool.canonical() == b"A\nB\n"


def test_pool_ids_are_nfc_and_stripped():
    decomposed = unicodedata.normalize("NFD", " Café-01 ")

    pool = Pool.of([(decomposed, "")])

    assert pool.ids == ("Café-01",)
    assert pool.canonical() == "Café-01\n".encode()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param([], "the pool is empty", id="empty"),
        pytest.param([("E1", ""), (" E1", "")], "id 'E1' appears twice", id="duplicate"),
        pytest.param(
            [("Café", ""), (unicodedata.normalize("NFD", "Café"), "")],
            "id 'Café' appears twice",
            id="duplicate-after-nfc",
        ),
        pytest.param([("  ", "")], "id of entry 1: empty", id="blank-id"),
        pytest.param([("E\t1", "")], "id of entry 1: 'E\\t1' holds a tab or a line break", id="tab"),
    ],
)
def test_pool_refuses_bad_entries(rows: list[tuple[str, str]], message: str):
    with pytest.raises(DrawError) as caught:
        Pool.of(rows)

    assert str(caught.value) == message


def test_pool_refuses_an_empty_stratum():
    with pytest.raises(DrawError) as caught:
        Pool.of([("E1", " ")], strata_column="category")

    assert str(caught.value) == "stratum of E1: empty"


@pytest.mark.parametrize(
    ("text", "seed"),
    [
        ("000102030405060708090a0b0c0d0e0f", SEED),
        ("000102030405060708090A0B0C0D0E0F", SEED),
        (" 000102030405060708090a0b0c0d0e0f\n", SEED),
    ],
)
def test_parse_seed_reads_hex_in_either_case(text: str, seed: bytes):
    assert parse_seed(text) == seed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("00" * 15, "the seed has 15 bytes; at least 16 are needed"),
        ("0" * 33, "the seed is written as hexadecimal digits, two per byte"),
        ("zz" * 16, "the seed is written as hexadecimal digits, two per byte"),
        ("", "the seed is written as hexadecimal digits, two per byte"),
    ],
)
def test_parse_seed_refuses_short_or_malformed_seeds(text: str, message: str):
    with pytest.raises(DrawError) as caught:
        parse_seed(text)

    assert str(caught.value).startswith(message)


def test_rank_key_is_hmac_sha256_of_the_utf8_id():
    assert rank_key(SEED, "昆区-01") == hmac.new(SEED, "昆区-01".encode(), hashlib.sha256).digest()


def test_draw_takes_the_first_ids_in_hmac_order():
    pool = Pool.of([(identifier, "") for identifier in IDS])

    result = draw(pool, SEED, DrawMethod(count=5))

    by_hmac = sorted(IDS, key=lambda identifier: hmac.new(SEED, identifier.encode(), hashlib.sha256).digest())
    assert result.selected == tuple(by_hmac[:5])
    assert result.seed_sha256 == hashlib.sha256(SEED).hexdigest()


def test_draw_same_pool_in_another_order_gives_the_same_draw():
    forward = Pool.of([(identifier, strata_of(identifier)) for identifier in IDS], strata_column="c")
    backward = Pool.of(
        [(identifier, strata_of(identifier)) for identifier in reversed(IDS)], strata_column="c"
    )

    assert draw(forward, SEED, DrawMethod(count=9, strata="c")) == draw(
        backward, SEED, DrawMethod(count=9, strata="c")
    )


def test_draw_one_changed_seed_byte_gives_another_draw():
    pool = Pool.of([(identifier, "") for identifier in IDS])

    first, second = (draw(pool, seed, DrawMethod(count=10)) for seed in (SEED, OTHER_SEED))

    assert first.selected != second.selected
    assert first.pool_sha256 == second.pool_sha256
    assert first.seed_sha256 != second.seed_sha256


def test_draw_strata_come_in_name_order_each_in_rank_order():
    pool = Pool.of([(identifier, strata_of(identifier)) for identifier in IDS], strata_column="c")

    result = draw(pool, SEED, DrawMethod(per_stratum=2, strata="c"))

    expected = []
    for stratum in ("general", "key", "special"):
        members = [identifier for identifier in IDS if strata_of(identifier) == stratum]
        expected += sorted(members, key=lambda identifier: rank_key(SEED, identifier))[:2]
    assert result.selected == tuple(expected)
    assert result.quotas == {"general": 2, "key": 2, "special": 2}


def test_draw_per_stratum_takes_all_of_a_smaller_stratum():
    pool = Pool.of([("A1", "a"), ("A2", "a"), ("A3", "a"), ("B1", "b")], strata_column="c")

    result = draw(pool, SEED, DrawMethod(per_stratum=2, strata="c"))

    first_two_of_a = sorted(["A1", "A2", "A3"], key=lambda identifier: rank_key(SEED, identifier))[:2]
    assert result.quotas == {"a": 2, "b": 1}
    assert result.selected == (*first_two_of_a, "B1")


@pytest.mark.parametrize(
    ("method", "message"),
    [
        (DrawMethod(count=51), "count 51 is larger than the pool (50 ids)"),
        (DrawMethod(count=0), "the count is a whole number, 1 or more"),
        (DrawMethod(per_stratum=2), "a count per stratum needs a strata column"),
        (DrawMethod(), "give either a total count or a count per stratum"),
        (DrawMethod(count=2, per_stratum=2), "give either a total count or a count per stratum"),
        (DrawMethod(count=2, strata="c"), "the method's strata column is not the pool's"),
    ],
)
def test_draw_refuses_impossible_counts(method: DrawMethod, message: str):
    pool = Pool.of([(identifier, "") for identifier in IDS])

    with pytest.raises(DrawError) as caught:
        draw(pool, SEED, method)

    assert str(caught.value) == message


def test_draw_whole_pool_when_count_equals_its_size():
    pool = Pool.of([(identifier, "") for identifier in IDS])

    assert sorted(draw(pool, SEED, DrawMethod(count=50)).selected) == IDS


@pytest.mark.parametrize(
    ("sizes", "total", "quotas"),
    [
        ({"general": 4, "key": 2, "special": 1}, 3, {"general": 2, "key": 1, "special": 0}),
        ({"a": 1, "b": 1}, 1, {"a": 1, "b": 0}),
        ({"b": 1, "a": 1}, 1, {"a": 1, "b": 0}),
        ({"a": 3, "b": 3, "c": 3}, 4, {"a": 2, "b": 1, "c": 1}),
        ({"a": 10, "b": 30}, 8, {"a": 2, "b": 6}),
        ({"a": 5, "b": 2}, 7, {"a": 5, "b": 2}),
    ],
)
def test_apportion_largest_remainder_ties_by_name(sizes: dict[str, int], total: int, quotas: dict[str, int]):
    assert apportion(sizes, total) == quotas


@given(
    sizes=st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 40), min_size=1),
    share=st.floats(0, 1),
)
def test_apportion_sums_to_total_within_one_of_the_exact_share(sizes: dict[str, int], share: float):
    pool_size = sum(sizes.values())
    total = round(share * pool_size)

    quotas = apportion(sizes, total)

    assert sum(quotas.values()) == total
    for name, size in sizes.items():
        exact = total * size / pool_size
        assert exact - 1 < quotas[name] < exact + 1
        assert quotas[name] <= size


@given(
    members=st.lists(
        st.tuples(st.text("AB卡é0-", min_size=1, max_size=6), st.sampled_from(["x", "y", "z"])),
        min_size=1,
        max_size=40,
        unique_by=lambda member: unicodedata.normalize("NFC", member[0]).strip(),
    ),
    share=st.floats(0.01, 1),
    seed=st.binary(min_size=16, max_size=32),
)
def test_draw_never_repeats_an_id_and_respects_strata(
    members: list[tuple[str, str]], share: float, seed: bytes
):
    pool = Pool.of(members, strata_column="c")
    count = max(1, round(share * len(pool.entries)))

    result = draw(pool, seed, DrawMethod(count=count, strata="c"))

    assert len(set(result.selected)) == len(result.selected) == count
    stratum_of = dict(pool.entries)
    drawn_per_stratum = {name: 0 for name in result.quotas}
    for identifier in result.selected:
        drawn_per_stratum[stratum_of[identifier]] += 1
    assert drawn_per_stratum == result.quotas


def test_differences_empty_when_reproduced_and_precise_when_not():
    pool = Pool.of([(identifier, "") for identifier in IDS])
    made = draw(pool, SEED, DrawMethod(count=4))
    document = made.as_json()
    method, checked = published_draw(document)
    tampered = {
        **document,
        "selected": [made.selected[0], made.selected[2], made.selected[1], made.selected[3]],
    }

    assert method == DrawMethod(count=4)
    assert differences(checked, draw(pool, SEED, method)) == []
    assert differences(checked, draw(pool, OTHER_SEED, method))[0] == (
        "seed_sha256: the seed given is not the committed one"
    )
    assert differences(tampered, made) == [
        f"selected: position 2 is {made.selected[2]!r}; the method gives {made.selected[1]!r}"
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object"),
        ({"seed_sha256": "", "method": {}, "selected": []}, "pool_sha256: missing"),
        (
            {"pool_sha256": "", "seed_sha256": "", "method": {"name": "other"}, "selected": []},
            "method.name: 'other' is not 'envplan-draw-1', the method this verifies",
        ),
        (
            {"pool_sha256": "", "seed_sha256": "", "method": {"name": "envplan-draw-1"}, "selected": [1]},
            "selected: expected a list of ids",
        ),
        (
            {
                "pool_sha256": "",
                "seed_sha256": "",
                "method": {"name": "envplan-draw-1", "count": "3"},
                "selected": [],
            },
            "method.count: expected a whole number or null",
        ),
    ],
)
def test_published_draw_refuses_malformed_documents(document: object, message: str):
    with pytest.raises(DrawError) as caught:
        published_draw(document)

    assert str(caught.value) == message
