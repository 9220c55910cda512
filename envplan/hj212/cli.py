"""``envplan hj212 check | simulate | serve-standalone``: the pure handlers (arguments in
``envplan/commands/hj212.py``; ``serve`` and ``rejected`` need Django: ``envplan.sources.command``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from envplan.commandline import Streams
from envplan.hj212.crc import VARIANTS, CrcKind, variant_from_name
from envplan.hj212.frame import FIELD_MAX_SEGMENT
from envplan.hj212.limits import RESERVE, connection_limit, raise_descriptor_limit
from envplan.hj212.receiver import (
    Device,
    ReceiverConfig,
    ReceiverService,
    ServeOptions,
    StaticRegistry,
    UnknownDevicePolicy,
    run_event_loop,
)
from envplan.hj212.segment import DataSegment, detect_edition
from envplan.hj212.tolerance import judge

__all__ = ["check", "check_line", "run_event_loop", "serve_option_error", "serve_standalone", "simulate"]


def serve_option_error(args: argparse.Namespace) -> str | None:
    if not args.rotate_seconds > 0:
        return f"--rotate-seconds must be positive, not {args.rotate_seconds}"
    if args.max_connections is not None and args.max_connections < 1:
        return f"--max-connections must be at least 1, not {args.max_connections}"
    if args.metrics_port is not None and not 0 <= args.metrics_port <= 65535:
        return f"--metrics-port {args.metrics_port} is not a TCP port"
    return None


def check(args: argparse.Namespace, streams: Streams) -> int:
    return _check(
        Path(args.file),
        accept_variants=args.accept_crc_variants,
        strict=args.strict,
        out=streams.stdout,
        err=streams.stderr,
    )


def simulate(args: argparse.Namespace, streams: Streams) -> int:
    return _simulate(args, out=streams.stdout, err=streams.stderr)


def serve_standalone(args: argparse.Namespace, streams: Streams) -> int:
    return _serve(args, out=streams.stdout, err=streams.stderr)


# ---------------------------------------------------------------------------------------------- check


def _values(segment: DataSegment) -> dict[str, dict[str, object]]:
    values: dict[str, dict[str, object]] = {}
    for factor, record in segment.cp.factors.items():
        fields: dict[str, object] = dict(record.values)
        texts = (("Flag", record.flag), ("EFlag", record.eflag), ("SampleTime", record.sample_time))
        for name, text in texts:
            if text is not None:
                fields[name] = text
        fields.update(record.text)
        values[factor] = fields
    return values


def check_line(text: bytes, *, accept_variants: bool, strict: bool = False) -> dict[str, object]:
    """The ``check`` verdict for one frame (without the line number): the receiver's verdict
    (:func:`envplan.hj212.tolerance.judge`) for a device configured with every CRC variant
    (``accept_variants``) or none, strict or not."""
    result: dict[str, object] = {
        "ok": False,
        "error": None,
        "crc": CrcKind.INVALID.value,
        "edition": None,
        "qn": None,
        "st": None,
        "cn": None,
        "mn": None,
        "flag": None,
        "datatime": None,
        "values": {},
        "warnings": [],
        "variants": [],
    }
    verdict = judge(text, crc_variants=VARIANTS if accept_variants else frozenset(), strict=strict)
    frame, segment = verdict.frame, verdict.segment
    result["error"] = None if verdict.error is None else str(verdict.error)
    if frame is None:
        return result
    result["crc"] = frame.crc.value
    result["variants"] = list(verdict.variants)
    if segment is None:
        return result
    header = segment.header
    edition, _basis = detect_edition(segment)
    result.update(
        edition=edition.value if edition else None,
        qn=header.qn,
        st=header.st,
        cn=header.cn,
        mn=header.mn,
        flag=header.flag.value if header.flag else None,
        datatime=segment.cp.params.get("DataTime"),
        values=_values(segment),
        warnings=list(segment.warnings),
    )
    result["ok"] = verdict.ok
    return result


def _check(path: Path, *, accept_variants: bool, strict: bool, out: TextIO, err: TextIO) -> int:
    """0: every frame ok; 1: some frame failed; 2: the file cannot be read as lines of frames."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.write(f"envplan hj212 check: cannot read {path}: {exc.strerror or exc}\n")
        return 2
    if b"\0" in data:
        # Frames are ASCII/UTF-8 text (HJ 212-2017 §6.3): NUL bytes mean another kind of file (a landing
        # log, an archive), and judging its "lines" would only print noise.
        where = data.count(b"\n", 0, data.index(b"\0")) + 1
        err.write(
            f"envplan hj212 check: {path}: line {where}: binary data (NUL byte), not frames one per line\n"
        )
        return 2
    failed: list[int] = []
    total = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        text = line.rstrip(b"\r")
        if not text.strip() or (text.startswith(b"#") and not text.startswith(b"##")):
            continue
        verdict = {"line": number, **check_line(text, accept_variants=accept_variants, strict=strict)}
        total += 1
        if not verdict["ok"]:
            failed.append(number)
        out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
    if failed:
        shown = ", ".join(str(n) for n in failed[:10]) + (", ..." if len(failed) > 10 else "")
        err.write(f"envplan hj212 check: {path}: {len(failed)} of {total} frames failed (lines {shown})\n")
        return 1
    return 0


