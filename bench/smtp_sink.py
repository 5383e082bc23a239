"""A minimal SMTP server that accepts every message and counts them (for the notifications benchmark).

It speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), keeps nothing, and writes the number of messages received and of SMTP sessions opened
("messages sessions") to ``--stats`` every 0.05 s and on exit.
Run: ``python bench/smtp_sink.py --port 2525 --stats /tmp/sink.count``.

For the fault figures (bench/faults), ``--log FILE`` appends one line per message handed over:
``<unix time> accepted|refused <Message-ID> <recipient>``, so deliveries are counted per message,
exactly; ``--refuse N`` answers 554 to the first N attempts of every message (by Message-ID) and
``--refuse-always ADDRESS`` to every attempt of the messages to that address: a mail server that
refuses, then accepts, or never does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import signal
import time
from collections import Counter
from pathlib import Path

received = 0
sessions = 0
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
REFUSAL = b"554 5.7.1 Refused by the fault bench's mail server\r\n"


class Faults:
    """What the sink logs and refuses (nothing unless --log / --refuse / --refuse-always)."""

    def __init__(self, log: Path | None, refuse: int, refuse_always: str):
        self.log = open(log, "a", buffering=1) if log else None  # noqa: SIM115 - open for the server's life
        self.refuse = refuse
        self.refuse_always = refuse_always.encode().lower()
        self.attempts = Counter()

    def answer(self, data: bytes, recipient: bytes) -> bytes | None:
        """The refusal to send for this message, or None to accept it (and log either)."""
        if not self.log:
            return None
        header = data.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(header)
        message_id = found.group(1).decode() if found else "-"
        self.attempts[message_id] += 1
        refused = self.attempts[message_id] <= self.refuse or (
            self.refuse_always and self.refuse_always in recipient.lower()
        )
        outcome = "refused" if refused else "accepted"
        self.log.write(f"{time.time():.3f} {outcome} {message_id} {recipient.decode(errors='replace')}\n")
        return REFUSAL if refused else None


faults = Faults(None, 0, "")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global received, sessions
    sessions += 1
    writer.write(b"220 bench-sink ESMTP\r\n")
    in_data = False
    recipient = b""
    try:
        while True:
            if in_data:
                # The whole message in one read, up to the end-of-data line (a mail server on
                # another machine costs the portal's cores nothing; this one should cost little).
                data = await reader.readuntil(b"\r\n.\r\n")
                in_data = False
                refusal = faults.answer(data, recipient)
                if refusal:
                    writer.write(refusal)
                    await writer.drain()
                    continue
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
            elif verb == b"RCPT":
                recipient = line[8:].strip(b" <>\r\n")
                writer.write(b"250 2.0.0 OK\r\n")
            elif verb in (b"HELO", b"MAIL", b"RSET", b"NOOP"):
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


def write_stats(stats: Path) -> None:
    # Replaced whole, never truncated then written: a reader must not see an empty file (0 messages).
    partial = stats.with_suffix(".partial")
    partial.write_text(f"{received} {sessions}")
    partial.replace(stats)


async def main(port: int, stats: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256, limit=16 * 1024 * 1024)
    async with server:
        while not stop.is_set():
            write_stats(stats)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)
    write_stats(stats)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--log", type=Path, help="one line per message handed over (bench/faults)")
    parser.add_argument("--refuse", type=int, default=0, help="refuse the first N attempts of every message")
    parser.add_argument("--refuse-always", default="", help="refuse every message to this address")
    args = parser.parse_args()
    faults = Faults(args.log, args.refuse, args.refuse_always)
    asyncio.run(main(args.port, args.stats))
