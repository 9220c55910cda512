"""Enforcement: "double random, one public" inspections (双随机、一公开) with a verifiable draw, inspection
records written on site, the hazardous-waste management assessment, and rectification tasks to closure.

The draw itself is the pure package `envplan.draw` (method in docs/draw-method.md); this app holds the
registries, the records, the workflow and the pages around it.
"""
