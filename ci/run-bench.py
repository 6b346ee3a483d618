#!/usr/bin/env python3
"""Boot the tlgpu guest in bench mode and report the benchmarks.

Runs images/run-vm.sh --mode bench (two tlgpu devices of 16 timelines,
vgem), collects the 'BENCH {json}' lines the programs of
/usr/lib/tlgpu/bench print on ttyS1 (guest-userspace/bench/), and adds
the time to first test of every kernel flavour that is built: QEMU start
to the first KTAP line on ttyS1, over a few boots that run no benchmark.
With the debug flavour, its first boot runs the fence benchmark, which
measures sw_sync there.

Writes RESULTS/results.json (every figure: statistics, its baseline, the
ratio, the machine and what else ran on it), RESULTS/<flavor>-<boot>.log,
.out and .err (console, ttyS1, and run-vm.sh's and QEMU's stderr of each
boot) and RESULTS/*.png (plots, with Debian's python3-matplotlib);
prints the table.  Exits 1 only when a benchmark broke: a program failed
or printed BENCH-ERROR, an expected figure is missing, the guest died or
hung.  Slowness never fails.
"""

import argparse
import datetime
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
# The two kernels benchmarked: Debian 12's packaged one and its debug build.
STOCK, DEBUG = "6.1-stock", "6.1-debug"
BUILD = Path(os.environ.get("BUILD", TOP / "build"))
RUN_VM = TOP / "images" / "run-vm.sh"

BEGIN_RE = re.compile(r"^TLGPU-SUITE-BEGIN (?P<prog>\S+)")
END_RE = re.compile(r"^TLGPU-SUITE-END (?P<prog>\S+) rc=(?P<rc>-?\d+)")
DONE = "TLGPU-BENCH-DONE"
KTAP_LINE = "KTAP version 1"
# Console lines marking the boot phases: the kernel's first line and its
# hand-over to /init.
PHASES = (("kernel", "ttyS0", "Linux version"),
          ("init", "ttyS0", "Run /init as init process"),
          ("first_ktap", "ttyS1", KTAP_LINE))

BENCH_DEVICES, BENCH_TIMELINES = 2, 16
# The debug kernel (lockdep, KASAN, kmemleak, ...) runs the fence
# benchmark about 20 times slower: this percentage of its repetitions.
DEBUG_FENCE_SCALE = 10
# Boots that only measure the time to first test look like 'make check'.
BOOT_DEVICES, BOOT_TIMELINES = 2, 4

# The figures each benchmark must report; (bench, figure) pairs in
# OPTIONAL may be skipped instead (sw_sync needs CONFIG_SW_SYNC).
EXPECTED = {
    "fence": ["syncfile-tlgpu", "syncfile-vgem", "syncobj-tlgpu", "syncobj-vgem",
              "syncfile-sw_sync", "syncobj-sw_sync"],
    "submit": ["vgem"] + [f"{kind}-{n}tl" for kind in ("independent", "chained")
                          for n in (1, 4, 16)],
    "deps": ["cpu", "device", "cross-device", "cpu-e2e", "device-e2e", "cross-device-e2e"],
    "irq": ["one-at-a-time", "sustained-1tl", "sustained-4tl", "sustained-16tl"],
    "copy": ["cpu-memcpy", "device-copy"],
    "syncobj": [f"{s}@{10 ** e}" for e in range(7)
                for s in ("signal", "wait", "wait-first", "destroy")],
}
OPTIONAL = {("fence", "syncfile-sw_sync"), ("fence", "syncobj-sw_sync")}
# Benchmarks whose figures the generic table shows only at these sizes;
# the syncobj table has them all.
SYNCOBJ_TABLE_POINTS = (1, 10 ** 6)


