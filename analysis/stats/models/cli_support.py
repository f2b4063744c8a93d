"""Helpers of the ``model`` command: spec source (file or bundled template), star levels,
and the replication package written by ``--out DIR``."""
from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from ...core.errors import AvoidSurveyError

__all__ = ["parse_stars", "resolve_spec_source", "write_package", "list_template_text", "sha256_file"]


def parse_stars(text: str) -> tuple:
    """'.05,.01,.001' -> (0.05, 0.01, 0.001); up to three decreasing levels in (0, 1)."""
    try:
        vals = tuple(float(x) for x in str(text).split(",") if x.strip())
    except ValueError:
        raise AvoidSurveyError(f"--stars takes comma-separated numbers such as .05,.01,.001, not {text!r}") from None
    if not 1 <= len(vals) <= 3 or any(not 0 < v < 1 for v in vals) or list(vals) != sorted(vals, reverse=True):
        raise AvoidSurveyError("--stars takes one to three decreasing levels between 0 and 1, e.g. .05,.01,.001")
    return vals


def resolve_spec_source(spec, template, data):
    """(LoadedSpec, base_dir, spec file) for --spec FILE or --template NAME, with --data."""
    from . import template_path
    from .spec import load_spec
    if template is not None:
        if data is None:
            raise AvoidSurveyError(f"--template {template} needs --data FILE (the response file)")
        path = template_path(template)
        dpath = Path(data)
        if not dpath.exists():
            raise AvoidSurveyError("data file not found", file=dpath)
        base = dpath.resolve().parent
        return load_spec(path, base_dir=base, data_override=str(dpath.resolve())), base, path
    path = Path(spec)
    override = None
    if data is not None:
        if not Path(data).exists():
            raise AvoidSurveyError("data file not found", file=data)
        override = str(Path(data).resolve())
    loaded = load_spec(path, data_override=override)
    return loaded, loaded.base_dir, path


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_template_text() -> str:
    from . import TEMPLATE_DIR, template_names
    from ...core.yamlsafe import load_yaml
    lines = []
    for n in template_names():
        doc = load_yaml(TEMPLATE_DIR / f"{n}.yaml")
        title = doc.data.get("title") if isinstance(doc.data, dict) else None
        if isinstance(title, dict):
            title = title.get("en") or title.get("zh")
        lines.append(f"{n}\t{title or ''}")
    return "\n".join(lines)


def _files_of(loaded, result_spec):
    """Every input file the spec read: data, unit files, instrument files."""
    sp = loaded.spec
    files = []

    def add(role, ref):
        if ref is None:
            return
        p = loaded.resolve(ref)
        if p.exists() and p.is_file():
            files.append({"role": role, "path": str(p), "bytes": p.stat().st_size, "sha256": sha256_file(p)})

    add("data", sp.data)
    if sp.units:
        add("units", sp.units.file)
    for m in sp.models:
        add(f"data ({m.name})", m.data)
        if m.units:
            add(f"units ({m.name})", m.units.file)
    for ref in [sp.instrument] + [m.instrument for m in sp.models]:
        if ref is None:
            continue
        p = loaded.resolve(ref)
        if p.exists() and p.is_file():
            add("instrument", ref)
        else:
            try:
                from avoid_survey.instruments import load_instrument
                inst = load_instrument(ref)
                if inst.source and Path(inst.source).exists():
                    files.append({"role": f"instrument {inst.id} {inst.version} (bundled)", "path": inst.source,
                                  "bytes": Path(inst.source).stat().st_size, "sha256": sha256_file(inst.source)})
            except AvoidSurveyError:
                pass
    seen, out = set(), []
    for f in files:
        if (f["role"], f["path"]) not in seen:
            seen.add((f["role"], f["path"]))
            out.append(f)
    return out


def write_package(out, result, loaded, spec_file, lang, decimals, force):
    """Write the replication package into ``out`` (refuses a non-empty folder without force)."""
    import yaml

    from ...io.output import write_atomic
    from ...render import render_text
    from avoid_survey.cli.common import dumps_json

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise AvoidSurveyError("--out must be a folder, and a file of that name exists", file=out)
    if out.exists() and any(out.iterdir()) and not force:
        raise AvoidSurveyError("--out folder exists and is not empty; pass --force to write into it", file=out)
    out.mkdir(parents=True, exist_ok=True)
    tables = result.to_tables(lang)
    write_atomic(out / "models.md", render_text(tables, "md", lang, decimals), force)
    write_atomic(out / "models.csv", render_text(tables, "csv", lang, decimals), force, encoding="utf-8-sig")
    write_atomic(out / "models.html", render_text(tables, "html", lang, decimals), force)
    write_atomic(out / "results.json", dumps_json(result.to_dict()) + "\n", force)
    raw = dict(loaded.raw)
    raw.pop("replication", None)
    sp = loaded.spec
    # paths made absolute so the resolved spec runs from anywhere
    if sp.data:
        raw["data"] = str(loaded.resolve(sp.data))
    if sp.units:
        raw["units"] = {"file": str(loaded.resolve(sp.units.file)), "key": sp.units.key}
    from importlib.metadata import PackageNotFoundError, version
    try:
        ver = version("avoid-survey")
    except PackageNotFoundError:  # pragma: no cover
        ver = "unknown"
    raw["replication"] = {"spec_file": str(spec_file) if spec_file else None,
                          "spec_sha256": sha256_file(spec_file) if spec_file and Path(spec_file).exists() else None,
                          "avoid_survey": ver, "python": platform.python_version(),
                          "files": _files_of(loaded, result.spec)}
    text = ("# Resolved model spec written by `avoid-survey model --out`; rerun with\n"
            "#   avoid-survey model --spec spec.resolved.yaml\n"
            "# and compare the data files against the SHA-256 hashes under 'replication'.\n")
    text += yaml.safe_dump(json.loads(dumps_json(raw)), allow_unicode=True, sort_keys=False)
    write_atomic(out / "spec.resolved.yaml", text, force)
    return out
