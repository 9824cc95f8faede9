/**
 * TUI benchmark: runs the real program in a tmux pty at 80x24 and 200x60 and measures what the
 * issue asks for: CPU share of one core, bytes written to the terminal per second, peak RSS and
 * sample-to-screen latency. Uses `record --simulate synthetic` when the record command works,
 * otherwise the TUI's dev harness (same TUI, synthetic LiveState).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const CLOCK_TICKS_PER_S = 100;

interface Program {
  label: string;
  command(seconds: number, workDir: string): string;
}

// Run as installed (through its shebang, which sets Node's memory flags), not as `node bin/...`.
const RECORD: Program = {
  label: 'record --simulate',
  command: (seconds, workDir) =>
    `${join(repo, 'bin', 'ecg-monitor.js')} record --simulate synthetic --duration ${seconds}s ` +
    `--queue-dir ${join(workDir, 'queue')} --out ${join(workDir, 'recordings')}`,
};

const HARNESS: Program = {
  label: 'dev harness',
  command: (seconds) => `node ${join(repo, 'dist', 'tui', 'dev-harness.js')} --seconds ${seconds}`,
};

function tmux(socket: string, args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function cpuTicks(pid: number): number | null {
  try {
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function peakRssKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Whether `record --simulate` runs a TUI yet (it was a placeholder while the session was built). */
function recordWorks(workDir: string): boolean {
  const probe = spawnSync(
    'node',
    [join(repo, 'bin', 'ecg-monitor.js'), 'record', '--simulate', 'synthetic', '--no-tui', '--duration', '1s', '--queue-dir', join(workDir, 'probe-q'), '--out', join(workDir, 'probe-rec')],
    { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ECG_LOG_FILE: join(workDir, 'probe.log') } },
  );
  return probe.status === 0;
}

interface Run {
  cpuPercent: number;
  bytesPerS: number;
  rssMb: number;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
}

async function measure(program: Program, cols: number, rows: number, seconds: number, workDir: string): Promise<Run> {
  const socket = `ecg-bench-${process.pid}-${cols}`;
  const capture = join(workDir, `pty-${cols}x${rows}.out`);
  const logFile = join(workDir, `log-${cols}x${rows}.jsonl`);
  const warmupS = 2;
  try {
    const command = `exec env ECG_LOG_FILE=${logFile} LANG=C.UTF-8 ${program.command(seconds + warmupS, workDir)}`;
    tmux(socket, ['-f', '/dev/null', 'new-session', '-d', '-x', String(cols), '-y', String(rows), command]);
    // Count every byte the program writes to its pty (the warm-up, with the first full paint, is left out).
    tmux(socket, ['pipe-pane', '-t', '0', `cat >> ${capture}`]);
    await sleep(300);
    const pid = Number(tmux(socket, ['list-panes', '-F', '#{pane_pid}']).trim());
    await sleep(warmupS * 1000 - 300);
    const ticks0 = cpuTicks(pid) ?? 0;
    const bytes0 = existsSync(capture) ? statSync(capture).size : 0;
    const started = Date.now();
    let ticks1 = ticks0;
    let rssKb = 0;
    while (Date.now() - started < seconds * 1000 - 200) {
      await sleep(500);
      ticks1 = cpuTicks(pid) ?? ticks1;
      rssKb = peakRssKb(pid) ?? rssKb;
    }
    const elapsedS = (Date.now() - started) / 1000;
    const bytes1 = existsSync(capture) ? statSync(capture).size : 0;
    // Let the program finish by itself so it logs its latency figures.
    for (let i = 0; i < 40 && cpuTicks(pid) !== null; i++) await sleep(250);
    let latencyP95Ms: number | null = null;
    let latencyMaxMs: number | null = null;
    if (existsSync(logFile)) {
      for (const line of readFileSync(logFile, 'utf8').split('\n')) {
        if (!line.includes('"tui stopped"')) continue;
        const detail = (JSON.parse(line) as { detail: { latencyMs: { p95: number; max: number } } }).detail;
        latencyP95Ms = detail.latencyMs.p95;
        latencyMaxMs = detail.latencyMs.max;
      }
    }
    return {
      cpuPercent: ((ticks1 - ticks0) / CLOCK_TICKS_PER_S / elapsedS) * 100,
      bytesPerS: (bytes1 - bytes0) / elapsedS,
      rssMb: rssKb / 1024,
      latencyP95Ms,
      latencyMaxMs,
    };
  } finally {
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    process.stderr.write('bench tui: tmux is not installed, skipped\n');
    return [];
  }
  const seconds = options.quick ? 10 : 60;
  const workDir = mkdtempSync(join(tmpdir(), 'ecg-bench-tui-'));
  const figures: BenchFigure[] = [];
  try {
    const program = recordWorks(workDir) ? RECORD : HARNESS;
    const sizes: Array<[number, number, number]> = [
      [80, 24, 10],
      [200, 60, 20],
    ];
    for (const [cols, rows, cpuTarget] of sizes) {
      const size = `${cols}x${rows}`;
      const result = await measure(program, cols, rows, seconds, workDir);
      const name = (what: string) => `${what} ${size}, ${program.label}, ${seconds} s`;
      figures.push({ area: 'tui', name: name('CPU'), value: round(result.cpuPercent), unit: '% of a core', target: `<= ${cpuTarget} %`, ok: result.cpuPercent <= cpuTarget });
      figures.push({
        area: 'tui',
        name: name('written to terminal'),
        value: Math.round(result.bytesPerS),
        unit: 'B/s',
        ...(cols === 80 ? { target: '<= 8192 B/s', ok: result.bytesPerS <= 8192 } : {}),
      });
      figures.push({ area: 'tui', name: name('peak RSS'), value: round(result.rssMb), unit: 'MB', target: '<= 100 MB', ok: result.rssMb <= 100 });
      if (result.latencyP95Ms !== null) {
        figures.push({ area: 'tui', name: name('sample-to-screen p95'), value: result.latencyP95Ms, unit: 'ms', target: '<= 100 ms', ok: result.latencyP95Ms <= 100 });
        figures.push({ area: 'tui', name: name('sample-to-screen max'), value: result.latencyMaxMs ?? 0, unit: 'ms' });
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return figures;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
