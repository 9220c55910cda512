"""The air app: monitoring stations, hourly imports into the lake, daily evaluation, air pages."""
