"""Sanctuary: NHS navigation for people seeking asylum and refugees in England."""

__version__ = "0.1.0"
