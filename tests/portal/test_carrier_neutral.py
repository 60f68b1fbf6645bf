"""Nothing of the carrier whose public guides the portal was conceived from is in the code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = [
    "portal",
    "enrollment",
    "billing",
    "commissions",
    "brokers",
    "employers",
    "providers",
    "templates",
    "static",
]
# Names and addresses from ../shared/seeds that must never be hard-coded.
FORBIDDEN = [
    "health net",
    "healthnet",
    "centene",
    "brokersecureportal",
    "1-800-547-2967",
    "800-909-3447",
]


def test_no_real_carrier_is_hard_coded():
    offenders = []
    for folder in SOURCE_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if (
                path.suffix not in {".py", ".html", ".css", ".js", ".json", ".txt"}
                or "migrations" in path.parts
            ):
                continue
            text = path.read_text(errors="ignore").lower()
            offenders += [f"{path.relative_to(ROOT)}: {word}" for word in FORBIDDEN if word in text]
    assert not offenders


def test_the_carrier_comes_from_settings(client, db, settings):
    settings.CARRIER = {**settings.CARRIER, "name": "Juniper Mutual"}
    assert b"Juniper Mutual" in client.get("/accounts/login/").content
