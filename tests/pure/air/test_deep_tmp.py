from hypothesis import given, settings, strategies as st
from tests.pure.air.test_air_kernel import rows, _frame, _compare

@settings(max_examples=2500, deadline=None)
@given(data=st.lists(rows, min_size=1, max_size=60), edition=st.sampled_from(["auto", "HJ633-2012", "HJ633-2026"]), missing=st.sampled_from(["available", "blank"]))
def test_deep(data, edition, missing):
    ours, expected = _compare(_frame(data), edition, missing)
    assert ours.to_dicts() == expected.to_dicts()
