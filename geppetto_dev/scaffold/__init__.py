"""Scaffolding: the plan-then-apply engine, name rules, and the pieces users generate."""
