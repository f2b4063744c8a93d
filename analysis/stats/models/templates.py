"""Where a spec comes from: a YAML file, or a bundled template (analysis/templates/*.yaml)
run on a response file given separately."""
from __future__ import annotations

from pathlib import Path

from ...core.errors import AvoidSurveyError

__all__ = ["TEMPLATE_DIR", "template_names", "template_path", "template_titles", "resolve_spec_source"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


def template_names() -> list[str]:
    """Names of the bundled spec templates."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


def template_path(name: str) -> Path:
    """Path of a bundled template; AvoidSurveyError listing the names when unknown."""
    names = template_names()
    if name not in names:
        raise AvoidSurveyError(f"unknown template '{name}' (bundled: {', '.join(names) or 'none'})")
    return TEMPLATE_DIR / f"{name}.yaml"


def template_titles() -> list[tuple[str, str]]:
    """(name, title) of every bundled template; the English title where the file has both."""
    from ...core.i18n import text_in
    from ...core.yamlsafe import load_yaml
    out = []
    for n in template_names():
        doc = load_yaml(TEMPLATE_DIR / f"{n}.yaml")
        title = doc.data.get("title") if isinstance(doc.data, dict) else None
        out.append((n, text_in(title, "en") if isinstance(title, dict) else (title or "")))
    return out


def _data_file(data) -> Path:
    path = Path(data)
    if not path.exists():
        raise AvoidSurveyError("data file not found", file=path)
    return path


def resolve_spec_source(spec, template, data):
    """(LoadedSpec, base_dir, spec file) for a spec file or a template name, with an optional
    response file replacing the spec's ``data:`` (a template needs one)."""
    from .spec import load_spec
    if template is not None:
        if data is None:
            raise AvoidSurveyError(f"--template {template} needs --data FILE (the response file)")
        path = template_path(template)
        dpath = _data_file(data)
        base = dpath.resolve().parent
        return load_spec(path, base_dir=base, data_override=str(dpath.resolve())), base, path
    path = Path(spec)
    override = str(_data_file(data).resolve()) if data is not None else None
    loaded = load_spec(path, data_override=override)
    return loaded, loaded.base_dir, path
