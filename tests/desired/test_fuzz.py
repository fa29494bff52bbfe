"""Whatever a user writes, ``validate`` answers with problems, never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascsync.desired.model import Field
from ascsync.kinds.registry import FILES, validate_repo
from tests.desired.minirepo import make_repo

# One path per file kind (plus _defaults.yml), inside the baseline repo.
TARGETS = {
    "config": "ascsync.yml",
    "app": "apps/demo/app.yml",
    "age-rating": "apps/demo/age-rating.yml",
    "version": "apps/demo/version.yml",
    "locale": "apps/demo/locales/en-US.yml",
    "locale-defaults": "apps/demo/locales/_defaults.yml",
    "in-app-purchase": "apps/demo/in-app-purchases/com.example.demo.x.yml",
    "subscription-group": "apps/demo/subscriptions/group.yml",
    "beta-app": "apps/demo/testflight/beta-app.yml",
    "beta-group": "apps/demo/testflight/groups/group.yml",
}


def _all_keys(fields: tuple[Field, ...]) -> set[str]:
    keys = set()
    for f in fields:
        keys.add(f.key)
        keys |= _all_keys(f.fields)
    return keys


KEYS = sorted(set().union(*(_all_keys(k.fields) for k in FILES.values())))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["en-US", "IOS", "NONE", "ONE_MONTH", "https://x.y", "a@b.co", "all", "🎬" * 31]
    ),
    st.sampled_from(
        ["!env NOPE", "!file ../../../x", "!template x.j2", "!file /etc/passwd", "!weird 1"]
    ),
)
KEY = st.one_of(st.sampled_from(KEYS), st.text(max_size=10), st.sampled_from(["de-DE", "ja", "xx"]))
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEY, inner, max_size=6)),
    max_leaves=25,
)


def _to_yaml(value) -> str:
    """JSON is YAML; strings that look like our tags are emitted as real tags."""
    text = json.dumps(value, ensure_ascii=False)
    for tag in ("!env", "!file", "!template", "!weird"):
        text = text.replace(f'"{tag} ', f'{tag} "')
    return text + "\n"


def _validate_with(target: str, content: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_repo(Path(tmp), {TARGETS[target]: content})
        report = validate_repo(root)
        for problem in report.problems:
            problem.format(root)
            problem.to_json(root)


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(target=st.sampled_from(sorted(TARGETS)), value=STRUCTURES)
def test_random_structures_never_crash(target: str, value) -> None:
    _validate_with(target, _to_yaml(value))


@FUZZ
@given(
    target=st.sampled_from(sorted(TARGETS)),
    text=st.text(alphabet=": -[]{}!&*#|>'\"\n\t,?%@`abcNOE01é映\x00\x85", max_size=120),
)
def test_random_yaml_text_never_crashes(target: str, text: str) -> None:
    _validate_with(target, text)
