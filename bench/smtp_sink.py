"""A minimal SMTP server that accepts every message and counts them (for the notifications benchmark).

It speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), keeps nothing, and writes the number of messages received and of SMTP sessions opened
("messages sessions") to ``--stats`` every 0.05 s and on exit.
Run: ``python bench/smtp_sink.py --port 2525 --stats /tmp/sink.count``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

received = 0
sessions = 0


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global received, sessions
    sessions += 1
    writer.write(b"220 bench-sink ESMTP\r\n")
    in_data = False
    try:
        while True:
            if in_data:
                # The whole message in one read, up to the end-of-data line (a mail server on
                # another machine costs the portal's cores nothing; this one should cost little).
                await reader.readuntil(b"\r\n.\r\n")
                in_data = False
                received += 1
                writer.write(b"250 2.0.0 OK\r\n")
                await writer.drain()
                continue
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-bench-sink\r\n250-8BITMIME\r\n250 PIPELINING\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                writer.write(b"250 2.0.0 OK\r\n")
            else:
                writer.write(b"502 5.5.2 Command not implemented\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def main(port: int, stats: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256, limit=16 * 1024 * 1024)
    async with server:
        while not stop.is_set():
            stats.write_text(f"{received} {sessions}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)
    stats.write_text(f"{received} {sessions}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.stats))
