"""`envplan completion bash|zsh`: the shell code that asks `envplan` itself for completions
(argcomplete). Completing builds the command line's tree and nothing more: no handler, no Django."""

from __future__ import annotations

import argparse

from envplan.commandline import EXIT_OK, Streams


def print_script(args: argparse.Namespace, streams: Streams) -> int:
    from argcomplete.shell_integration import shellcode

    streams.stdout.write(shellcode(["envplan"], shell=args.shell))
    return EXIT_OK
