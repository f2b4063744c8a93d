"""The replication package of ``avoid-survey model --out DIR``: every table (md, csv, html),
results.json and the resolved spec with the SHA-256 hash of every input file."""
from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from ..core.errors import AvoidSurveyError

__all__ = ["write_package", "sha256_file"]


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    for m in sp.models:   # a family: sem model's syntax file
        if m.family == "sem" and m.syntax and "\n" not in m.syntax and loaded.resolve(m.syntax).is_file():
            add(f"syntax ({m.name})", m.syntax)
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


def write_package(out, result, loaded, spec_file, lang, decimals, force, *, dumps_json):
    """Write the replication package into ``out`` (refuses a non-empty folder without force).

    ``result`` is the ModelsResult of ``loaded`` (the LoadedSpec read from ``spec_file``);
    ``dumps_json`` the JSON writer of ``--format json``, so results.json is what the command prints.
    """
    import yaml

    from ..io.output import write_atomic
    from ..render import render_text

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
    raw["models"] = list(raw.get("models") or [])
    for k, m in enumerate(sp.models):   # syntax files and instruments given as files, made absolute too
        rm = raw["models"][k] = dict(raw["models"][k])
        if m.family == "sem" and m.syntax and "\n" not in m.syntax and loaded.resolve(m.syntax).is_file():
            rm["syntax"] = str(loaded.resolve(m.syntax))
    if sp.instrument and loaded.resolve(sp.instrument).is_file():
        raw["instrument"] = str(loaded.resolve(sp.instrument))
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
    if any(m.family == "sem" for m in result.models):   # the path diagram of each SEM
        from ..render.sem_diagram import spec_figures
        spec_figures(result, out / "sem_paths.png", lang=lang, force=True)
    return out
