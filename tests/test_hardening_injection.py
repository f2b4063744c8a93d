"""Formula-injection payloads that tests/test_model_spec.py does not already try: each exits 2
with one line naming the spec file and the formula's line, and nothing is executed."""
import json
import textwrap

import pytest

from conftest import REF

DATA = REF / "data" / "model_mtcars.csv"

PAYLOADS = [
    'mpg ~ eval("1")',
    "mpg ~ eval(\"__import__('os').system('touch {marker}')\")",
    "mpg ~ open('{marker}', 'w')",
    "mpg ~ (lambda x: x)(wt)",
    "mpg ~ (lambda: open('{marker}', 'w'))()",
    "mpg ~ wt + getattr(wt, '__class__')",
    "mpg ~ __builtins__",
    "mpg ~ wt + {{}}",
    "mpg ~ wt if True else hp",
    "mpg ~ wt\nimport os",
    "mpg ~ Q('wt')",
    "mpg ~ wt:__import__('os')",
    "mpg ~ np.exp(wt) + pd.DataFrame()",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_more_injection_payloads_exit_2_and_run_nothing(cli, tmp_path, payload):
    marker = tmp_path / "MARKER"
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(f"""\
        data: {DATA}
        models:
          - name: bad
            family: ols
            formula: {json.dumps(payload.format(marker=marker))}
        """), encoding="utf-8")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert f"{spec}, line 5" in lines[0]
    assert out == ""
    assert not marker.exists()


@pytest.mark.parametrize("field,value", [
    ("x", "__import__('os').system('touch {marker}')"),
    ("y", "open('{marker}', 'w')"),
    ("mediators", ["eval('1')"]),
])
def test_payloads_in_variable_fields_are_unknown_columns(cli, tmp_path, field, value):
    marker = tmp_path / "MARKER"
    value = json.loads(json.dumps(value).replace("{marker}", str(marker)))
    body = {"x": "wt", "y": "mpg", "mediators": ["hp"], field: value}
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {DATA}\nmodels:\n  - name: med\n    family: mediation\n"
                    + "".join(f"    {k}: {json.dumps(v)}\n" for k, v in body.items())
                    + "    bootstrap: {n: 10, seed: 1}\n", encoding="utf-8")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert str(spec) in lines[0]
    assert not marker.exists()
