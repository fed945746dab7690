"""The local signing secret (.local/ledger-signing-key): whole and private, never read half-written."""

import stat

import pytest

from erp.exceptions import RuleViolation
from ledger.proof.signing import SIGNING_KEY_ENV, signing_secret


@pytest.fixture
def local_dir(settings, tmp_path, monkeypatch):
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    settings.BASE_DIR = tmp_path
    settings.PRODUCTION = False
    return tmp_path / ".local"


def test_the_first_use_creates_a_private_32_byte_secret_and_keeps_it(local_dir):
    secret = signing_secret()
    path = local_dir / "ledger-signing-key"
    assert len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_secret() == secret
    assert [p.name for p in local_dir.iterdir()] == ["ledger-signing-key"]  # no temporary file left


@pytest.mark.parametrize("content", ["", "abcd\n", "zz" * 32])
def test_an_empty_or_damaged_file_is_refused_not_used_as_a_key(local_dir, content):
    # An empty file is what a concurrent first run left before it wrote the secret: reading it as b""
    # would derive every entity's key from an empty, public secret.
    local_dir.mkdir()
    (local_dir / "ledger-signing-key").write_text(content)
    with pytest.raises(RuleViolation) as refused:
        signing_secret()
    assert refused.value.code == "ledger_signing_key_invalid"
    assert (local_dir / "ledger-signing-key").read_text() == content  # never overwritten
