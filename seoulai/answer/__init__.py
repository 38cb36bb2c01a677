"""Grounded answers with checked citations."""
