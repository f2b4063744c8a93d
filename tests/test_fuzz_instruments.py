"""Fuzzing instrument files: whatever the YAML holds, loading either works or raises one
AvoidSurveyError with the file named; never another exception, never code run."""
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.instruments.loader import check_instrument_file, load_instrument

PROFILE = dict(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["", "likert", "zh", "en", "1.0", "a1", "✓", "\u202e", "\x00"]))
texts = st.one_of(st.dictionaries(st.sampled_from(["en", "zh", "fr", "EN", "x y"]), scalars, max_size=3), scalars)
item = st.fixed_dictionaries({"id": st.one_of(st.sampled_from(["a1", "a2", "b1", "1bad", ""]), scalars),
                              "text": texts},
                             optional={"reverse": scalars, "aliases": st.lists(scalars, max_size=2),
                                       "bogus": scalars, "response": st.one_of(st.sampled_from(["agree", "nope"]), scalars)})
response = st.fixed_dictionaries({"type": st.sampled_from(["likert", "numeric", "categorical", "nope", 5])},
                                 optional={"min": scalars, "max": scalars,
                                           "labels": st.dictionaries(st.one_of(st.integers(-2, 9), st.text(max_size=3)),
                                                                     texts, max_size=4)})
scale = st.fixed_dictionaries({"id": st.one_of(st.sampled_from(["s1", "s2", "a1"]), scalars), "label": texts},
                              optional={"items": st.lists(item, max_size=4), "facets": st.lists(
                                  st.fixed_dictionaries({"id": scalars, "label": texts},
                                                        optional={"items": st.lists(item, max_size=3)}), max_size=2),
                                  "response": st.one_of(response, scalars)})
instrument = st.fixed_dictionaries(
    {"id": st.one_of(st.just("fuzz"), scalars)},
    optional={"version": scalars, "title": texts, "response": st.one_of(response, scalars),
              "response_formats": st.dictionaries(st.sampled_from(["agree", "freq"]), response, max_size=2),
              "scales": st.one_of(st.lists(scale, max_size=3), scalars),
              "attention_checks": st.lists(st.fixed_dictionaries({"id": scalars, "text": texts, "expected": scalars}), max_size=2),
              "include": st.lists(st.sampled_from(["nope-id", "../x.yaml", "/dev/null"]), max_size=1),
              "unknown_top": scalars})


def _expect_clean(path):
    try:
        load_instrument(path)
    except AvoidSurveyError as exc:
        line = exc.one_line()
        assert "\n" not in line and str(path) in line
    findings = check_instrument_file(path)
    assert all(f.code and f.severity in ("error", "warning", "info") for f in findings)


@settings(**PROFILE)
@given(doc=instrument)
def test_structured_instruments(tmp_path_factory, doc):
    p = tmp_path_factory.mktemp("fz") / "inst.yaml"
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return
    p.write_text(text, encoding="utf-8")
    _expect_clean(p)


@settings(**PROFILE)
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes(tmp_path_factory, raw):
    p = tmp_path_factory.mktemp("fz") / "raw.yaml"
    p.write_bytes(raw)
    _expect_clean(p)


def test_python_tags_never_run(tmp_path):
    marker = tmp_path / "ran"
    for payload in [f"id: !!python/object/apply:os.system ['touch {marker}']",
                    f"id: x\nversion: !!python/object/new:os.system ['touch {marker}']",
                    "id: !!python/name:os.system", f"!!python/object/apply:subprocess.call [['touch', '{marker}']]"]:
        p = tmp_path / "evil.yaml"
        p.write_text(payload)
        try:
            load_instrument(p)
        except AvoidSurveyError as exc:
            assert "not allowed" in exc.one_line()
        assert not marker.exists()
