"""Fixtures written by tests/python-bridge.test.js (S2S_FIXTURES) and where Python's results go
for Node to check (S2S_OUT). Tests that need them skip without them (the Node test refuses a skip)."""

import json
import os
import pathlib

import pytest


def _dir(var):
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} is not set: run the Python tests through `node --test tests/python-bridge.test.js`")
    return pathlib.Path(value)


@pytest.fixture(scope="session")
def fixtures():
    return _dir("S2S_FIXTURES")


@pytest.fixture(scope="session")
def out_dir():
    return _dir("S2S_OUT")


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
