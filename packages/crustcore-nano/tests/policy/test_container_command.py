"""The command a container tool runs inside the container (`policy.containers`)."""

from __future__ import annotations

import pytest
from crustcore_nano.policy.containers import container_command
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("line", "inner"),
    [
        ("docker run --rm alpine sh -c x", ("sh", "-c", "x")),
        (
            "docker run -it --rm -v /a:/b -e K=V -w /src python:3 python -m pytest",
            ("python", "-m", "pytest"),
        ),
        ("podman run --name=x --network host img nc h 1", ("nc", "h", "1")),
        ("docker --context prod container run -p 80:80 img id", ("id",)),
        ("docker exec -u root web env", ("env",)),
        ("nerdctl run -- img ls", ("ls",)),
        ("kubectl exec -n ns pod -- sh -c x", ("sh", "-c", "x")),
        ("docker run --rm alpine", None),
        ("docker build -t x .", None),
        ("docker ps -a", None),
        ("kubectl exec pod ls", None),
        ("kubectl get pods -- x", None),
        ("git status", None),
    ],
)
def test_inner_command(line: str, inner: tuple[str, ...] | None) -> None:
    assert container_command(line.split()) == inner


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["docker", "kubectl", "run", "exec", "--", "-v", "-it", "--rm", "x", "-e"]),
        max_size=40,
    )
)
def test_the_inner_command_is_a_tail_of_the_words(words: list[str]) -> None:
    inner = container_command(words)
    if inner is not None:
        assert inner and tuple(words[-len(inner) :]) == inner
