#!/usr/bin/env python3
"""Boot the tlgpu VM in demo mode, show the demo and bring its image home.

Runs images/run-vm.sh --mode demo with two tlgpu devices (and vgem),
the kernel console in OUT/console.log, followed live on this terminal,
and the second serial port in OUT/ttyS1.out.  The guest's tlgpu-demo
prints its timeline on the console, ends with TLGPU-DEMO-RC=<status>, and
sends its final image on ttyS1: a PNG, base64-encoded between the lines
"TLGPU-PNG-BEGIN <name> size=<bytes> crc32=<crc>" and "TLGPU-PNG-END".
The PNG is extracted to OUT/tlgpu-demo.png and checked: size and CRC-32
as announced, signature, every chunk's CRC, IHDR, and the IDAT data
inflated to exactly the rows the header promises (with python3-matplotlib
also read back as an image).

Exits 0 only if the demo printed TLGPU-DEMO-RC=0, the kernel reported
nothing (warnings, BUG, lockdep...; the patterns of run-guest.py) and the
PNG is good; 1 otherwise.
"""

import argparse
import base64
import importlib.util
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
RUN_VM = TOP / "images" / "run-vm.sh"

RC_RE = re.compile(r"TLGPU-DEMO-RC=(-?\d+)")
BEGIN_RE = re.compile(r"^TLGPU-PNG-BEGIN (?P<name>\S+) size=(?P<size>\d+) "
                      r"crc32=0x(?P<crc>[0-9a-fA-F]{8})$")
END = "TLGPU-PNG-END"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Bytes per pixel of 8-bit PNGs, by colour type.
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def kernel_reports(lines):
    """run-guest.py's scan for kernel reports, so both judge alike."""
    spec = importlib.util.spec_from_file_location(
        "run_guest", TOP / "ci" / "run-guest.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(TOP / "ci"))
    spec.loader.exec_module(module)
    return module.kernel_reports(lines)


def follow(proc, log, timeout):
    """Copy @log to stdout while @proc runs; returns QEMU's rc or None."""
    deadline = time.monotonic() + timeout
    pos = 0

    def drain():
        nonlocal pos
        try:
            with open(log, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            return
        pos += len(data)
        if data:
            sys.stdout.write(data.decode("utf-8", errors="replace").replace("\r", ""))
            sys.stdout.flush()

    while True:
        drain()
        rc = proc.poll()
        if rc is not None:
            drain()
            return rc
        if time.monotonic() > deadline:
            stop(proc)
            drain()
            return None
        time.sleep(0.1)


def stop(proc):
    """Take QEMU down with the shell that started it."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def extract_png(ttys1):
    """(name, bytes) of the PNG sent on ttyS1; raises ValueError."""
    try:
        text = ttys1.read_bytes().decode("ascii", errors="replace")
    except FileNotFoundError:
        raise ValueError(f"{ttys1} missing: QEMU wrote nothing on ttyS1")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    begins = [i for i, line in enumerate(lines) if BEGIN_RE.match(line)]
    if not begins:
        raise ValueError("no TLGPU-PNG-BEGIN line on ttyS1")
    begin = begins[-1]
    try:
        end = lines.index(END, begin)
    except ValueError:
        raise ValueError("TLGPU-PNG-BEGIN without TLGPU-PNG-END: the transfer was cut")
    head = BEGIN_RE.match(lines[begin])
    try:
        data = base64.b64decode("".join(lines[begin + 1:end]), validate=True)
    except ValueError as e:
        raise ValueError(f"bad base64 between the markers: {e}")
    if len(data) != int(head["size"]):
        raise ValueError(f"{len(data)} bytes received, {head['size']} sent")
    if zlib.crc32(data) != int(head["crc"], 16):
        raise ValueError(f"CRC-32 0x{zlib.crc32(data):08x} received, 0x{head['crc']} sent")
    return head["name"], data


def check_png(data):
    """(width, height) of a PNG the decoder below fully reads; raises ValueError."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    pos, chunks, idat = len(PNG_SIGNATURE), [], b""
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"truncated chunk at byte {pos}")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise ValueError(f"chunk {kind!r} at byte {pos}: bad length or CRC")
        chunks.append((kind, body))
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    kinds = [k for k, _ in chunks]
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        raise ValueError(f"chunks {kinds}: want IHDR first, IDAT, IEND last")
    width, height, depth, ctype, comp, filt, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1])
    if depth != 8 or ctype not in CHANNELS or comp or filt or interlace:
        raise ValueError(f"IHDR depth {depth} type {ctype} compression {comp} "
                         f"filter {filt} interlace {interlace}: not what the demo writes")
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        raise ValueError(f"IDAT does not inflate: {e}")
    stride = 1 + width * CHANNELS[ctype]
    if len(raw) != height * stride:
        raise ValueError(f"IDAT inflates to {len(raw)} bytes, {height * stride} expected")
    if any(raw[y * stride] > 4 for y in range(height)):
        raise ValueError("a row with an unknown filter type")
    return width, height


