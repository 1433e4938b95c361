"""RFC 6238 appendix B test vectors, and the verify() rules."""

import pytest

from claims.security import totp

# RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the key size.
SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890" * 6 + b"1234"

VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_totp_matches_rfc_6238_vectors(at, sha1, sha256, sha512):
    assert totp.totp(SHA1_KEY, at, digits=8) == sha1
    assert totp.totp(SHA256_KEY, at, digits=8, digest="sha256") == sha256
    assert totp.totp(SHA512_KEY, at, digits=8, digest="sha512") == sha512


def test_hotp_matches_rfc_4226_appendix_d():
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [totp.hotp(SHA1_KEY, i) for i in range(5)] == expected


def _secret():
    import base64

    return base64.b32encode(SHA1_KEY).decode()


def test_verify_accepts_current_and_adjacent_step():
    # At t=59 (step 1) the 6-digit SHA-1 code is the last 6 digits of 94287082.
    assert totp.verify(_secret(), "287082", at=59) == 1
    assert totp.verify(_secret(), "287082", at=89) == 1  # one step late
    assert totp.verify(_secret(), "287082", at=150) is None  # three steps late


def test_verify_refuses_replay_and_garbage():
    assert totp.verify(_secret(), "287082", at=59, last_step=1) is None
    assert totp.verify(_secret(), "28708", at=59) is None
    assert totp.verify(_secret(), "abcdef", at=59) is None
    assert totp.verify(_secret(), "287 082", at=59) == 1


def test_secret_roundtrip_and_uri():
    secret = totp.random_secret()
    assert len(totp.secret_bytes(secret)) == 20
    assert totp.secret_bytes(secret.lower()) == totp.secret_bytes(secret)
    uri = totp.provisioning_uri(secret, account="alice", issuer="Recouvrement")
    assert uri.startswith("otpauth://totp/Recouvrement%3Aalice?secret=" + secret)
    assert "issuer=Recouvrement" in uri
