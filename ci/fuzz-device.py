#!/usr/bin/env python3
"""Seeded, reproducible fuzzer for the tlgpu QEMU device, over qtest.

usage: ci/fuzz-device.py --qemu QEMU [--seed N] [--seconds N | --iterations N]
                         [--results DIR]
       ci/fuzz-device.py --qemu QEMU --seed N --iteration K    (one iteration)
       ci/fuzz-device.py --qemu QEMU --replay FILE             (a reproducer)

Starts qemu-system-x86_64 with '-accel qtest' and speaks the qtest text
protocol (readl/writel/write/memset/outl/inl/clock_step...) and QMP to it
directly.  It programs the PCI function itself (BARs through config space,
memory and bus master, MSI-X; FLR through the PCIe capability found by
walking the capability list).  Each iteration runs a random program:
command rings and page tables part valid, part garbage (MMIO 0xfed00000,
ROM 0xfffc0000, beyond RAM, the device's own BARs), jobs mixing valid
commands with random opcodes, lengths and operands, 1 GiB transfers cut
short by resets, random accesses over all of BAR0 and the MSI-X BAR (MSIs
aimed at the device's own registers and config space), timeline, full,
FLR and system resets, fault injection (qom-set and the registers),
config-space and chipset (PAM) writes, virtual time (clock_step).

Each iteration ends with a health check: register invariants (constants,
holes reading 0, sane STATE/ERROR/HEAD/TAIL), full reset, AS 0 and
timeline 0 set up properly, a FILL + FENCE job whose data and status page
are checked.  Detected: QEMU exiting or killed by a signal, sanitizer
reports on its stderr (ASan, UBSan; LeakSanitizer leaks from a tlgpu
frame, at quit), a qtest/QMP command without an answer within --timeout
seconds (a hang; a full reset gets as long), VmRSS growth beyond
--rss-growth-mb over a QEMU's life, and a failed health check.

A QEMU runs --reuse iterations (each starts with system_reset).  A failing
iteration is re-run in fresh QEMUs (alone, then after the iterations its
QEMU ran before) and delta-minimized, at most --minimize-runs runs and
--minimize-seconds; the minimal reproducer is printed and written to
DIR/fuzz-*.repro.qtest as replayable lines: qtest protocol lines exactly
as sent, plus the pseudo commands 'qmp JSON' (a QMP command; system_reset
also waits for its RESET event) and 'sleep MS' (real time, for the
device's threads), '#' comments and '# timelines: N'.  --replay runs such
a file in a fresh QEMU, then the health check.

Iteration K of seed S comes from random.Random("S:K") alone (and its QEMU's
timeline count from S and K // --reuse).  Without --seconds/--iterations
the short pass runs, as CI does: SHORT_SEED, SHORT_ITERATIONS, at most
SHORT_SECONDS.  --inject-bug tests the fuzzer itself (see BugModel).
Results: DIR/fuzz-device.ktap, one case per iteration plus memory-growth
and qemu-exit; the last line printed is '# fuzz-device: N passed, N failed'.
"""

import argparse
import ctypes
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ktap  # noqa: E402

# ------------------------------------------------------------------ #
# The device contract (include/tlgpu_hw.h) and the machine layout      #
# ------------------------------------------------------------------ #

VENDOR_DEVICE = 0x74671234
REG_ID, REG_VERSION, REG_CAPS, REG_NUM_TL = 0x000, 0x004, 0x008, 0x00c
REG_NUM_AS, REG_NUM_VEC, REG_RESET, REG_SCRATCH = 0x010, 0x014, 0x018, 0x01c
REG_RESET_COUNT = 0x020
ID_MAGIC, RESET_MAGIC = 0x55504754, 0x52534554
INJ_BASE, INJ_SPURIOUS = 0x200, 0x22c
AS_BASE, AS_STRIDE, NUM_AS = 0x800, 0x10, 64
AS_PT_LO, AS_PT_HI, AS_CTRL = 0x0, 0x4, 0x8
TL_BASE, TL_STRIDE, MAX_TL = 0x1000, 0x100, 64
TL_RING_LO, TL_RING_HI, TL_RING_SIZE, TL_HEAD, TL_TAIL, TL_CTRL = (
    0x00, 0x04, 0x08, 0x0c, 0x10, 0x14)
TL_STATUS_LO, TL_STATUS_HI, TL_COMPLETED_LO, TL_COMPLETED_HI = (
    0x18, 0x1c, 0x20, 0x24)
TL_STATE, TL_ERROR, TL_FAULT_LO, TL_IRQ_ACK, TL_RESET = 0x28, 0x2c, 0x30, 0x38, 0x3c
TL_IDLE = 1
OP_NOP, OP_SET_AS, OP_FILL, OP_COPY, OP_CHECKSUM = 0, 1, 2, 3, 4
OP_WAIT, OP_DELAY, OP_FENCE, OP_STORE, OP_MAX = 5, 6, 7, 8, 9
PTE_VALID, PTE_WRITE = 1, 2
MAX_XFER, MAX_DELAY_US = 1 << 30, 10_000_000
STATUS_ERR_OFF = 64

RAM_SIZE = 128 << 20
BAR0, BAR1 = 0xe0000000, 0xe0010000
BAR0_SIZE, BAR1_SIZE = 0x10000, 0x1000
DEVFN_CFG = 0x80000000 | (4 << 11)        # bus 0, device 4, function 0
MCH_CFG = 0x80000000                       # 00:00.0, for the PAM registers
MMCFG = 0xb0000000                         # q35 PCIEXBAR when enabled
FUZZ_LO, FUZZ_HI = 0x00100000, 0x06f00000  # pages the random program uses
HC = 0x07000000                            # the health check's own 1 MiB
ROM, HPET, APIC_MSI = 0xfffc0000, 0xfed00000, 0xfee00000
BAD_PAS = [HPET, HPET + 0x1000, ROM, ROM + 0x3f000, 0xc0000, 0xe0000, 0xf0000,
           RAM_SIZE, RAM_SIZE - 0x1000, RAM_SIZE + 0x1000, 0x100000000,
           0xfffff000, BAR0, BAR0 + 0x1000, BAR1, APIC_MSI, MMCFG,
           0x000ffffffffff000, 1 << 40, 0]
INJ_PROPS = {   # settable property: its default (settings survive resets)
    "inject-fail-timeline": 0xffffffff, "inject-fail-seqno": 0,
    "inject-fail-every": 0, "inject-fail-error": 6, "inject-jitter-us": 0,
    "inject-hang-mask": 0, "inject-irq-drop-every": 0,
    "inject-irq-dup-every": 0, "inject-reset-fail": 0,
}
COUNTERS = ["injected-failed", "injected-hangs", "injected-jitter",
            "injected-irq-dropped", "injected-irq-duped",
            "injected-irq-spurious", "injected-reset-failed", "state", "timelines"]
DEV_PATH = "/machine/peripheral/gpu"

# The short pass (CI): a fixed seed, a fixed number of iterations, and a
# time cap for a slow machine (then it stops early, and says so).
SHORT_SEED, SHORT_ITERATIONS, SHORT_SECONDS = 1, 250, 240
HC_JOB_SECONDS = 10.0
REUSE = 20          # iterations per QEMU: part of what a seed means


def tl_reg(t, r):
    return BAR0 + TL_BASE + t * TL_STRIDE + r


def as_reg(a, r):
    return BAR0 + AS_BASE + a * AS_STRIDE + r


def hdr(op, ndw, flags=0):
    return (op & 0xff) | (ndw & 0xff) << 8 | (flags & 0xffff) << 16


def lo(x):
    return x & 0xffffffff


def hi(x):
    return (x >> 32) & 0xffffffff


def dwords(*dw):
    return struct.pack(f"<{len(dw)}I", *[d & 0xffffffff for d in dw])


# ------------------------------------------------------------------ #
# Lines: what the fuzzer sends                                         #
# ------------------------------------------------------------------ #

def w32(addr, val):
    return f"writel {addr:#x} {val & 0xffffffff:#x}"


def r32(addr):
    return f"readl {addr:#x}"


def w64(addr, val):
    return f"writeq {addr:#x} {val & 0xffffffffffffffff:#x}"


def wbytes(addr, data):
    out = []
    for i in range(0, len(data), 0x4000):
        chunk = data[i:i + 0x4000]
        out.append(f"write {addr + i:#x} {len(chunk):#x} 0x{chunk.hex()}")
    return out


def ring_write(m, body):
    """Lines writing @body at the ring's tail (wrapping); advances m.tail."""
    start = m.tail & (m.size - 1)
    first = body[:m.size - start]
    lines = wbytes(m.ring + start, first)
    if len(body) > len(first):
        lines += wbytes(m.ring, body[len(first):])
    m.tail = (m.tail + len(body)) & (m.size - 1)
    return lines


def cfg_w(off, val, size=4, base=DEVFN_CFG):
    op = {1: "outb", 2: "outw", 4: "outl"}[size]
    return [f"outl 0xcf8 {base | (off & 0xfc):#x}",
            f"{op} {0xcfc + (off & 3):#x} {val & ((1 << 8 * size) - 1):#x}"]


def cfg_r(off, size=4, base=DEVFN_CFG):
    op = {1: "inb", 2: "inw", 4: "inl"}[size]
    return [f"outl 0xcf8 {base | (off & 0xfc):#x}", f"{op} {0xcfc + (off & 3):#x}"]


def qmp_line(cmd, **args):
    obj = {"execute": cmd}
    if args:
        obj["arguments"] = args
    return "qmp " + json.dumps(obj, separators=(",", ":"))


def qom_set(prop, value):
    return qmp_line("qom-set", path=DEV_PATH, property=prop, value=value)


@dataclass
class Caps:
    """What the PCI capability walk found (per QEMU; the same every boot)."""
    pcie: int = 0
    msix: int = 0
    devctl: int = 0      # DEVCTL as reset leaves it


def pci_setup_lines(caps):
    """Map BAR0 and BAR1, enable memory and bus master, MSI-X off."""
    lines = cfg_w(0x10, BAR0) + cfg_w(0x14, BAR1) + cfg_w(0x04, 0x0006, 2)
    if caps.msix:
        lines += cfg_w(caps.msix + 2, 0, 2)
    return lines


def inject_defaults_lines():
    return [qom_set(p, v) for p, v in INJ_PROPS.items()]


# ------------------------------------------------------------------ #
# Failures and sanitizer reports                                       #
# ------------------------------------------------------------------ #

