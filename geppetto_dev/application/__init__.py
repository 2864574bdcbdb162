"""The application object and what it owns: loading the project, the services it starts, and
an in-process client for tests."""

from __future__ import annotations

from geppetto_dev.application.geppetto_app import GeppettoApp
from geppetto_dev.application.services import Services
from geppetto_dev.application.testing import TestClient

__all__ = ["GeppettoApp", "Services", "TestClient"]