# ------------------------------------------------------------------------------------------- simulate


def _simulate(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from envplan.hj212.simulator import simulate

    if args.devices < 1 or args.rate <= 0 or args.duration <= 0:
        err.write("envplan hj212 simulate: --devices, --rate and --duration must be positive\n")
        return 2
    raise_descriptor_limit(args.devices + RESERVE)
    run = simulate(
        args.host, args.port, devices=args.devices, rate=args.rate, duration=args.duration, grace=args.grace
    )
    result = run_event_loop(run)
    if result.connected < result.devices:
        err.write(
            f"envplan hj212 simulate: only {result.connected} of {result.devices} devices could connect "
            f"to {args.host}:{args.port}\n"
        )
    if args.json:
        out.write(json.dumps(result.as_dict()) + "\n")
    else:
        out.write(result.as_text())
    clean = result.unanswered == 0 and result.bad_replies == 0 and result.connected == result.devices
    return 0 if clean else 1


# -------------------------------------------------------------------------------------- serve-standalone


def load_registry(path: Path) -> dict[str, Device]:
    """``{"<MN>": {"password": str|null, "crc_variants": [names], "strict": bool}}`` -> devices."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("the registry must be a JSON object keyed by MN")
    devices: dict[str, Device] = {}
    for mn, entry in raw.items():
        if not isinstance(entry, dict):
            raise ValueError(f"device {mn}: entry must be an object")
        password = entry.get("password")
        if password is not None and not isinstance(password, str):
            raise ValueError(f"device {mn}: field password must be a string or null")
        variants = entry.get("crc_variants", [])
        if not isinstance(variants, list):
            raise ValueError(f"device {mn}: field crc_variants must be a list")
        strict = entry.get("strict", False)
        if not isinstance(strict, bool):
            raise ValueError(f"device {mn}: field strict must be true or false")
        devices[mn] = Device(
            mn=mn,
            password=password,
            crc_variants=frozenset(variant_from_name(str(v)) for v in variants),
            strict=strict,
        )
    return devices


def _serve(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    if not 0 < args.max_segment <= FIELD_MAX_SEGMENT:
        err.write(f"envplan hj212 serve-standalone: --max-segment must be 1..{FIELD_MAX_SEGMENT}\n")
        return 2
    problem = serve_option_error(args)
    if problem is not None:
        err.write(f"envplan hj212 serve-standalone: {problem}\n")
        return 2
    registry: dict[str, Device] = {}
    if args.devices_json:
        try:
            registry = load_registry(Path(args.devices_json))
        except (OSError, ValueError) as exc:
            err.write(f"envplan hj212 serve-standalone: {args.devices_json}: {exc}\n")
            return 2
    max_connections, limits = connection_limit(args.max_connections)
    options = ServeOptions(
        host=args.host,
        port=args.port,
        landing=Path(args.landing),
        prefix="landing",
        policy=UnknownDevicePolicy.QUARANTINE if args.accept_unknown_devices else UnknownDevicePolicy.REFUSE,
        config=ReceiverConfig(
            idle_timeout=args.idle_timeout,
            frames_per_second=args.frames_per_second,
            max_segment=args.max_segment,
            max_connections=max_connections,
            strict=args.strict,
        ),
        rotate_seconds=args.rotate_seconds,
        refresh=0,  # nothing to reload, nowhere to report to but --stats-json
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
    )
    try:
        service = ReceiverService(StaticRegistry(registry), options)
    except OSError as exc:
        err.write(f"envplan hj212 serve-standalone: landing directory {args.landing}: {exc.strerror}\n")
        return 2
    try:
        stats = service.run(out=out, after_listening=[limits])
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        err.write(f"envplan hj212 serve-standalone: cannot listen on {where}: {exc.strerror}\n")
        return 2
    if args.stats_json:
        Path(args.stats_json).write_text(json.dumps(stats.as_dict()), encoding="utf-8")
    return 0