def load_run_guest():
    """ci/run-guest.py as a module, for its kernel-report scanner."""
    spec = importlib.util.spec_from_file_location("run_guest", TOP / "ci" / "run-guest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# Statistics (as guest-userspace/bench/bench.c computes them)
# --------------------------------------------------------------------------

def quantile(values, q):
    v = sorted(values)
    pos = q * (len(v) - 1)
    i = int(pos)
    if i + 1 >= len(v):
        return v[-1]
    return v[i] + (pos - i) * (v[i + 1] - v[i])


def stats(values, better="lower"):
    return {"n": len(values), "median": quantile(values, 0.5),
            "p99": quantile(values, 0.99 if better == "lower" else 0.01),
            "mean": sum(values) / len(values), "min": min(values), "max": max(values)}


# --------------------------------------------------------------------------
# Machine
# --------------------------------------------------------------------------

def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def cpu_times():
    """{pid: (utime + stime in clock ticks, program name)} of every process."""
    times = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            argv0 = (d / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except (OSError, IndexError):
            continue
        if argv0:   # kernel threads have none
            times[int(d.name)] = (int(fields[11]) + int(fields[12]), os.path.basename(argv0))
    return times


def host_ticks():
    """(busy, total) clock ticks of all CPUs, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]    # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


class LoadMonitor:
    """Samples the load average, and the CPU use of every other program
    (all its processes, short-lived ones included) over each interval,
    while the VMs run."""

    INTERVAL = 10.0

    def __init__(self):
        self.loads, self.use = [], []     # use: one {program: %CPU} per interval
        self.other_total = []   # % of one CPU used by everything but this run
        self.next, self.last, self.last_t = 0.0, cpu_times(), time.monotonic()
        self.last_stat = host_ticks()
        self.hz = os.sysconf("SC_CLK_TCK")

    def poll(self, exclude_pids):
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + self.INTERVAL
        self.loads.append(os.getloadavg()[0])
        times, stat, use, ours = cpu_times(), host_ticks(), {}, 0
        for pid, (ticks, name) in times.items():
            # A process born in the interval spent all its ticks in it.
            delta = ticks - self.last[pid][0] if pid in self.last else ticks
            if pid in exclude_pids or pid == os.getpid():
                ours += delta
                continue
            use[name] = use.get(name, 0) + 100.0 * delta / self.hz / (now - self.last_t)
        self.use.append(use)
        # Short-lived processes (compilers) die unseen: the host's busy time
        # less this run's is what everything else took.
        busy, total = stat[0] - self.last_stat[0], stat[1] - self.last_stat[1]
        if total > 0:
            self.other_total.append(100.0 * os.cpu_count() * max(0, busy - ours) / total)
        self.last, self.last_t, self.last_stat = times, now, stat

    def others(self):
        """'program mean% (peak%)' of the busiest other programs."""
        if not self.use:
            return []
        names = {n for u in self.use for n in u}
        rows = sorted(((sum(u.get(n, 0) for u in self.use) / len(self.use),
                        max(u.get(n, 0) for u in self.use), n) for n in names), reverse=True)
        return [f"{n} {mean:.0f}% (peak {peak:.0f}%)" for mean, peak, n in rows if peak >= 5]


def descendants(pid):
    """pid and its descendants (from /proc), to tell our QEMU from others."""
    children = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        found.add(p)
        todo += children.get(p, [])
    return found


# --------------------------------------------------------------------------
# Boots
# --------------------------------------------------------------------------

class Boot:
    """One VM run with its console (ttyS0) and output (ttyS1) files."""

    def __init__(self, results, flavor, tag, devices, timelines, append):
        self.flavor, self.tag = flavor, tag
        self.devices, self.timelines, self.append = devices, timelines, append
        self.log = results / f"{flavor}-{tag}.log"
        self.out = results / f"{flavor}-{tag}.out"
        self.err = results / f"{flavor}-{tag}.err"     # run-vm.sh and QEMU
        self.phases = {}            # phase -> seconds since QEMU start
        self.line_times = []        # (seconds, ttyS1 line) as they arrived
        self.rc = None
        self.seconds = 0.0
        self.accel = "?"

    def run(self, timeout, monitor):
        for f in (self.log, self.out, self.err):
            f.unlink(missing_ok=True)
        cmd = ["bash", str(RUN_VM), "--flavor", self.flavor, "--mode", "bench",
               "--devices", str(self.devices), "--timelines", str(self.timelines),
               "--serial-log", str(self.log), "--test-out", str(self.out)]
        for word in self.append:
            cmd += ["--append", word]
        print(f"# {self.flavor}-{self.tag}: {' '.join(cmd[1:])}", flush=True)
        start = time.monotonic()
        with open(self.err, "w") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
        readers = {"ttyS0": Tail(self.log), "ttyS1": Tail(self.out)}
        killed = False
        while True:
            now = time.monotonic() - start
            for name, tail in readers.items():
                for line in tail.new_lines():
                    if name == "ttyS1":
                        self.line_times.append((now, line))
                    for phase, where, marker in PHASES:
                        if where == name and phase not in self.phases and marker in line:
                            self.phases[phase] = now
            if proc.poll() is not None:
                break
            if now > timeout:
                killed = True
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                break
            monitor.poll(descendants(proc.pid))
            time.sleep(0.01)
        self.seconds = time.monotonic() - start
        self.rc = None if killed else proc.returncode
        for tail in readers.values():  # what arrived after the last look
            for line in tail.new_lines(final=True):
                if tail is readers["ttyS1"]:
                    self.line_times.append((self.seconds, line))
        err = self.err.read_text(errors="replace")
        m = re.search(r"accelerator (\w+)", err)
        self.accel = m.group(1) if m else "?"
        for line in err.splitlines():
            if not line.startswith("run-vm: accelerator"):
                print(f"#   {line}")
        print(f"#   {self.seconds:.1f} s, " +
              ("killed by the watchdog" if self.rc is None else f"QEMU exit status {self.rc}") +
              "".join(f", {p} {t:.2f} s" for p, t in self.phases.items()), flush=True)


class Tail:
    """New complete lines of a growing file."""

    def __init__(self, path):
        self.path, self.pos, self.partial = path, 0, b""

    def new_lines(self, final=False):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return []
        self.pos += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = b"" if final else lines.pop()
        return [l.decode("utf-8", "replace").rstrip("\r") for l in lines if l or not final]


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

def parse_bench(boot, errors, notes):
    """Figures of the BENCH lines of one boot; errors for what broke."""
    figures, prog, seen_done = [], None, False
    for t, line in boot.line_times:
        begin, end = BEGIN_RE.match(line), END_RE.match(line)
        if begin:
            prog, prog_start = begin.group("prog"), t
        elif end:
            rc = int(end.group("rc"))
            if rc != 0 and prog != "boot":
                errors.append(f"{boot.flavor}: {end.group('prog')} exited with status {rc}"
                              + (" (killed by the in-guest timeout)" if rc == 137 else ""))
            if prog and prog != "boot":
                notes.append(f"{boot.flavor}: {prog} ran {t - prog_start:.1f} s")
            prog = None
        elif line == DONE:
            seen_done = True
        elif line.startswith("BENCH-ERROR"):
            errors.append(f"{boot.flavor}: {line}")
        elif line.startswith("not ok") and prog == "boot":
            errors.append(f"{boot.flavor}: boot check failed: {line}")
        elif line.startswith("BENCH "):
            try:
                d = json.loads(line[len("BENCH "):])
            except json.JSONDecodeError as e:
                errors.append(f"{boot.flavor}: unreadable BENCH line ({e}): {line[:120]}")
                continue
            d["flavor"] = boot.flavor
            if "note" in d:
                notes.append(f"{boot.flavor}: {d['bench']}: {d['note']}")
            else:
                figures.append(d)
    if prog:
        errors.append(f"{boot.flavor}: {prog} never finished (the guest died or hung)")
    if not seen_done:
        errors.append(f"{boot.flavor}: no {DONE} on ttyS1")
    return figures


def check_expected(figures, benches, flavor, errors):
    have = {(f["bench"], f["figure"]): f for f in figures if f["flavor"] == flavor}
    for bench in benches:
        for name in EXPECTED[bench]:
            f = have.get((bench, name))
            if f is None:
                errors.append(f"{flavor}: {bench}/{name}: no figure reported")
            elif "skip" in f and (bench, name) not in OPTIONAL:
                errors.append(f"{flavor}: {bench}/{name} skipped: {f['skip']}")
            elif "skip" not in f and not isinstance(f.get("median"), (int, float)):
                errors.append(f"{flavor}: {bench}/{name}: no median")


def add_ratios(figures):
    """ratio = median / the baseline's median, in the same boot; none for
    medians at or below zero (a dependency gap can be negative)."""
    index = {(f["flavor"], f["bench"], f["figure"]): f for f in figures}
    for f in figures:
        base = index.get((f["flavor"], f["bench"], f.get("baseline")))
        if "skip" in f or not base or "skip" in base:
            continue
        if f["median"] > 0 and base["median"] > 0:
            f["ratio"] = f["median"] / base["median"]


def boot_figures(boots):
    """Time to first test per flavour, from the boots that ran no benchmark."""
    figures = []
    by_flavor = {}
    for b in boots:
        if b.tag.startswith("boot"):
            by_flavor.setdefault(b.flavor, []).append(b)
    for flavor, bs in by_flavor.items():
        for phase, desc, baseline in (
                ("init", "QEMU start -> the kernel runs /init", None),
                ("first_ktap", "QEMU start -> first KTAP line on ttyS1", f"init-{flavor}")):
            values = [b.phases[phase] for b in bs if phase in b.phases]
            if not values:
                continue
            f = {"bench": "boot", "figure": f"{phase.replace('_', '-')}-{flavor}",
                 "desc": f"{desc} ({flavor} kernel)", "unit": "s", "better": "lower",
                 "flavor": "host", "samples": values, **stats(values)}
            if baseline:
                f["baseline"] = baseline
            figures.append(f)
    if DEBUG in by_flavor and STOCK in by_flavor:
        for f in figures:       # the debug kernel against the stock one
            if f["figure"].endswith("-debug"):
                f["baseline"] = f["figure"].replace("-debug", "-stock")
    return figures


# --------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------

def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1e5:
        return f"{v:.3g}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}" if a >= 0.1 or a == 0 else f"{v:.3f}"


def table_rows(figures):
    rows = []
    for f in figures:
        if f["bench"] == "syncobj" and f.get("points") not in SYNCOBJ_TABLE_POINTS:
            continue
        name = f"{f['bench']}/{f['figure']}" + (f" [{f['flavor']}]" if f["flavor"] == DEBUG else "")
        if "skip" in f:
            rows.append((name, "skipped", "", "", "", "", f["skip"]))
            continue
        ratio = f.get("ratio")
        rows.append((name, fmt(f["median"]), fmt(f["p99"]), f["unit"],
                     f.get("baseline", "(baseline)"),
                     f"{ratio:.3g}x" if ratio is not None else "", extra_text(f)))
    return rows


def extra_text(f):
    b, name = f["bench"], f["figure"]
    if b == "deps":
        text = [f"B signalled before A: {f['inverted']}/{f['n']}"] if "inverted" in f else []
        if f.get("raced"):
            text.append(f"{f['raced']} left out: A done before B was queued")
        if f["median"] <= 0:
            text.append("no ratio: median <= 0")
        return "; ".join(text)
    if b == "irq":
        return f"{f['guest_irqs']} irqs / {f['fences']} fences, {f['device_coalesced']} coalesced"
    if b == "submit":
        return f"submit alone {fmt(f['submit_only_mean'])}/s"
    return ""


def print_table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = lambda r: "  ".join(str(c).ljust(w) if i in (0, 3, 4, 6) else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    print(line(headers))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))


def print_syncobj_table(figures):
    by = {}
    for f in figures:
        if f["bench"] == "syncobj" and "skip" not in f:
            by.setdefault(f["points"], {})[f["series"]] = f
    if not by:
        return
    print()
    print("# timeline syncobj by size (us, median/p99; memory: Slab and MemFree change"
          " while the objects existed, KiB)")
    headers = ("points", "objects", "signal", "wait", "wait-first", "destroy",
               "grow ns/pt", "slab KiB", "memfree KiB")
    rows = []
    for points in sorted(by):
        s = by[points]
        any_f = next(iter(s.values()))
        cell = lambda k: f"{fmt(s[k]['median'])}/{fmt(s[k]['p99'])}" if k in s else "-"
        rows.append((f"{points:,}", any_f["objects"], cell("signal"), cell("wait"),
                     cell("wait-first"), cell("destroy"), fmt(any_f["grow_ns_per_point"]),
                     any_f["slab_kib_grown"], any_f["memfree_kib_used"]))
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths)))
    for r in rows:
        print("  ".join(str(c).rjust(w) for c, w in zip(r, widths)))


# --------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------

def make_plots(results_json, outdir):
    """PNGs of results_json into outdir; needs matplotlib."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(Path(results_json).read_text())
    figs = [f for f in data["figures"] if "skip" not in f]
    get = {(f["flavor"], f["bench"], f["figure"]): f for f in figs}
    machine = data["machine"]
    subtitle = (f"{machine['cpu']} x{machine['nproc']}, {machine['accel']}, "
                f"guest {machine['guest_cpus']} vCPU; {data['date'][:16]}")
    written = []

    def save(fig, name, title):
        fig.suptitle(f"{title}\n{subtitle}", fontsize=10)
        fig.tight_layout()
        path = Path(outdir) / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path.name)

    def cdf(ax, f, label):
        v = sorted(f["samples"])
        ax.plot(v, [(i + 1) / len(v) for i in range(len(v))], label=label)

    # 1. fence round trip: CDFs
    flavors = sorted({f["flavor"] for f in figs if f["bench"] == "fence"})
    if flavors:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        for ax, kind in zip(axes, ("syncfile", "syncobj")):
            for flavor in flavors:
                for src in ("tlgpu", "vgem", "sw_sync"):
                    f = get.get((flavor, "fence", f"{kind}-{src}"))
                    if f and f.get("samples"):
                        cdf(ax, f, f"{src} [{flavor}] median {fmt(f['median'])} us")
            ax.set_xscale("log")
            ax.set_xlabel("round trip, us (log)")
            ax.set_title("sync_file poll" if kind == "syncfile" else "syncobj wait")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        axes[0].set_ylabel("fraction of samples")
        save(fig, "fence.png", "Fence round trip: empty tlgpu job vs. vgem fence signalled from userspace")

    # 2. submission throughput
    if get.get((STOCK, "submit", "vgem")):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        tls = (1, 4, 16)
        for k, (kind, color) in enumerate((("independent", "C0"), ("chained", "C1"))):
            med, low = [], []
            for n in tls:
                f = get.get((STOCK, "submit", f"{kind}-{n}tl"))
                med.append(f["median"] if f else 0)
                low.append(f["median"] - f["p99"] if f else 0)
            xs = [i + (k - 0.5) * 0.38 for i in range(len(tls))]
            ax.bar(xs, med, 0.38, yerr=[low, [0] * len(low)], color=color, capsize=3,
                   label=f"{kind} (median, whisker: p99 = 1st percentile)")
        v = get[(STOCK, "submit", "vgem")]
        ax.axhline(v["median"], color="k", ls="--", label=f"vgem attach+signal {fmt(v['median'])}/s")
        ax.set_yscale("log")
        ax.set_xticks(range(len(tls)), [f"{n} timeline{'s' if n > 1 else ''}" for n in tls])
        ax.set_ylabel("jobs (fences) per second, log")
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8)
        save(fig, "submit.png", "Submission throughput: empty jobs to completion")

    # 3. dependency latency
    variants = ("cpu", "device", "cross-device")
    if all(get.get((STOCK, "deps", n)) for n in variants):
        fig, axes = plt.subplots(2, 1, figsize=(9, 6.5))
        for ax, suffix, xlabel in (
                (axes[0], "", "A signalled -> B signalled, us (symlog; < 0: B before A)"),
                (axes[1], "-e2e", "A SUBMIT -> B seen done by the waiter, less A's DELAY, us (symlog)")):
            deps = [get[(STOCK, "deps", n + suffix)] for n in variants]
            ax.boxplot([f["samples"] for f in deps], vert=False, whis=(1, 99),
                       showfliers=True, flierprops={"markersize": 2})
            ax.set_yticks(range(1, len(deps) + 1),
                          [f"{f['figure']}\nmedian {fmt(f['median'])} us" for f in deps])
            ax.set_xscale("symlog", linthresh=10)
            lowest = min(min(f["samples"]) for f in deps)
            ax.set_xlim(left=2 * lowest if lowest < 0 else 0)
            ax.axvline(0, color="r", lw=0.8)
            ax.set_xlabel(xlabel)
            ax.grid(True, axis="x", which="both", alpha=0.3)
        save(fig, "deps.png", "Dependency latency: CPU round trip vs. device WAIT vs. "
             "cross-device implicit sync (whiskers 1-99 %)")

    # 4. interrupts per fence
    irq = [f for f in figs if f["bench"] == "irq"]
    if irq:
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.bar([f["figure"] for f in irq], [f["median"] for f in irq],
               yerr=[[0] * len(irq), [f["p99"] - f["median"] for f in irq]], capsize=3,
               color=["C7"] + ["C0"] * (len(irq) - 1))
        for i, f in enumerate(irq):
            ax.text(i, f["median"] / 2, f"{f['median']:.2f}", ha="center", va="center",
                    color="w", fontsize=10)
        ax.set_ylabel("guest interrupts per completed fence")
        ax.grid(True, axis="y", alpha=0.3)
        save(fig, "irq.png", "Interrupt coalescing (median, whisker to p99)")

    # 5. copy bandwidth
    copy = [get.get((STOCK, "copy", n)) for n in ("cpu-memcpy", "device-copy")]
    copy = [f for f in copy if f]
    if copy:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.bar([f["figure"] for f in copy], [f["median"] for f in copy],
               yerr=[[f["median"] - f["p99"] for f in copy], [0] * len(copy)], capsize=3,
               color=["C7", "C0"])
        for i, f in enumerate(copy):
            ax.text(i, f["median"] / 2, f"{f['median']:.0f}", ha="center", va="center",
                    color="w", fontsize=10)
        ax.set_ylabel("MiB/s (64 MiB)")
        ax.grid(True, axis="y", alpha=0.3)
        save(fig, "copy.png", "Copy bandwidth: device COPY vs. guest memcpy")

    # 6. syncobj scale
    so = [f for f in figs if f["bench"] == "syncobj"]
    if so:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.3))
        for series in ("signal", "wait", "wait-first", "destroy"):
            pts = sorted((f["points"], f["median"], f["p99"]) for f in so if f["series"] == series)
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"{series} median")
            ax.plot([p[0] for p in pts], [p[2] for p in pts], ":", color=line.get_color(),
                    label=f"{series} p99")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("points on the timeline syncobj")
        ax.set_ylabel("us per operation (log)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        pts = sorted({(f["points"], f["objects"], f["slab_kib_grown"], f["memfree_kib_used"])
                      for f in so})
        xs = [p[0] for p in pts]
        ax2.plot(xs, [p[2] for p in pts], "o-", label="Slab grown, all objects")
        ax2.plot(xs, [p[3] for p in pts], "s-", label="MemFree used, all objects")
        ax2.plot(xs, [p[0] * p[1] * 128 / 1024 for p in pts], "k--", lw=0.8,
                 label="if every point kept 128 B")
        ax2.set_xscale("log")
        ax2.set_yscale("symlog", linthresh=100)
        ax2.set_xlabel("points per object (objects alive together: see the table)")
        ax2.set_ylabel("KiB while the objects exist (symlog)")
        ax2.grid(True, which="both", alpha=0.3)
        ax2.legend(fontsize=7)
        save(fig, "syncobj.png", "Timeline syncobj scale: cost per operation and memory vs. points")

    # 7. time to first test
    boots = [r for r in data["runs"] if r["tag"].startswith("boot")]
    if boots:
        flavors = sorted({r["flavor"] for r in boots})
        fig, ax = plt.subplots(figsize=(8, 2.0 + 1.0 * len(flavors)))
        for y, flavor in enumerate(flavors):
            rs = [r for r in boots if r["flavor"] == flavor and "first_ktap" in r["phases"]]
            if not rs:
                continue
            kern = quantile([r["phases"]["init"] for r in rs], 0.5)
            ktap = quantile([r["phases"]["first_ktap"] for r in rs], 0.5)
            ax.barh(y, kern, color="C7", label="QEMU start -> /init" if y == 0 else None)
            ax.barh(y, ktap - kern, left=kern, color="C0",
                    label="/init -> first KTAP line" if y == 0 else None)
            ticks = [r["phases"]["first_ktap"] for r in rs]
            ax.plot(ticks, [y] * len(rs), "k|", ms=14)
            ax.text(max(ticks), y, f"   {ktap:.1f} s (median of {len(rs)})", va="center",
                    fontsize=8)
        ax.set_yticks(range(len(flavors)), flavors)
        ax.set_xlabel("seconds; ticks: first KTAP line of each boot")
        ax.set_xlim(right=1.35 * max(r["phases"].get("first_ktap", 0) for r in boots))
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(True, axis="x", alpha=0.3)
        save(fig, "boot.png", "Time to first test")

    # Every ratio at once
    rated = [f for f in figs if f.get("ratio") is not None and
             (f["bench"] != "syncobj" or f.get("points") == 10 ** 6)]
    if rated:
        fig, ax = plt.subplots(figsize=(9, 0.8 + 0.32 * len(rated)))
        labels = [f"{f['bench']}/{f['figure']}" + (" [debug]" if f["flavor"] == DEBUG else "")
                  + f" vs {f['baseline']}" for f in rated]
        ax.barh(range(len(rated)), [f["ratio"] for f in rated],
                color=["C2" if (f["ratio"] >= 1) == (f["better"] == "higher") else "C3"
                       for f in rated])
        ax.set_yticks(range(len(rated)), labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.axvline(1, color="k", lw=0.8)
        ax.set_xlabel("median / baseline median (log; green: better than the baseline)")
        ax.grid(True, axis="x", which="both", alpha=0.3)
        save(fig, "ratios.png", "Every figure against its baseline (same run)")
    return written


def plots(results_json, outdir):
    """make_plots(), with Debian's python3 if this one has no matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        system = Path("/usr/bin/python3")
        if Path(sys.executable).resolve() != system.resolve() and system.exists():
            r = subprocess.run([str(system), __file__, "--plot-only", str(results_json),
                                "--results", str(outdir)])
            return r.returncode == 0
        print("# plots skipped: no matplotlib (make deps installs python3-matplotlib)")
        return False
    written = make_plots(results_json, outdir)
    print(f"# plots: {', '.join(written)}")
    return True


# --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=BUILD / "bench")
    parser.add_argument("--flavors", default="auto",
                        help="comma-separated; auto: stock, and debug if it is built")
    parser.add_argument("--boots", type=int, default=5,
                        help="boots per flavour for the time to first test")
    parser.add_argument("--only", default="",
                        help="comma-separated benchmarks (fence,submit,...): only these")
    parser.add_argument("--scale", type=int, default=100,
                        help="repetitions in the guest, percent")
    parser.add_argument("--timeout", type=int, default=900, help="watchdog seconds per boot")
    parser.add_argument("--plot-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.plot_only:
        written = make_plots(args.plot_only, args.results)
        print(f"# plots: {', '.join(written)}")
        return 0

    if args.flavors == "auto":
        flavors = [STOCK] + ([DEBUG] if (BUILD / "kernel" / DEBUG).exists() else [])
    else:
        flavors = args.flavors.split(",")
    benches = [b for b in EXPECTED if not args.only or b in args.only.split(",")]
    args.results.mkdir(parents=True, exist_ok=True)
    for pattern in ("*.png", "*-*.log", "*-*.out", "*-*.err"):
        for old in args.results.glob(pattern):
            old.unlink()

    monitor = LoadMonitor()
    load_before = os.getloadavg()
    started = datetime.datetime.now().astimezone()
    scale = [f"tlgpu_bench_scale={args.scale}"] if args.scale != 100 else []
    only = lambda names: ["tlgpu_bench=" + ",".join(f"tlgpu-bench-{b}" for b in names)]

    boots = [Boot(args.results, STOCK, "bench", BENCH_DEVICES, BENCH_TIMELINES,
                  scale + (only(benches) if args.only else []))]
    for flavor in flavors:
        for i in range(args.boots):
            # The debug kernel's first boot measures sw_sync (fence).
            if flavor == DEBUG and i == 0 and "fence" in benches:
                run = only(["fence"]) + [
                    f"tlgpu_bench_scale={max(1, args.scale * DEBUG_FENCE_SCALE // 100)}"]
            else:
                run = scale + ["tlgpu_bench=none"]
            boots.append(Boot(args.results, flavor, f"boot{i + 1}", BOOT_DEVICES,
                              BOOT_TIMELINES, run))

    errors, notes, figures = [], [], []
    for flavor in flavors:
        initrd = BUILD / f"initramfs-{flavor}.cpio.gz"
        if not initrd.exists():
            errors.append(f"{flavor}: {initrd} missing (make FLAVOR={flavor})")
            boots = [b for b in boots if b.flavor != flavor]
    flavors = [f for f in flavors if (BUILD / f"initramfs-{f}.cpio.gz").exists()]
    run_guest = load_run_guest()
    for b in boots:
        b.run(args.timeout, monitor)
        if b.rc is None:
            errors.append(f"{b.flavor}-{b.tag}: the VM ran past {args.timeout} s and was killed")
        elif b.rc != 0:
            errors.append(f"{b.flavor}-{b.tag}: QEMU exited with status {b.rc}")
        if "first_ktap" not in b.phases:
            errors.append(f"{b.flavor}-{b.tag}: no KTAP line on ttyS1")
        reports = run_guest.kernel_reports(run_guest.read_lines(b.log))
        for r in reports:
            notes.append(f"{b.flavor}-{b.tag}: kernel report: {r[0].strip()}")
        figures += parse_bench(b, errors, notes)
    check_expected(figures, benches, STOCK, errors)
    if DEBUG in flavors and "fence" in benches:
        check_expected(figures, ["fence"], DEBUG, errors)
    figures += boot_figures(boots)
    add_ratios(figures)

    load_after = os.getloadavg()
    qemu = BUILD / "qemu" / "qemu-system-x86_64"
    try:
        qemu_version = subprocess.run([str(qemu), "--version"], capture_output=True,
                                      text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu_version = "?"
    results = {
        "schema": 1,
        "date": started.isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(), "cpu": cpu_model(),
            "accel": boots[0].accel if boots else "?", "guest_cpus": 2, "guest_memory": "1G",
            "qemu": qemu_version,
            "kernels": {f: (BUILD / "kernel" / f / "release").read_text().strip()
                        for f in flavors if (BUILD / "kernel" / f / "release").exists()},
            "load_before": load_before, "load_after": load_after,
            "load_during": monitor.loads,
            "others_during": monitor.others()[:10],
            "others_cpu_percent": (sum(monitor.other_total) / len(monitor.other_total)
                                   if monitor.other_total else None),
        },
        "runs": [{"flavor": b.flavor, "tag": b.tag, "devices": b.devices,
                  "timelines": b.timelines, "append": b.append, "rc": b.rc,
                  "seconds": round(b.seconds, 2),
                  "phases": {k: round(v, 3) for k, v in b.phases.items()}} for b in boots],
        "figures": figures,
        "notes": notes,
        "errors": errors,
    }
    out = args.results / "results.json"
    out.write_text(json.dumps(results, indent=1) + "\n")

    m = results["machine"]
    print()
    print(f"# tlgpu benchmarks, {results['date']}: host {m['cpu']}, nproc {m['nproc']}, "
          f"{m['accel']}; guest {m['guest_cpus']} vCPUs, {m['guest_memory']}, "
          f"{', '.join(f'{k} {v}' for k, v in m['kernels'].items())}")
    loads = m["load_during"] or [load_after[0]]
    print(f"# load average: {load_before[0]:.2f} before, {sum(loads) / len(loads):.2f} "
          f"during (max {max(loads):.2f}), {load_after[0]:.2f} after; "
          "meanwhile, everything else on the host used " +
          (f"{m['others_cpu_percent']:.0f}% of one CPU on average"
           if m["others_cpu_percent"] is not None else "?") +
          f", among it: {', '.join(m['others_during'][:5]) or 'nothing seen'}")
    print("# median and p99 (the worse tail: 1st percentile of a rate); "
          "ratio = median / baseline median, same run")
    print()
    print_table(table_rows(figures),
                ("figure", "median", "p99", "unit", "baseline", "ratio", "note"))
    print_syncobj_table(figures)
    print()
    for n in notes:
        print(f"# note: {n}")
    print(f"# results: {out}")
    plots(out, args.results)
    for e in errors:
        print(f"# ERROR: {e}")
    print(f"# bench: {len([f for f in figures if 'skip' not in f])} figures, "
          f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
