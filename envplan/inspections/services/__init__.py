"""Every write of the enforcement app: one transaction each, with its audit entry (envplan.core.services).

One module per concept: `registers` (supervision objects, ratios, items, inspectors, recusals, tasks),
`draws` (commit, draw, reveal, publish), `records`, `hazardous_waste`, `rectifications`, and `files` (the
photo and evidence checks they share).
"""