def matplotlib_check(path):
    """Shape of the image as matplotlib reads it, or None without it."""
    try:
        import matplotlib.image
    except ImportError:
        return None
    return matplotlib.image.imread(str(path)).shape


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flavor", default="6.1-stock", help="a built flavour (build/kernel/FLAVOR)")
    parser.add_argument("--out", type=Path, default=TOP / "build" / "demo",
                        help="directory for the logs and the image (default build/demo)")
    parser.add_argument("--timeout", type=int, default=600, help="watchdog seconds")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    log, ttys1 = args.out / "console.log", args.out / "ttyS1.out"
    png_path = args.out / "tlgpu-demo.png"
    for f in (log, ttys1, png_path):
        f.unlink(missing_ok=True)

    # loglevel=5: kernel warnings and errors on the console, not the boot chatter.
    cmd = ["bash", str(RUN_VM), "--flavor", args.flavor, "--mode", "demo",
           "--devices", "2", "--serial-log", str(log), "--test-out", str(ttys1),
           "--append", "loglevel=5"]
    print(f"run-demo: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = follow(proc, log, args.timeout)
    except KeyboardInterrupt:
        stop(proc)
        print("\nrun-demo: interrupted", file=sys.stderr)
        return 130

    problems = []
    if rc is None:
        problems.append(f"the VM ran past {args.timeout} s and was killed")
    elif rc != 0:
        problems.append(f"QEMU exited with status {rc}")

    text = log.read_bytes().decode("utf-8", errors="replace") if log.exists() else ""
    lines = text.replace("\r", "").split("\n")
    demo_rc = RC_RE.findall(text)
    if not demo_rc:
        problems.append("the demo never printed TLGPU-DEMO-RC=")
    elif demo_rc[-1] != "0":
        problems.append(f"the demo failed: TLGPU-DEMO-RC={demo_rc[-1]}")
    for report in kernel_reports(lines):
        problems.append("kernel report: " + " | ".join(line.strip() for line in report[:3]))

    try:
        _, data = extract_png(ttys1)
        width, height = check_png(data)
        png_path.write_bytes(data)
        shape = matplotlib_check(png_path)
        if shape is not None and tuple(shape[:2]) != (height, width):
            raise ValueError(f"matplotlib reads a {shape} image, not {width}x{height}")
        try:
            shown = png_path.relative_to(Path.cwd())
        except ValueError:
            shown = png_path
        print(f"\nrun-demo: the final image: {shown} ({width}x{height}, "
              f"{len(data)} bytes" + (", read back by matplotlib" if shape else "") + ")")
    except ValueError as e:
        problems.append(f"no good PNG from the guest: {e}")

    for p in problems:
        print(f"run-demo: FAILED: {p}", file=sys.stderr)
    if not problems:
        print("run-demo: the demo passed every check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