@dataclass
class Failure:
    kind: str            # crash, sanitizer, leak, hang, broken-device, memory
    key: str             # what must match for a re-run to count as the same
    summary: str
    details: list = field(default_factory=list)

    def same(self, other):
        return other is not None and other.kind == self.kind and other.key == self.key


SAN_START = re.compile(r"==\d+==ERROR: (AddressSanitizer|LeakSanitizer): (\S+)")
UBSAN = re.compile(r"^(\S+?):(\d+):(\d+): runtime error: (.*)$")
SUMMARY = re.compile(r"^SUMMARY: (\w+): (.*)$")
ASSERT = re.compile(r"(Assertion .* failed|assertion failed.*|ERROR:.*:\d+:.*)")


def scan_sanitizers(text):
    """The first sanitizer report in @text worth failing for, or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = SAN_START.search(line)
        if m and m.group(1) == "AddressSanitizer":
            end = next((j for j in range(i, len(lines)) if lines[j].startswith("SUMMARY:")),
                       min(len(lines) - 1, i + 60))
            summ = lines[end] if lines[end].startswith("SUMMARY:") else line
            return Failure("sanitizer", f"asan:{m.group(2)}", summ.strip(),
                           _excerpt(lines[i:end + 1]))
        u = UBSAN.match(line.strip())
        if u:
            src = os.path.basename(u.group(1))
            end = min(len(lines), i + 25)
            return Failure("sanitizer", f"ubsan:{src}:{u.group(2)}",
                           f"UBSan: {src}:{u.group(2)}: {u.group(4)}",
                           _excerpt(lines[i:end]))
    # Leaks: only blocks allocated from the device count (QEMU's own exit
    # leaks are not this fuzzer's business).
    for i, line in enumerate(lines):
        m = SAN_START.search(line)
        if m and m.group(1) == "LeakSanitizer":
            blocks, cur = [], []
            for ln in lines[i + 1:]:
                if ln.startswith(("Direct leak", "Indirect leak")):
                    if cur:
                        blocks.append(cur)
                    cur = [ln]
                elif ln.startswith("SUMMARY:"):
                    break
                elif cur:
                    cur.append(ln)
            if cur:
                blocks.append(cur)
            ours = [b for b in blocks if any("tlgpu" in ln for ln in b)]
            if ours:
                return Failure("leak", "lsan:tlgpu", ours[0][0].strip(),
                               _excerpt([ln for b in ours[:3] for ln in b]))
    return None


def _excerpt(lines, n=40):
    out = [ln.rstrip() for ln in lines if ln.strip()]
    return out[:n] + ([f"... ({len(out) - n} more lines)"] if len(out) > n else [])


# ------------------------------------------------------------------ #
# One QEMU                                                             #
# ------------------------------------------------------------------ #

class QemuDied(Exception):
    pass


class QemuHang(Exception):
    pass


def _die_with_parent():
    """In the child: SIGKILL when the fuzzer goes, however it goes."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Qemu:
    live = set()         # to kill whatever still runs when the fuzzer ends

    def __init__(self, binary, workdir, timelines, timeout):
        self.binary, self.timelines, self.timeout = binary, timelines, timeout
        self.dir = Path(tempfile.mkdtemp(prefix="fz", dir=workdir))
        self.stderr_path = self.dir / "stderr.log"
        self.proc = None
        self.scanned = 0
        self.rss_samples = []
        self.hung = False

    # -- start/stop -------------------------------------------------
    def start(self):
        qpath, mpath = str(self.dir / "qt"), str(self.dir / "qmp")
        lq, lm = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
        lq.bind(qpath)
        lm.bind(mpath)
        lq.listen(1)
        lm.listen(1)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:"
                       "abort_on_error=0:handle_segv=1:handle_abort=1:"
                       "allocator_may_return_null=1:detect_odr_violation=0:"
                       "print_summary=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=0:print_summary=1")
        self.cmdline = [self.binary, "-machine", "q35", "-nodefaults", "-m", "128M",
                        "-device", f"tlgpu,id=gpu,addr=04.0,timelines={self.timelines}",
                        "-display", "none", "-accel", "qtest",
                        "-name", "tlgpu-fuzz,debug-threads=on",
                        "-qtest", f"unix:{qpath}", "-qtest-log", "/dev/null",
                        "-qmp", f"unix:{mpath}"]
        # For looking inside while tuning, e.g. "-trace tlgpu_fence"
        self.cmdline += os.environ.get("TLGPU_FUZZ_QEMU_ARGS", "").split()
        self.errf = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.DEVNULL,
                                     stdout=self.errf, stderr=self.errf, env=env,
                                     preexec_fn=_die_with_parent)
        Qemu.live.add(self)
        try:
            self.qt = self._accept(lq)
            self.qmp_sock = self._accept(lm)
        finally:
            lq.close()
            lm.close()
        self.qbuf, self.mbuf = b"", b""
        self.events = []
        greeting = self._qmp_read()
        if "QMP" not in greeting:
            raise QemuDied(f"no QMP greeting: {greeting}")
        self.qmp({"execute": "qmp_capabilities"})

    def _accept(self, lsock):
        end = time.monotonic() + 60
        lsock.settimeout(0.2)
        while time.monotonic() < end:
            try:
                conn, _ = lsock.accept()
                conn.settimeout(None)
                return conn
            except socket.timeout:
                if self.proc.poll() is not None:
                    raise QemuDied(f"QEMU exited with {self.proc.returncode} at start")
        raise QemuHang("QEMU did not connect within 60 s")

    def shown_cmdline(self):
        return " ".join(re.sub(r"unix:\S+/(qt|qmp)$", r"unix:\1.sock", a) for a in self.cmdline)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """Quit politely (so LeakSanitizer runs); kill what will not go."""
        if not self.proc:
            return None
        if self.alive() and not self.hung:
            try:
                self.qmp({"execute": "quit"}, timeout=10)
            except (QemuDied, QemuHang, OSError):
                pass
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.hung = True
        self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        Qemu.live.discard(self)
        for s in ("qt", "qmp_sock"):
            if hasattr(self, s):
                try:
                    getattr(self, s).close()
                except OSError:
                    pass
        try:
            self.errf.close()
        except (AttributeError, OSError):
            pass

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- I/O --------------------------------------------------------
    def _readline(self, sock, bufname, timeout):
        end = time.monotonic() + timeout
        while True:
            buf = getattr(self, bufname)
            nl = buf.find(b"\n")
            if nl >= 0:
                setattr(self, bufname, buf[nl + 1:])
                return buf[:nl].decode("utf-8", "replace").rstrip("\r")
            left = end - time.monotonic()
            if left <= 0:
                if self.alive():
                    self.hung = True
                    raise QemuHang(f"no answer within {timeout:g} s")
                raise QemuDied("QEMU exited")
            r, _, _ = select.select([sock], [], [], min(left, 0.5))
            if not r:
                if not self.alive():
                    raise QemuDied("QEMU exited")
                continue
            try:
                data = sock.recv(1 << 16)
            except OSError as e:
                raise QemuDied(f"socket: {e}") from None
            if not data:
                raise QemuDied("QEMU closed the socket")
            setattr(self, bufname, buf + data)

    def qtest(self, line, timeout=None):
        try:
            self.qt.sendall(line.encode() + b"\n")
        except OSError as e:
            raise QemuDied(f"send: {e}") from None
        while True:
            resp = self._readline(self.qt, "qbuf", timeout or self.timeout)
            if not resp.startswith("IRQ"):
                return resp

    def _qmp_read(self, timeout=None):
        return json.loads(self._readline(self.qmp_sock, "mbuf", timeout or self.timeout))

    def qmp(self, obj, timeout=None):
        try:
            self.qmp_sock.sendall(json.dumps(obj).encode() + b"\n")
        except OSError as e:
            raise QemuDied(f"send: {e}") from None
        while True:
            msg = self._qmp_read(timeout)
            if "event" in msg:
                self.events.append(msg["event"])
                continue
            return msg

    def wait_event(self, name, timeout=None):
        end = time.monotonic() + (timeout or self.timeout)
        while name not in self.events:
            left = end - time.monotonic()
            if left <= 0:
                self.hung = True
                raise QemuHang(f"no {name} event within {timeout or self.timeout:g} s")
            msg = self._qmp_read(left)
            if "event" in msg:
                self.events.append(msg["event"])
        self.events.remove(name)

    def readl(self, addr):
        return int(self.qtest(r32(addr)).split()[1], 16)

    def read(self, addr, n):
        return bytes.fromhex(self.qtest(f"read {addr:#x} {n:#x}").split()[1][2:])

    # -- observations -----------------------------------------------
    def rss_kb(self):
        try:
            for ln in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1])
        except (OSError, ValueError):
            pass
        return None

    def stderr_new(self):
        try:
            self.errf.flush()
        except (AttributeError, OSError, ValueError):
            pass
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(self.scanned)
                data = f.read()
        except OSError:
            return ""
        self.scanned += len(data)
        return data.decode("utf-8", "replace")

    def threads(self):
        """Per thread: name, state, wait channel (for hang reports)."""
        out = []
        for task in sorted(Path(f"/proc/{self.proc.pid}/task").glob("*")):
            try:
                comm = (task / "comm").read_text().strip()
                state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
                wchan = (task / "wchan").read_text().strip()
                out.append(f"thread {task.name} {comm}: {state} {wchan}")
            except OSError:
                continue
        return out


# ------------------------------------------------------------------ #
# Running lines                                                        #
# ------------------------------------------------------------------ #

class BugModel:
    """--inject-bug: pretend QEMU still had the pre-fix address-space
    window bug (BAR0 0xcc0/0xcc4 decoded into a 64-entry array, then a
    read at 0x1028 dereferenced the guest's pointer), and make it
    visible on that read: SIGSEGV (segv: a crash), SIGSTOP (hang), or a
    timeline 0 that no longer completes anything (broken: the health
    check fails)."""
    TRIGGER = [w32(BAR0 + 0xcc0, 0x41414000), w32(BAR0 + 0xcc4, 0x4141), r32(BAR0 + 0x1028)]

    def __init__(self, mode):
        self.mode = mode
        self.seen = set()

    def before(self, line, qemu):
        if line in self.TRIGGER[:2] and self.mapped(qemu):
            self.seen.add(line)
        elif line == self.TRIGGER[2] and len(self.seen) == 2 and self.mapped(qemu):
            if self.mode == "broken":
                qemu.sabotaged = True
            else:
                os.kill(qemu.proc.pid, signal.SIGSEGV if self.mode == "segv" else signal.SIGSTOP)

    @staticmethod
    def mapped(qemu):
        """The accesses only reach the device with BAR0 mapped (an extra
        read, not part of the program)."""
        return qemu.readl(BAR0 + REG_ID) == ID_MAGIC


