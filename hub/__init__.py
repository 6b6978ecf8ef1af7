"""Advocate Hub: the project package and the site-wide core every feature app builds on."""
