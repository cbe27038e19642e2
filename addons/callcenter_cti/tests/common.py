import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def fixtures_dir():
    """``../shared/fixtures/ami`` beside the project's root (CALLCENTER_FIXTURES overrides it)."""
    default = os.path.join(_HERE, "..", "..", "..", "..", "shared", "fixtures", "ami")
    return os.path.normpath(os.environ.get("CALLCENTER_FIXTURES", default))


def fixture_path(name):
    return os.path.join(fixtures_dir(), name)