def run_line(qemu, line, bug=None):
    """Send one line; returns the answer (or None for pseudo commands)."""
    if not line or line.startswith("#"):
        return None
    if line.startswith("sleep "):
        time.sleep(min(float(line.split()[1]), 10000) / 1000)
        return None
    if line.startswith("qmp "):
        obj = json.loads(line[4:])
        rsp = qemu.qmp(obj)
        if obj.get("execute") == "system_reset" and "return" in rsp:
            qemu.wait_event("RESET")
        return rsp
    if bug:
        bug.before(line, qemu)
    return qemu.qtest(line)


# ------------------------------------------------------------------ #
# The random program                                                   #
# ------------------------------------------------------------------ #

@dataclass
class TlModel:
    ring: int = 0
    size: int = 0
    status: int = 0
    tail: int = 0
    enabled: bool = False
    ram: bool = False     # ring in RAM, so its contents can be written
    seq: int = 0


@dataclass
class AsModel:
    root: int = 0
    l1: dict = field(default_factory=dict)
    l0: dict = field(default_factory=dict)
    next_va: int = 0x100000
    bufs: list = field(default_factory=list)   # (va, size, writable)


class Gen:
    """One iteration's program: a list of (label, [lines]) groups."""

    def __init__(self, rng, ntl, caps):
        self.r, self.ntl, self.caps = rng, ntl, caps
        self.next_pa = FUZZ_LO + rng.randrange(0, 0x400) * 0x1000
        self.tl = [TlModel() for _ in range(MAX_TL + 2)]
        self.aspace = {}
        self.as_on = set()       # address spaces enabled, as far as we know

    # -- helpers -----------------------------------------------------
    def alloc(self, pages):
        size = pages * 0x1000
        if self.next_pa + size > FUZZ_HI:
            self.next_pa = FUZZ_LO
        pa = self.next_pa
        self.next_pa += size
        return pa

    def u32(self):
        r = self.r
        return r.choice([0, 1, 2, 3, 4, 7, 8, 0xff, 0x1000, 0x7fffffff, 0x80000000,
                         0xfffffffe, 0xffffffff, RESET_MAGIC, r.getrandbits(32),
                         r.getrandbits(32), r.randrange(0, 64), self.some_pa() & 0xffffffff])

    def u64(self):
        r = self.r
        return r.choice([0, 1, 4, 8, 0x1000, 1 << 39, (1 << 39) - 4, 1 << 63,
                         (1 << 64) - 1, (1 << 64) - 4, MAX_XFER, MAX_XFER + 4,
                         r.getrandbits(64), r.getrandbits(40), r.randrange(0, 0x10000) * 4])

    def some_pa(self):
        r = self.r
        if r.random() < 0.7:
            return r.randrange(FUZZ_LO, FUZZ_HI, 0x1000)
        return r.choice(BAD_PAS)

    def ring_pa(self, pages):
        """A place for a ring or status page: mostly RAM, sometimes not."""
        r = self.r
        x = r.random()
        if x < 0.85:
            return self.alloc(pages), True
        if x < 0.9:
            return self.alloc(pages) + r.choice([4, 8, 0x800]), True
        if x < 0.95:
            return RAM_SIZE - 0x1000 * r.choice([1, pages]), True
        return r.choice(BAD_PAS), False

    def as_model(self, a):
        return self.aspace.setdefault(a, AsModel())

    # -- page tables --------------------------------------------------
    def map_lines(self, a, leaves):
        """Write leaf PTEs {va: pte}, allocating tables on the way."""
        m = self.as_model(a)
        out, per_table = [], {}
        if not m.root:
            m.root = self.alloc(1)
        for va, pte in sorted(leaves.items()):
            i2, i1, i0 = (va >> 30) & 511, (va >> 21) & 511, (va >> 12) & 511
            if i2 not in m.l1:
                m.l1[i2] = self.alloc(1)
                out.append(w64(m.root + i2 * 8, m.l1[i2] | PTE_VALID))
            if (i2, i1) not in m.l0:
                m.l0[(i2, i1)] = self.alloc(1)
                out.append(w64(m.l1[i2] + i1 * 8, m.l0[(i2, i1)] | PTE_VALID))
            per_table.setdefault(m.l0[(i2, i1)], {})[i0] = pte
        for table, ents in per_table.items():
            idx = sorted(ents)
            start = prev = idx[0]
            for i in idx[1:] + [None]:
                if i is not None and i == prev + 1:
                    prev = i
                    continue
                data = b"".join(struct.pack("<Q", ents[k]) for k in range(start, prev + 1))
                out += wbytes(table + start * 8, data) if len(data) > 8 else \
                    [w64(table + start * 8, ents[start])]
                if i is not None:
                    start = prev = i
        return out

    def act_as_enable(self, a=None):
        r = self.r
        a = a if a is not None else r.choice([0, 0, 1, 2, r.randrange(NUM_AS)])
        m = self.as_model(a)
        if not m.root:
            m.root = self.alloc(1)
        root = m.root
        if r.random() < 0.08:
            root = r.choice([root + 8, self.some_pa(), r.getrandbits(64)])
        ctrl = 1 if r.random() < 0.9 else self.u32()
        if ctrl & 1:
            self.as_on.add(a)
        return f"as{a} enable", [w32(as_reg(a, AS_PT_LO), lo(root)),
                                 w32(as_reg(a, AS_PT_HI), hi(root)),
                                 w32(as_reg(a, AS_CTRL), ctrl)]

    def act_map(self):
        r = self.r
        a = r.choice(sorted(self.as_on) * 3 + [0, r.randrange(NUM_AS)])
        m = self.as_model(a)
        x = r.random()
        if x < 0.07:
            return self.act_map_huge(a)
        npages = r.choice([1, 1, 2, 3, 4, 8, 16]) if r.random() < 0.9 else r.randrange(16, 300)
        v = r.random()
        if v < 0.6:
            va = m.next_va
            m.next_va += (npages + 1) * 0x1000
        elif v < 0.75:
            va = (r.randrange(1, 1 << 18) << 21) - r.randrange(1, npages + 1) * 0x1000
        elif v < 0.85:
            va = (r.randrange(1, 512) << 30) - r.randrange(1, npages + 1) * 0x1000
        elif v < 0.92:
            va = (1 << 39) - npages * 0x1000
        else:
            va = r.randrange(0, 1 << 39, 0x1000)
        va &= (1 << 39) - 1
        writable = r.random() < 0.85
        flags = PTE_VALID | (PTE_WRITE if writable else 0)
        p = r.random()
        if p < 0.45:
            base = self.alloc(npages)
            pas = [base + i * 0x1000 for i in range(npages)]
        elif p < 0.75:
            pas = [self.alloc(1) for _ in range(npages)][::-1]
        elif p < 0.85:
            pas = [self.alloc(1)] * npages
        else:
            pas = [self.alloc(1) if r.random() < 0.5 else r.choice(BAD_PAS)
                   for _ in range(npages)]
        leaves = {}
        for i, pa in enumerate(pas):
            pte = pa | flags
            if r.random() < 0.03:
                pte = r.choice([pa, pte | (r.getrandbits(12) << 52), r.getrandbits(64)])
            leaves[va + i * 0x1000] = pte
        m.bufs.append((va, npages * 0x1000, writable))
        return f"map as{a} {npages}p", self.map_lines(a, leaves)

    def act_map_huge(self, a):
        """1 GiB of VA through one L1 and one L0 table (shared by all 512
        L1 entries): big transfers for the price of two table pages."""
        r = self.r
        m = self.as_model(a)
        if not m.root:
            m.root = self.alloc(1)
        i2 = r.randrange(1, 512)
        l1, l0 = self.alloc(1), self.alloc(1)
        if r.random() < 0.5:
            data = self.alloc(512)
            pas = [data + i * 0x1000 for i in range(512)]
        else:
            pas = [self.alloc(1)] * 512
        ents0 = b"".join(struct.pack("<Q", pa | PTE_VALID | PTE_WRITE) for pa in pas)
        ents1 = struct.pack("<Q", l0 | PTE_VALID) * 512
        if r.random() < 0.2:     # tables pointing at tables, or nowhere
            ents1 = b"".join(struct.pack("<Q", r.choice([l1, m.root, l0, r.choice(BAD_PAS)])
                                         | PTE_VALID) for _ in range(512))
        m.l1[i2] = l1
        for i1 in range(512):
            m.l0[(i2, i1)] = l0
        m.bufs.append((i2 << 30, 1 << 30, True))
        return f"map as{a} 1GiB", (wbytes(l0, ents0) + wbytes(l1, ents1) +
                                   [w64(m.root + i2 * 8, l1 | PTE_VALID)])

    def act_bad_table(self):
        r = self.r
        a = r.choice([0, 1])
        m = self.as_model(a)
        if not m.root:
            return self.act_map()
        if r.random() < 0.5 or not m.l1:
            i2 = r.randrange(512)
            return "bad root entry", [w64(m.root + i2 * 8, r.choice(BAD_PAS + [m.root]) | PTE_VALID)]
        i2 = r.choice(list(m.l1))
        i1 = r.randrange(512)
        return "bad l1 entry", [w64(m.l1[i2] + i1 * 8, r.choice(BAD_PAS + [m.root]) | PTE_VALID)]

    # -- timelines ----------------------------------------------------
    def pick_tl(self, setup_only=False):
        r = self.r
        live = [t for t in range(self.ntl) if self.tl[t].enabled]
        if setup_only and live and r.random() < 0.9:
            return r.choice(live)
        if r.random() < 0.05:
            return r.choice([self.ntl, min(self.ntl + 1, MAX_TL - 1), MAX_TL - 1])
        return r.randrange(self.ntl)

    def act_tl_setup(self, t=None, good=False):
        r = self.r
        t = t if t is not None else self.pick_tl()
        m = self.tl[t]
        lines = []
        if m.enabled or r.random() < 0.2:
            lines.append(w32(tl_reg(t, TL_CTRL), 0))
        good = good or r.random() < 0.7
        if good or r.random() < 0.5:
            size = r.choice([0x1000] * 6 + [0x2000, 0x4000, 0x10000] + [0x100000] * (t < 2))
        else:
            size = r.choice([0, 0x800, 0x1001, 0x1800, 0x3ff8, 0x200000, 0xffffffff,
                             0x80000000, r.getrandbits(32)])
        pages = max(1, min(size, 0x100000) // 0x1000)
        if good:
            ring, ram = self.alloc(pages), True
            status = self.alloc(1)
        else:
            ring, ram = self.ring_pa(pages)
            status, _ = self.ring_pa(1)
        if r.random() < 0.03:
            ring |= r.getrandbits(64) & ~0xfff
            ram = False
        if ram and min(size, 0x100000, RAM_SIZE - ring) > 0:
            lines.append(f"memset {ring:#x} {min(size, 0x100000, RAM_SIZE - ring):#x} 0")
        lines += [w32(tl_reg(t, TL_RING_LO), lo(ring)), w32(tl_reg(t, TL_RING_HI), hi(ring)),
                  w32(tl_reg(t, TL_RING_SIZE), size),
                  w32(tl_reg(t, TL_STATUS_LO), lo(status)), w32(tl_reg(t, TL_STATUS_HI), hi(status)),
                  w32(tl_reg(t, TL_CTRL), 1 if good or r.random() < 0.95 else self.u32())]
        m.ring, m.size, m.status, m.tail, m.enabled = ring, size, status, 0, True
        m.ram = ram and size in (0x1000, 0x2000, 0x4000, 0x10000, 0x100000) and \
            ring + size <= RAM_SIZE and not ring & 0xfff
        return f"tl{t} setup ring {ring:#x}/{size:#x}", lines

    def buf(self, need_write=False, a=None):
        """(va, size) of some buffer, or a random range."""
        r = self.r
        bufs = [b for aa, m in self.aspace.items() if a is None or aa == a
                for b in m.bufs if b[2] or not need_write]
        if bufs and r.random() < 0.85:
            va, size, _ = r.choice(bufs)
            return va, size
        return r.choice([r.getrandbits(39), (1 << 39) - 0x1000, 1 << 39, 0, r.getrandbits(64)]), \
            r.choice([0x1000, 4, 0x100000])

    def xfer(self, va, size, align=4):
        """An offset and a length inside [va, va + size), mostly."""
        r = self.r
        x = r.random()
        if x < 0.75:
            off = r.randrange(0, max(align, min(size, 1 << 30)) // align) * align
            cap = r.choice([64, 0x1000, 0x10000, 0x100000]) if r.random() < 0.97 else 1 << 30
            n = r.randrange(0, max(0, min(size - off, cap)) // align + 1) * align
            return va + off, n
        if x < 0.85:
            return va, size + r.choice([4, 0x1000, 8])          # overruns the guard
        if x < 0.9:
            return va + r.choice([1, 2, 3]), r.choice([4, 5, 0x1000])   # misaligned
        return va + r.randrange(0, 0x1000, 4), self.u64()

    def cmd(self, t, a, valid):
        r = self.r
        if not valid and r.random() < 0.12:            # a header the device may refuse
            op = r.choice([r.randrange(OP_MAX), r.randrange(OP_MAX, 256), OP_NOP])
            ndw = r.choice([0, 1, 2, 3, 4, 6, 8, 15, 16, 17, 18, 255, r.randrange(256)])
            return dwords(hdr(op, ndw, r.getrandbits(16)), *[r.getrandbits(32) for _ in range(min(ndw, 16) - 1)]) \
                if ndw >= 2 else dwords(hdr(op, ndw), r.getrandbits(32))
        op = r.choice([OP_FILL, OP_FILL, OP_COPY, OP_CHECKSUM, OP_STORE, OP_STORE, OP_NOP,
                       OP_WAIT, OP_DELAY, OP_SET_AS])
        flags = 0 if valid or r.random() < 0.7 else r.getrandbits(16)
        if op == OP_NOP:
            n = r.choice([2, 4, 16])
            return dwords(hdr(OP_NOP, n, flags), *[r.getrandbits(32) for _ in range(n - 1)])
        if op == OP_SET_AS:
            return dwords(hdr(OP_SET_AS, 2, flags), a if valid else
                          r.choice([a, r.randrange(NUM_AS), NUM_AS, 0xffffffff, r.getrandbits(32)]))
        if op == OP_FILL:
            va, n = self.xfer(*self.buf(True, a))
            pat = r.choice([0, 0xdeadbeef, 0x5a5a5a5a, r.getrandbits(32)])
            return dwords(hdr(OP_FILL, 6, flags), pat, lo(va), hi(va), lo(n), hi(n))
        if op == OP_COPY:
            src, n = self.xfer(*self.buf(False, a))
            dva, dsize = self.buf(True, a)
            dst = dva + (r.randrange(0, max(4, dsize - n) // 4) * 4 if dsize > n else 0)
            if r.random() < 0.1:
                dst = src + r.choice([0, 4, n // 2 & ~3])    # overlapping
            return dwords(hdr(OP_COPY, 8, flags), 0, lo(dst), hi(dst), lo(src), hi(src), lo(n), hi(n))
        if op == OP_CHECKSUM:
            va, n = self.xfer(*self.buf(False, a), align=1)
            dva, dsize = self.buf(True, a)
            dst = dva + r.randrange(0, max(4, min(dsize, 0x1000)) // 4) * 4
            if r.random() < 0.05:
                dst += r.choice([1, 2])
            return dwords(hdr(OP_CHECKSUM, 8, flags), 0, lo(va), hi(va), lo(n), hi(n), lo(dst), hi(dst))
        if op == OP_STORE:
            va, _ = self.xfer(*self.buf(True, a), align=8)
            val = r.getrandbits(64)
            return dwords(hdr(OP_STORE, 6, flags), 0, lo(va), hi(va), lo(val), hi(val))
        if op == OP_WAIT:
            other = r.randrange(self.ntl)
            if other == t or r.random() < 0.05:
                other = r.choice([t, self.ntl, 0xffffffff, other])
            base = self.tl[other].seq if other < MAX_TL else 0
            seq = r.choice([0, base, base, max(0, base - 1), base + 1]) if r.random() < 0.97 else self.u64()
            return dwords(hdr(OP_WAIT, 4, flags), other, lo(seq), hi(seq))
        us = r.choice([0, 1, 10, 100, 500, 2000]) if r.random() < 0.93 else \
            r.choice([50000, 200000, MAX_DELAY_US, MAX_DELAY_US + 1, 0xffffffff])
        return dwords(hdr(OP_DELAY, 2, flags), us)

    def fence(self, t, valid):
        r = self.r
        m = self.tl[t]
        m.seq += 1
        seq = m.seq
        if not valid and r.random() < 0.2:
            seq = r.choice([0, seq - 1, seq + 600, self.u64()])
        flags = r.choice([0, 1]) if valid or r.random() < 0.8 else r.getrandbits(16)
        return dwords(hdr(OP_FENCE, 4, flags), 0, lo(seq), hi(seq))

    def act_submit(self):
        r = self.r
        t = self.pick_tl(setup_only=True)
        m = self.tl[t]
        lines = [w32(tl_reg(t, TL_RESET), 1)] if r.random() < 0.15 else []
        njobs = r.choice([1, 1, 2, 3, 5, 8]) if r.random() < 0.97 else r.randrange(20, 200)
        body = b""
        for _ in range(njobs):
            valid = r.random() < 0.7
            a = r.choice(sorted(self.as_on) or [0]) if valid else \
                r.choice([0, 1, r.randrange(NUM_AS)])
            if valid or r.random() < 0.8:
                body += dwords(hdr(OP_SET_AS, 2), a)
            for _ in range(r.choice([0, 1, 1, 2, 3, 5])):
                body += self.cmd(t, a, valid)
            body += self.fence(t, valid)
        if m.size and m.ram:
            body = body[:max(8, m.size // 2) & ~7]
            lines += ring_write(m, body)
        tail = m.tail
        if r.random() < 0.06:
            tail = r.choice([tail + 4, tail | 3, m.size, m.size + 8, 0xfffffff8, (tail + 8) % max(8, m.size)])
        lines.append(w32(tl_reg(t, TL_TAIL), tail))
        if r.random() < 0.3:
            lines.append(f"sleep {r.choice([1, 2, 5])}")
        return f"tl{t} submit {njobs} jobs", lines

    def act_tl_reset(self):
        t = self.pick_tl(setup_only=True)
        return f"tl{t} reset", [w32(tl_reg(t, TL_RESET), 1 if self.r.random() < 0.9 else self.u32())]

    def act_tl_reenable(self):
        r = self.r
        t = self.pick_tl(setup_only=True)
        m = self.tl[t]
        lines = [w32(tl_reg(t, TL_CTRL), 0)]
        if r.random() < 0.8:
            lines.append(w32(tl_reg(t, TL_CTRL), 1))
            m.tail = 0
        else:
            m.enabled = False
        return f"tl{t} disable/enable", lines

    def forget_device(self):
        self.as_on.clear()
        for m in self.tl:
            m.enabled = False
        for m in self.aspace.values():
            m.bufs.clear()
            m.l1.clear()
            m.l0.clear()
            m.root = 0
            m.next_va = 0x100000

    def recover(self):
        """What a driver does after a reset, mostly: set the device up again."""
        r = self.r
        lines = []
        if r.random() < 0.8:
            for a in (0, 1, 2)[:r.randrange(1, 4)]:
                lines += self.act_as_enable(a)[1]
            for _ in range(r.randrange(0, 3)):
                lines += self.act_map()[1]
            for t in r.sample(range(self.ntl), r.randrange(1, min(self.ntl, 4) + 1)):
                lines += self.act_tl_setup(t, good=r.random() < 0.9)[1]
        return lines

    def act_full_reset(self):
        self.forget_device()
        return "full reset", [w32(BAR0 + REG_RESET, RESET_MAGIC)] + self.recover()

    def act_flr(self):
        self.forget_device()
        lines = cfg_r(self.caps.pcie + 8, 2) + cfg_w(self.caps.pcie + 8, self.caps.devctl | 0x8000, 2)
        if self.r.random() < 0.9:
            lines += pci_setup_lines(self.caps) + self.recover()
        return "FLR", lines

    def act_system_reset(self):
        self.forget_device()
        lines = [qmp_line("system_reset")]
        if self.r.random() < 0.9:
            lines += pci_setup_lines(self.caps) + self.recover()
        return "system_reset", lines

    def act_race(self):
        """A long command (1 GiB transfer, DELAY, WAIT, jitter), then, a
        moment later, something that must cut it short or survive it."""
        r = self.r
        lines = []
        huge = [(a, b) for a in sorted(self.as_on) for b in self.as_model(a).bufs
                if b[1] >= 1 << 30]
        if not huge:
            a = r.choice(sorted(self.as_on) or [0])
            if a not in self.as_on:
                lines += self.act_as_enable(a)[1]
            lines += self.act_map_huge(a)[1]
            huge = [(a, self.as_model(a).bufs[-1])]
        a, (va, size, _) = r.choice(huge)
        good = [t for t in range(self.ntl) if self.tl[t].enabled and self.tl[t].ram]
        t = r.choice(good) if good and r.random() < 0.9 else r.randrange(self.ntl)
        if t not in good:
            lines += self.act_tl_setup(t, good=True)[1]
        m = self.tl[t]
        op = r.choice(["fill", "copy", "crc", "delay", "wait", "jitter"])
        body = dwords(hdr(OP_SET_AS, 2), a)
        if op == "fill":
            body += dwords(hdr(OP_FILL, 6), r.getrandbits(32), lo(va), hi(va), lo(1 << 30), 0)
        elif op == "copy":
            n = 1 << 29
            body += dwords(hdr(OP_COPY, 8), 0, lo(va + n), hi(va + n), lo(va), hi(va), lo(n), hi(n))
        elif op == "crc":
            body += dwords(hdr(OP_CHECKSUM, 8), 0, lo(va), hi(va), lo(1 << 30), hi(1 << 30),
                           lo(va), hi(va))
        elif op == "delay":
            body += dwords(hdr(OP_DELAY, 2), r.choice([200000, MAX_DELAY_US]))
        elif op == "wait":
            other = (t + 1) % self.ntl
            body += dwords(hdr(OP_WAIT, 4), other, 0xffffffff, 0)
        else:
            lines.append(qom_set("inject-jitter-us", r.choice([0xffffffff, 1000000])))
        body += self.fence(t, True)
        lines += ring_write(m, body)
        lines.append(w32(tl_reg(t, TL_TAIL), m.tail))
        if r.random() < 0.7:
            lines.append(f"sleep {r.choice([1, 2, 3, 5])}")
        what = r.choice(["tl-reset", "tl-reset", "disable", "full-reset", "flr", "system-reset",
                         "bus-master-off", "bar-move", "as-off", "pt-change", "tail", "nothing"])
        if what == "tl-reset":
            lines.append(w32(tl_reg(t, TL_RESET), 1))
        elif what == "disable":
            lines.append(w32(tl_reg(t, TL_CTRL), 0))
            m.enabled = False
        elif what == "full-reset":
            lines += self.act_full_reset()[1]
        elif what == "flr":
            lines += self.act_flr()[1]
        elif what == "system-reset":
            lines += self.act_system_reset()[1]
        elif what == "bus-master-off":
            lines += cfg_w(0x04, 0x0002, 2) + [f"sleep {r.choice([1, 5])}"] + cfg_w(0x04, 0x0006, 2)
        elif what == "bar-move":
            lines += cfg_w(0x10, r.choice([BAR0 + 0x100000, 0x100000, 0])) + \
                [f"sleep 1"] + cfg_w(0x10, BAR0)
        elif what == "as-off":
            lines.append(w32(as_reg(a, AS_CTRL), 0))
            self.as_on.discard(a)
        elif what == "pt-change":
            lines.append(w64(self.as_model(a).root + (va >> 30) * 8, r.choice([0, ROM | 1])))
        elif what == "tail":
            lines.append(w32(tl_reg(t, TL_TAIL), r.choice([3, m.size, 0xfffffff8])))
        if what in ("nothing", "as-off", "pt-change", "tail", "bus-master-off", "bar-move") \
                and r.random() < 0.8:
            lines += [f"sleep {r.choice([1, 10, 50])}", w32(tl_reg(t, TL_RESET), 1)]
        if op == "jitter":
            lines.append(qom_set("inject-jitter-us", 0))
        return f"race {op} vs {what}", lines

    # -- registers, MSI-X, config space --------------------------------
    def bar0_off(self):
        r = self.r
        x = r.random()
        if x < 0.3:
            return r.randrange(0, BAR0_SIZE, 4)
        if x < 0.4:
            return r.randrange(0, 0x30, 4)
        if x < 0.5:
            return r.randrange(0x200, 0x260, 4)
        if x < 0.6:
            return r.randrange(0x800, 0x1000, 4)
        t = r.randrange(self.ntl) if r.random() < 0.85 else r.randrange(MAX_TL)
        return TL_BASE + t * TL_STRIDE + (r.randrange(0, 0x50, 4) if r.random() < 0.9
                                          else r.randrange(0, 0x100, 4))

    def act_reg_write(self):
        r = self.r
        out = []
        for _ in range(r.choice([1, 1, 2, 4, 8])):
            off = self.bar0_off()
            val = self.u32()
            if off == REG_RESET and val == RESET_MAGIC:
                self.forget_device()
            out.append(w32(BAR0 + off, val))
        return "reg writes", out

    def act_reg_read(self):
        return "reg reads", [r32(BAR0 + self.bar0_off()) for _ in range(self.r.choice([1, 2, 4]))]

    def act_odd_access(self):
        r = self.r
        off = self.bar0_off() + r.choice([0, 0, 1, 2, 3])
        base = BAR0 if r.random() < 0.8 else BAR1
        op = r.choice(["readb", "readw", "readq", "writeb", "writew", "writeq"])
        val = "" if op.startswith("read") else f" {r.getrandbits(64 if op == 'writeq' else 16):#x}"
        return "odd-size access", [f"{op} {base + off:#x}{val}"]

    def act_inject_reg(self):
        r = self.r
        off = r.randrange(0x200, 0x260, 4)
        val = r.choice([0, 1, 2, 3, 5, 0xffffffff, r.randrange(8), r.randrange(self.ntl + 2),
                        r.randrange(50), r.getrandbits(32)])
        return "inject register", [w32(BAR0 + off, val)]

    def act_qom_set(self):
        r = self.r
        prop = r.choice(list(INJ_PROPS) + ["inject-jitter-seed", "inject-spurious",
                                           "inject-jitter-us", "inject-hang-mask"])
        if prop == "inject-jitter-us":
            v = r.choice([0, 1, 10, 100, 300]) if r.random() < 0.9 else r.choice([0xffffffff, 100000])
        elif prop == "inject-hang-mask":
            v = r.choice([0, 1, 2, 1 << r.randrange(self.ntl), r.getrandbits(self.ntl), r.getrandbits(64)])
        elif prop == "inject-spurious":
            v = r.randrange(self.ntl + 3)
        elif prop == "inject-fail-timeline":
            v = r.choice([0xffffffff, r.randrange(self.ntl + 1), r.getrandbits(32)])
        elif prop == "inject-fail-error":
            v = r.choice([0, 1, 3, 6, 7, 8, 255, 0xffffffff])
        else:
            v = r.choice([0, 0, 1, 2, 3, 7, r.randrange(20), r.getrandbits(32)])
        if r.random() < 0.03:       # refused values: must be errors, nothing else
            v = r.choice([-1, 1 << 32, 1 << 64, "x", None, 1.5])
        return f"qom-set {prop}", [qom_set(prop, v)]

    def act_qom_get(self):
        prop = self.r.choice(COUNTERS + list(INJ_PROPS) + ["no-such-property"])
        return f"qom-get {prop}", [qmp_line("qom-get", path=DEV_PATH, property=prop)]

    def msix_target(self, v):
        r = self.r
        t = r.randrange(self.ntl)
        return r.choice([
            (APIC_MSI | r.randrange(0, 0x100000, 4), r.getrandbits(32)),
            (tl_reg(t, r.choice([TL_RESET, TL_IRQ_ACK, TL_TAIL, TL_CTRL])), r.choice([0, 1, 8])),
            (BAR0 + REG_RESET, r.choice([RESET_MAGIC, 0])),
            (BAR0 + INJ_SPURIOUS, r.choice([v, v, r.randrange(self.ntl + 2)])),
            (BAR1 + r.randrange(0, BAR1_SIZE, 4), r.getrandbits(32)),
            (self.tl[t].status or self.some_pa(), r.getrandbits(32)),
            (self.tl[t].ring or self.some_pa(), r.getrandbits(32)),
            (MMCFG + (4 << 15) + self.caps.pcie + 8, 0x8000),
            (r.getrandbits(64) & ~3, r.getrandbits(32)),
        ])

    def act_msix(self):
        r = self.r
        lines = []
        nvec = self.ntl + 1
        for _ in range(r.choice([1, 1, 2, 3])):
            v = r.randrange(nvec) if r.random() < 0.9 else r.randrange(BAR1_SIZE // 16)
            addr, data = self.msix_target(v)
            e = BAR1 + v * 16
            lines += [w32(e, lo(addr)), w32(e + 4, hi(addr)), w32(e + 8, data),
                      w32(e + 12, 0 if r.random() < 0.85 else 1)]
        if self.caps.msix and r.random() < 0.8:
            lines += cfg_w(self.caps.msix + 2, r.choice([0x8000, 0x8000, 0xc000, 0]), 2)
        if r.random() < 0.1:         # MMCONFIG on, so an MSI can reach config space
            lines += cfg_w(0x60, MMCFG | 1, 4, MCH_CFG)
        if r.random() < 0.5:
            lines.append(w32(BAR0 + INJ_SPURIOUS, r.randrange(nvec + 1)))
        return "msix", lines

    def act_bar1_random(self):
        r = self.r
        out = []
        for _ in range(r.choice([1, 4, 16])):
            off = r.randrange(0, BAR1_SIZE, 4)
            out += [w32(BAR1 + off, self.u32())] if r.random() < 0.7 else [r32(BAR1 + off)]
        return "bar1 random", out

    def act_config(self):
        r = self.r
        x = r.random()
        if x < 0.3:
            lines = cfg_w(0x04, r.choice([0, 2, 4, 6, 0x406, r.getrandbits(16)]), 2)
        elif x < 0.5:
            off = r.choice([0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30])
            lines = cfg_w(off, r.choice([0xffffffff, 0, BAR0, BAR1, 0x100000, HPET,
                                         r.getrandbits(32) & ~0xf]))
        elif x < 0.65 and self.caps.msix:
            lines = cfg_w(self.caps.msix + 2, r.getrandbits(16), 2)
        elif x < 0.8 and self.caps.pcie:
            lines = cfg_w(self.caps.pcie + 8, r.getrandbits(16) & 0x7fff, 2)
        elif x < 0.9:
            off = r.randrange(0x40, 0x100)
            size = r.choice([1, 2, 4])
            off &= ~(size - 1)
            lines = cfg_w(off, r.getrandbits(32), size) if r.random() < 0.6 else cfg_r(off, size)
        else:
            lines = cfg_w(r.randrange(0x90, 0x97), r.choice([0, 0x11, 0x33, 0x22, r.getrandbits(8)]),
                          1, MCH_CFG)
        if r.random() < 0.85:
            lines += pci_setup_lines(self.caps)
        return "config space", lines

    def act_pci_setup(self):
        return "pci setup", pci_setup_lines(self.caps)

    # -- memory and time ----------------------------------------------
    def act_garbage(self):
        r = self.r
        live = [m for m in self.tl[:self.ntl] if m.ram and m.size]
        tables = [p for m in self.aspace.values() for p in list(m.l0.values())[:8] + list(m.l1.values())]
        x = r.random()
        if x < 0.4 and live:
            m = r.choice(live)
            addr = m.ring + r.randrange(0, m.size, 4)
        elif x < 0.7 and tables:
            addr = r.choice(tables) + r.randrange(0, 0x1000, 8)
        else:
            addr = r.randrange(FUZZ_LO, FUZZ_HI, 4)
        n = r.choice([8, 16, 64, 256])
        n = min(n, RAM_SIZE - addr)
        if r.random() < 0.3:
            return "garbage", [f"memset {addr:#x} {n:#x} {r.choice([0, 0xff, r.getrandbits(8)]):#x}"]
        return "garbage", wbytes(addr, r.randbytes(n))

    def act_clock(self):
        r = self.r
        ns = int(10 ** r.uniform(0, 9)) if r.random() < 0.97 else 10 ** 11
        return "clock_step", [f"clock_step {ns}"]

    def act_sleep(self):
        return "sleep", [f"sleep {self.r.choice([1, 1, 2, 5, 10, 20, 50])}"]

    def act_poll(self):
        r = self.r
        t = self.pick_tl(setup_only=True)
        regs = r.sample([TL_HEAD, TL_TAIL, TL_STATE, TL_ERROR, TL_COMPLETED_LO, TL_FAULT_LO,
                         0x40, 0x44, 0x48, 0x4c], r.choice([1, 3, 5]))
        lines = [w32(tl_reg(t, TL_IRQ_ACK), 1)] if r.random() < 0.5 else []
        lines += [r32(tl_reg(t, reg)) for reg in regs]
        if self.tl[t].status and self.tl[t].ram:
            lines.append(f"read {self.tl[t].status:#x} 0x10")
        return f"tl{t} poll", lines

    # -- the program ----------------------------------------------------
    ACTIONS = [("act_submit", 36), ("act_map", 9), ("act_tl_setup", 5), ("act_as_enable", 3),
               ("act_bad_table", 1.5), ("act_reg_write", 10), ("act_reg_read", 3),
               ("act_odd_access", 1), ("act_inject_reg", 2.5), ("act_qom_set", 5),
               ("act_qom_get", 1), ("act_race", 2.5), ("act_msix", 2.5), ("act_bar1_random", 1),
               ("act_tl_reset", 4), ("act_tl_reenable", 2), ("act_full_reset", 1.2),
               ("act_flr", 0.8), ("act_system_reset", 0.5), ("act_config", 1.2), ("act_pci_setup", 0.5),
               ("act_garbage", 3), ("act_clock", 3), ("act_sleep", 5), ("act_poll", 3)]

    def prologue(self):
        return ([qmp_line("system_reset")] + pci_setup_lines(self.caps) + inject_defaults_lines() +
                [f"memset {FUZZ_LO:#x} {RAM_SIZE - FUZZ_LO:#x} 0"])

    def program(self, nactions):
        r = self.r
        groups = [("prologue", self.prologue())]
        if r.random() < 0.9:                     # mostly start from a working device
            for a in (0, 1, 2)[:r.randrange(1, 4)]:
                groups.append(self.act_as_enable(a))
            for _ in range(r.randrange(2, 6)):
                groups.append(self.act_map())
            for t in r.sample(range(self.ntl), r.randrange(1, min(self.ntl, 4) + 1)):
                groups.append(self.act_tl_setup(t, good=r.random() < 0.8))
        names, weights = zip(*self.ACTIONS)
        for _ in range(nactions):
            groups.append(getattr(self, r.choices(names, weights)[0])())
        return groups


# ------------------------------------------------------------------ #
# The health check                                                     #
# ------------------------------------------------------------------ #

def health_check(qemu, caps, rng_seed, record):
    """Full reset, AS 0 + timeline 0 set up properly, FILL + FENCE; the data
    and the status page checked.  Returns None or a Failure."""
    pattern = 0x01000193 ^ (rng_seed & 0xffffff) << 4 | 0x10000000
    root, l1, l0, ring, status = HC, HC + 0x1000, HC + 0x2000, HC + 0x4000, HC + 0x5000
    pages = [HC + 0x11000, HC + 0x10000]         # VA 0x100000, 0x101000: not contiguous
    va, size = 0x100000, 0x2000

    def run(line):
        record.append(line)
        return run_line(qemu, line)

    def rd(addr):
        record.append(r32(addr))
        return qemu.readl(addr)

    def rdb(addr, n):
        record.append(f"read {addr:#x} {n:#x}")
        return qemu.read(addr, n)

    problems = []
    for line in pci_setup_lines(caps) + inject_defaults_lines():
        check_qmp(run(line), line, problems)
    # What the program left: registers that must hold whatever happened.
    # (MSI-X is off now, so only the timelines' own threads still move.)
    invariant = register_invariants(rd, qemu.timelines)
    count = rd(BAR0 + REG_RESET_COUNT)
    run(w32(BAR0 + REG_RESET, RESET_MAGIC))
    ident = rd(BAR0 + REG_ID)
    if ident != ID_MAGIC:
        problems.append(f"ID reads {ident:#x}, not {ID_MAGIC:#x}")
    ntl = rd(BAR0 + REG_NUM_TL)
    if ntl != qemu.timelines:
        problems.append(f"NUM_TIMELINES reads {ntl}, not {qemu.timelines}")
    after = rd(BAR0 + REG_RESET_COUNT)
    if after != (count + 1) & 0xffffffff:
        problems.append(f"RESET_COUNT went {count} -> {after} over a reset")
    for line in [f"memset {HC:#x} 0x100000 0",
                 w64(root, l1 | PTE_VALID), w64(l1, l0 | PTE_VALID),
                 w64(l0 + 256 * 8, pages[0] | PTE_VALID | PTE_WRITE),
                 w64(l0 + 257 * 8, pages[1] | PTE_VALID | PTE_WRITE),
                 w32(as_reg(0, AS_PT_LO), root), w32(as_reg(0, AS_PT_HI), 0),
                 w32(as_reg(0, AS_CTRL), 1),
                 w32(tl_reg(0, TL_RING_LO), ring), w32(tl_reg(0, TL_RING_HI), 0),
                 w32(tl_reg(0, TL_RING_SIZE), 0x1000),
                 w32(tl_reg(0, TL_STATUS_LO), status), w32(tl_reg(0, TL_STATUS_HI), 0),
                 w32(tl_reg(0, TL_CTRL), 1)]:
        run(line)
    state = rd(tl_reg(0, TL_STATE))
    if state != TL_IDLE:
        problems.append(f"timeline 0 is in state {state} after a correct setup, not IDLE")
    if getattr(qemu, "sabotaged", False):        # --inject-bug broken
        run_line(qemu, qom_set("inject-hang-mask", 1))
    job = dwords(hdr(OP_SET_AS, 2), 0, hdr(OP_FILL, 6), pattern, lo(va), hi(va), size, 0,
                 hdr(OP_FENCE, 4), 0, 1, 0)
    for line in wbytes(ring, job) + [w32(tl_reg(0, TL_TAIL), len(job))]:
        run(line)
    end = time.monotonic() + HC_JOB_SECONDS
    done = 0
    while time.monotonic() < end:
        done = qemu.readl(tl_reg(0, TL_COMPLETED_LO))
        if done >= 1:
            break
        time.sleep(0.002)
    record += ["sleep 100", r32(tl_reg(0, TL_COMPLETED_LO))]
    if done != 1:
        problems.append(f"the job did not complete within {HC_JOB_SECONDS:g} s "
                        f"(COMPLETED {done})")
    else:
        st = rdb(status, 8)
        slot = rdb(status + STATUS_ERR_OFF + 4, 4)
        seq = struct.unpack("<Q", st)[0]
        err = struct.unpack("<I", slot)[0]
        if seq != 1:
            problems.append(f"status page completed_seqno {seq}, not 1")
        if err != 0:
            problems.append(f"status page error[1] = {err}, not 0")
        reg_err = rd(tl_reg(0, TL_ERROR))
        if reg_err:
            problems.append(f"timeline 0 ERROR register {reg_err}")
        want = struct.pack("<I", pattern) * (0x1000 // 4)
        for i, pa in enumerate(pages):
            got = rdb(pa, 0x1000)
            if got != want:
                bad = next(k for k in range(0x1000) if got[k] != want[k])
                problems.append(f"FILL data wrong at VA {va + i * 0x1000 + bad:#x} (PA "
                                f"{pa + bad:#x}): {got[bad:bad + 8].hex()} instead of "
                                f"{want[bad:bad + 8].hex()}")
                break
    if problems or invariant:
        rsp = qemu.qmp({"execute": "qom-get", "arguments": {"path": DEV_PATH, "property": "state"}})
        return Failure("broken-device", "health-check" if problems else "invariant",
                       (problems + invariant)[0],
                       invariant + problems + [f"device state now: {rsp.get('return', rsp)}"])
    return None


CAPS_ALL = 0x3f         # TIMELINES MMU WAIT CHECKSUM INJECT FLR (PCIe)
HOLES = [0x024, 0x0fc, 0x100, 0x1fc, 0x25c, 0x2fc, 0x300, 0x7fc, 0xc00, 0xcc0, 0xcc4,
         0xd00, 0xffc, 0x5000, 0x8000, 0xfffc]


def register_invariants(rd, ntl):
    """Read-only constants, holes, and per-timeline register sanity."""
    out = []
    for off, want in ((REG_ID, ID_MAGIC), (REG_VERSION, 0x00010000), (REG_CAPS, CAPS_ALL),
                      (REG_NUM_TL, ntl), (REG_NUM_AS, NUM_AS), (REG_NUM_VEC, ntl + 1),
                      (REG_RESET, 0), (INJ_SPURIOUS, 0),
                      # the injection settings the health check just put back
                      (0x200, 0xffffffff), (0x204, 0), (0x208, 0), (0x20c, 0), (0x210, 6),
                      (0x214, 0), (0x21c, 0), (0x220, 0), (0x224, 0), (0x228, 0),
                      (0x230, 0)):
        got = rd(BAR0 + off)
        if got != want:
            out.append(f"BAR0+{off:#x} reads {got:#x}, not {want:#x}")
    for off in HOLES + [TL_BASE + ntl * TL_STRIDE + 0x14, TL_BASE + 0x50, TL_BASE + 0xfc]:
        if off >= TL_BASE + ntl * TL_STRIDE or off < TL_BASE or (off & 0xff) >= 0x50:
            got = rd(BAR0 + off)
            if got:
                out.append(f"BAR0+{off:#x} (nothing there) reads {got:#x}, not 0")
    for a in (0, 1, 2, NUM_AS - 1):
        got = rd(as_reg(a, AS_CTRL))
        if got & ~1:
            out.append(f"AS{a} CTRL reads {got:#x}: reserved bits set")
    for t in range(ntl):
        ctrl, size = rd(tl_reg(t, TL_CTRL)), rd(tl_reg(t, TL_RING_SIZE))
        state, err = rd(tl_reg(t, TL_STATE)), rd(tl_reg(t, TL_ERROR))
        head, tail = rd(tl_reg(t, TL_HEAD)), rd(tl_reg(t, TL_TAIL))
        if ctrl & ~1:
            out.append(f"tl{t} CTRL reads {ctrl:#x}: reserved bits set")
        if state > 5:
            out.append(f"tl{t} STATE {state}: no such state")
        if not ctrl & 1 and state != 0:
            out.append(f"tl{t} is disabled (CTRL 0) but STATE is {state}, not STOPPED")
        if err not in (0, 1, 2, 3, 4, 5, 7):
            out.append(f"tl{t} ERROR {err}: not an error a command or halt sets")
        if rd(tl_reg(t, TL_RESET)) or rd(tl_reg(t, TL_IRQ_ACK)):
            out.append(f"tl{t} write-only RESET/IRQ_ACK read non-zero")
        if ctrl & 1:
            for name, v in (("HEAD", head), ("TAIL", tail)):
                if v & 7 or (v and v >= size):
                    out.append(f"tl{t} enabled with RING_SIZE {size:#x} but {name} {v:#x}")
        if len(out) > 12:
            break
    return out


def check_qmp(rsp, line, problems):
    if isinstance(rsp, dict) and "return" not in rsp:
        problems.append(f"{line[4:]} failed: {rsp.get('error', rsp)}")


# ------------------------------------------------------------------ #
# Running a program: one QEMU, lines, checks                           #
# ------------------------------------------------------------------ #

class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix="tlgpu-fuzz-")
        self.caps = None
        self.reruns = 0

    def boot(self, timelines):
        q = Qemu(str(self.args.qemu), self.workdir, timelines, self.args.timeout)
        try:
            q.start()
        except (QemuDied, QemuHang) as e:
            text = q.stderr_new() if q.proc else ""
            q.kill()
            raise RuntimeError(f"cannot start QEMU: {e}\n{text[-2000:]}") from None
        if self.caps is None or self.caps_for != timelines:
            self.caps = self.discover(q)
            self.caps_for = timelines
        return q

    def discover(self, q):
        """Walk the capability list: PCIe (FLR) and MSI-X."""
        def cfg(off, size):
            q.qtest(f"outl 0xcf8 {DEVFN_CFG | (off & 0xfc):#x}")
            op = {1: "inb", 2: "inw", 4: "inl"}[size]
            return int(q.qtest(f"{op} {0xcfc + (off & 3):#x}").split()[1], 16)
        if cfg(0, 4) != VENDOR_DEVICE:
            raise RuntimeError(f"no tlgpu at 00:04.0 (id {cfg(0, 4):#x})")
        caps = Caps()
        ptr, seen = cfg(0x34, 1) & 0xfc, 0
        while ptr and seen < 48:
            cid = cfg(ptr, 1)
            if cid == 0x10:
                caps.pcie = ptr
                caps.devctl = cfg(ptr + 8, 2) & 0x7fff
            elif cid == 0x11:
                caps.msix = ptr
            ptr, seen = cfg(ptr + 1, 1) & 0xfc, seen + 1
        if not caps.pcie or not caps.msix:
            raise RuntimeError(f"capability walk found PCIe at {caps.pcie:#x}, "
                               f"MSI-X at {caps.msix:#x}")
        return caps

    def observe(self, q, exc=None, quitting=False):
        """What went wrong with @q, if anything: exit, signal, sanitizer, hang.
        @quitting: QEMU was told to quit, so exiting with 0 is right."""
        if exc is not None and isinstance(exc, QemuDied) or (q.proc and not q.alive() and not q.hung):
            try:
                q.proc.wait(60)         # let a sanitizer finish its report
            except subprocess.TimeoutExpired:
                pass
        text = q.stderr_new()
        san = scan_sanitizers(text)
        if san:
            return san
        if isinstance(exc, QemuHang) or q.hung:
            info = q.threads() if q.alive() else []
            return Failure("hang", "hang", f"QEMU stopped answering: {exc}",
                           info[:24] + _excerpt(text.splitlines()[-10:]))
        if q.proc.poll() is not None and not (quitting and q.proc.returncode == 0):
            rc = q.proc.returncode
            how = f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exited with status {rc}"
            m = ASSERT.search(text)
            key = f"crash:{signal.Signals(-rc).name if rc < 0 else rc}"
            if m:
                key += ":" + re.sub(r"0x[0-9a-f]+|\d+", "N", m.group(1))[:120]
            return Failure("crash", key, f"QEMU {how}" + (f": {m.group(1)}" if m else ""),
                           _excerpt(text.splitlines()[-20:]))
        if exc is not None:
            return Failure("crash", "connection", f"QEMU still runs, but: {exc}",
                           _excerpt(text.splitlines()[-20:]))
        return None

    def execute(self, q, lines, bug=None, trace=None):
        """Run lines in @q; returns a Failure or None.  @trace gets every
        line sent (the failing one included)."""
        try:
            for line in lines:
                if trace is not None:
                    trace.append(line)
                run_line(q, line, bug)
        except (QemuDied, QemuHang) as e:
            return self.observe(q, e)
        return None

    def check(self, q, seed, trace, with_health=True):
        """After the program: sanitizer output so far, the health check."""
        fail = self.observe(q)
        if fail or not with_health:
            return fail
        try:
            fail = health_check(q, self.caps, seed, trace)
        except (QemuDied, QemuHang) as e:
            return self.observe(q, e)
        return fail or self.observe(q)

    def rerun(self, timelines, lines, want, bug_mode):
        """Fresh QEMU, @lines, then (for a broken device) the health check:
        whether @want's failure comes back."""
        self.reruns += 1
        try:
            q = self.boot(timelines)
        except RuntimeError as e:
            print(f"# re-run: {e}", flush=True)
            return False
        try:
            bug = BugModel(bug_mode) if bug_mode else None
            got = self.execute(q, lines, bug)
            if got is None:
                got = self.check(q, 0, [], with_health=want.kind == "broken-device")
            if got is None and want.kind in ("leak", "crash", "sanitizer"):
                q.stop()
                got = self.observe(q, quitting=True)
            return want.same(got)
        finally:
            q.kill()
            q.cleanup()

    # -- minimization ----------------------------------------------------
    def minimize(self, timelines, groups, want, bug_mode):
        """ddmin over groups of lines, then over single lines."""
        args = self.args
        budget_end = time.monotonic() + args.minimize_seconds
        start_runs = self.reruns

        def test(lines):
            if self.reruns - start_runs >= args.minimize_runs or time.monotonic() > budget_end:
                return False
            return self.rerun(timelines, lines, want, bug_mode)

        def ddmin(items, flatten):
            n = 2
            while len(items) >= 2:
                chunk = max(1, len(items) // n)
                parts = [items[i:i + chunk] for i in range(0, len(items), chunk)]
                for i in range(len(parts)):
                    cand = [x for j, p in enumerate(parts) if j != i for x in p]
                    if test(flatten(cand)):
                        items = cand
                        n = max(n - 1, 2)
                        break
                else:
                    if n >= len(items):
                        break
                    n = min(len(items), n * 2)
                if self.reruns - start_runs >= args.minimize_runs or time.monotonic() > budget_end:
                    break
            return items

        flat = lambda gs: [ln for g in gs for ln in g]   # noqa: E731
        groups = ddmin(groups, flat)
        lines = ddmin(flat(groups), lambda ls: ls)
        return lines, self.reruns - start_runs

    def reproduce(self, timelines, failing, history, want, bug_mode):
        """Minimal lines for @want: this iteration alone first, then with the
        iterations the same QEMU ran before it.  (lines, note)"""
        tries = [failing, failing]          # twice: a race may need luck
        if history:
            tries.append(history + failing)
        for groups in tries:
            lines = [ln for g in groups for ln in g]
            if not self.rerun(timelines, lines, want, bug_mode):
                continue
            if self.args.minimize_runs <= 0:
                return lines, "not minimized (--minimize-runs 0)"
            t0 = time.monotonic()
            mini, runs = self.minimize(timelines, groups, want, bug_mode)
            return mini, (f"minimized from {len(lines)} lines to {len(mini)} in {runs} "
                          f"re-runs, {time.monotonic() - t0:.0f} s")
        return None, "did not reproduce in a fresh QEMU"


# ------------------------------------------------------------------ #
# The run                                                              #
# ------------------------------------------------------------------ #

def session_timelines(rng):
    return rng.choice([4] * 6 + [1, 2, 7, 64])


def write_repro(path, timelines, lines, header):
    with open(path, "w", encoding="utf-8") as f:
        for h in header:
            f.write(f"# {h}\n")
        f.write(f"# timelines: {timelines}\n")
        for ln in lines:
            f.write(ln + "\n")


def fuzz(args, fz, out_dir):
    cases = []
    seen = {}        # failure key -> case name of its first occurrence
    rss_problems = []
    exit_problems = []
    t_start = time.monotonic()
    deadline = t_start + args.seconds if args.seconds else None
    if args.iteration is not None:
        iters = [args.iteration]
    else:
        iters = range(args.iterations if args.iterations else 1 << 30)
    q, history, q_iters = None, [], 0
    # --inject-bug plants its trigger in one iteration: the second one
    bug_iter = args.iteration if args.iteration is not None else \
        min(1, (args.iterations or 2) - 1)
    for k in iters:
        if deadline and time.monotonic() > deadline:
            if args.iterations:
                print(f"# time cap of {args.seconds:g} s reached: stopped after {k} of "
                      f"{args.iterations} iterations", flush=True)
            break
        rng = random.Random(f"{args.seed}:{k}")
        want_t = session_timelines(random.Random(f"{args.seed}:session:{k // args.reuse}"))
        if q is not None and (q_iters >= args.reuse or q.timelines != want_t or not q.alive()):
            finish_session(fz, q, history, rss_problems, exit_problems, args)
            q = None
        if q is None:
            try:
                q, history, q_iters = fz.boot(want_t), [], 0
            except RuntimeError as e:
                cases.append(ktap.Case(f"seed-{args.seed}.iter-{k}", ktap.FAIL, "boot",
                                       str(e).splitlines()))
                print(f"# {e}", flush=True)
                break
        name = f"seed-{args.seed}.iter-{k}"
        nactions = rng.randrange(args.min_actions, args.max_actions + 1)
        groups = Gen(rng, q.timelines, fz.caps).program(nactions)
        bug = None
        if args.inject_bug:
            bug = BugModel(args.inject_bug)
            if k == bug_iter:
                pos = sorted(rng.sample(range(2, len(groups) + 3), 3))
                for p, line in zip(pos, BugModel.TRIGGER):
                    groups.insert(p, ("inject-bug trigger", [line]))
        glines = [g[1] for g in groups]
        trace = []
        t0 = time.monotonic()
        fail = fz.execute(q, [ln for g in glines for ln in g], bug, trace)
        if fail is None and args.verbose:
            try:
                st = q.qmp({"execute": "qom-get", "arguments": {"path": DEV_PATH,
                                                                "property": "state"}})
                print(f"# {k}: {st.get('return', st)}", flush=True)
            except (QemuDied, QemuHang) as e:
                fail = fz.observe(q, e)
        if fail is None:
            fail = fz.check(q, args.seed ^ k, trace)
        rss = q.rss_kb() if q.alive() else None
        if rss:
            q.rss_samples.append((k, rss))
        secs = time.monotonic() - t0
        q_iters += 1
        if fail is None:
            cases.append(ktap.Case(name, ktap.PASS))
            print(f"ok - {name} ({q.timelines} timelines, {len(groups)} actions, "
                  f"{len(trace)} lines, {secs:.1f} s, rss {rss or 0} kB)", flush=True)
            history.append(trace)       # the program and its health check
            continue
        # A failure: this QEMU is done for.
        diag = [f"{fail.kind}: {fail.summary}", f"qemu: {q.shown_cmdline()}"] + fail.details
        q.kill()
        full = out_dir / f"fuzz-{name}.full.qtest"
        # What ran: the program (the lines actually sent, the failing one
        # last) and, when the health check failed, that check.
        if fail.kind == "broken-device":
            ran = glines
        else:
            sent, ran = len(trace), []
            for g in glines:
                if sent <= 0:
                    break
                ran.append(g[:sent])
                sent -= len(g)
            if sent > 0:
                ran.append(trace[-sent:])
        write_repro(full, q.timelines, [ln for g in ran for ln in g],
                    [f"fuzz-device {name}: {fail.summary}", "the whole iteration, not minimized"])
        diag.append(f"full trace: {full}")
        diag.append(f"again: ci/fuzz-device.py --qemu QEMU --seed {args.seed} --iteration {k}"
                    + (f" --reuse {args.reuse}" if args.reuse != REUSE else ""))
        if fail.key in seen:
            diag.append(f"same failure as {seen[fail.key]}: not minimized again")
            lines, note = None, ""
        else:
            seen[fail.key] = name
            print(f"# {name}: {fail.kind}: {fail.summary}; minimizing...", flush=True)
            lines, note = fz.reproduce(q.timelines, ran, history, fail, args.inject_bug)
            diag.append(f"reproducer: {note}")
        if lines is not None:
            rep = out_dir / f"fuzz-{name}.repro.qtest"
            write_repro(rep, q.timelines, lines, [f"fuzz-device {name}: {fail.summary}",
                                                  note, "replay: ci/fuzz-device.py --qemu QEMU "
                                                  f"--replay {rep.name}"])
            diag.append(f"minimal reproducer ({rep}), QEMU with timelines={q.timelines}:")
            diag += [f"  {ln if len(ln) < 200 else ln[:200] + '...'}" for ln in lines]
            if fail.kind == "broken-device":
                diag.append("  (then the health check: full reset, AS 0 + timeline 0, FILL + FENCE)")
        print("\n".join(f"# {d}" for d in diag), flush=True)
        cases.append(ktap.Case(name, ktap.FAIL, fail.kind, diag))
        q.cleanup()
        q = None
    if q is not None:
        finish_session(fz, q, history, rss_problems, exit_problems, args)
    cases.append(ktap.Case("memory-growth", ktap.FAIL if rss_problems else ktap.PASS, "",
                           rss_problems))
    cases.append(ktap.Case("qemu-exit", ktap.FAIL if exit_problems else ktap.PASS, "",
                           exit_problems))
    return cases, time.monotonic() - t_start


def finish_session(fz, q, history, rss_problems, exit_problems, args):
    """Memory growth over the QEMU's life; a clean quit (leaks, exit status)."""
    s = q.rss_samples
    if len(s) >= 2:
        base = s[0][1]
        peak_k, peak = max(s[1:], key=lambda x: x[1])
        if peak - base > args.rss_growth_mb * 1024:
            rss_problems += [f"QEMU {q.proc.pid}: VmRSS grew from {base} kB (after iteration "
                             f"{s[0][0]}) to {peak} kB (after iteration {peak_k}), more than "
                             f"{args.rss_growth_mb} MiB", "samples: " +
                             " ".join(f"{k}:{v}" for k, v in s)]
    q.stop()
    fail = fz.observe(q, quitting=True)
    if q.hung:
        exit_problems.append(f"QEMU {q.proc.pid} did not quit within 60 s")
    elif fail:
        exit_problems += [f"{fail.kind}: {fail.summary}"] + fail.details
    q.cleanup()


def replay(args, fz):
    path = Path(args.replay)
    lines, timelines = [], 4
    for raw in path.read_text().splitlines():
        ln = raw.strip()
        m = re.match(r"#\s*timelines:\s*(\d+)", ln)
        if m:
            timelines = int(m.group(1))
        if ln and not ln.startswith("#"):
            lines.append(ln)
    if args.timelines:
        timelines = args.timelines
    q = fz.boot(timelines)
    bug = BugModel(args.inject_bug) if args.inject_bug else None
    trace = []
    fail = fz.execute(q, lines, bug)
    if fail is None:
        fail = fz.check(q, 0, trace)
    if fail is None:
        q.stop()
        fail = fz.observe(q, quitting=True)
    q.kill()
    q.cleanup()
    name = f"replay.{path.name}"
    if fail:
        diag = [f"{fail.kind}: {fail.summary}"] + fail.details
        print("\n".join(f"# {d}" for d in diag))
        return [ktap.Case(name, ktap.FAIL, fail.kind, diag)]
    return [ktap.Case(name, ktap.PASS)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--qemu", required=True, type=Path)
    p.add_argument("--seed", type=int, default=None)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--seconds", type=float, help="fuzz for this long (then finish the iteration)")
    g.add_argument("--iterations", type=int)
    g.add_argument("--iteration", type=int, help="run only iteration K of --seed")
    g.add_argument("--replay", metavar="FILE", help="replay a reproducer in a fresh QEMU")
    p.add_argument("--results", type=Path, help="write DIR/fuzz-device.ktap and reproducers")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per qtest/QMP command")
    p.add_argument("--reuse", type=int, default=REUSE, help="iterations per QEMU process")
    p.add_argument("--min-actions", type=int, default=60)
    p.add_argument("--max-actions", type=int, default=300)
    p.add_argument("--rss-growth-mb", type=int, default=384,
                   help="VmRSS growth over a QEMU's life that counts as a leak")
    p.add_argument("--minimize-runs", type=int, default=200)
    p.add_argument("--minimize-seconds", type=float, default=300)
    p.add_argument("--timelines", type=int, help="with --replay: override the file's")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the device state after each program")
    p.add_argument("--inject-bug", choices=["segv", "hang", "broken"],
                   help="testing the fuzzer: plant the old AS-window reproducer in one "
                        "iteration and make QEMU crash (SIGSEGV), hang (SIGSTOP) or "
                        "stop running jobs on it")
    args = p.parse_args()
    if not args.qemu.exists():
        p.error(f"no QEMU at {args.qemu}")
    short = args.seconds is None and args.iterations is None and args.iteration is None \
        and args.replay is None
    if args.seed is None:
        args.seed = SHORT_SEED if short or args.iteration is not None else \
            random.SystemRandom().randrange(1 << 31)
    if short:
        args.iterations, args.seconds = SHORT_ITERATIONS, SHORT_SECONDS
    out_dir = args.results or (None if args.replay else
                               Path(tempfile.mkdtemp(prefix="tlgpu-fuzz-out-")))
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    fz = Fuzzer(args)
    what = (f"replay {args.replay}" if args.replay else
            f"seed {args.seed}, " + (f"iteration {args.iteration}" if args.iteration is not None else
                                     f"{args.iterations} iterations" if args.iterations else
                                     f"{args.seconds:g} s")
            + (f" (at most {args.seconds:g} s)" if args.iterations and args.seconds else ""))
    print(f"# fuzz-device: {args.qemu} {what}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.replay:
            cases, secs = replay(args, fz), 0.0
        else:
            cases, secs = fuzz(args, fz, out_dir)
    finally:
        for q in list(Qemu.live):
            q.kill()
        shutil.rmtree(fz.workdir, ignore_errors=True)
    if not args.replay:
        print(f"# fuzz-device: {sum(c.name.startswith('seed-') for c in cases)} iterations, "
              f"{fz.reruns} re-runs, {secs:.0f} s; traces and reproducers in {out_dir}")
    if args.results:
        ktap.write(args.results / "fuzz-device.ktap", cases, f"tlgpu device fuzzer, {what}")
    failed = [c for c in cases if c.result == ktap.FAIL]
    for c in failed:
        print(f"not ok - {c.name} # {c.reason}")
    passed, nfailed, skipped = ktap.counts(cases)
    print(f"# fuzz-device: {ktap.summary(passed, nfailed, skipped)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
