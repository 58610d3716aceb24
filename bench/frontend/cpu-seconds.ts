/**
 * CPU seconds of this process (every thread, onnxruntime's included) plus its reaped children
 * (ffmpeg, ffprobe): the unit of the front-end floor, which wall time on a shared machine is not.
 * Children come from /proc/self/stat (cutime + cstime), so this is Linux-only, like the benchmark.
 */
import { readFileSync } from 'node:fs';
import { pyavDecoderCpuSeconds, pyavDecoderPids } from '../../core/media/pyav-decoder.ts';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

/** The fields of a /proc stat line after the command name (which may hold spaces): field 3 on. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function childCpuSeconds(): number {
  const fields = statFields('/proc/self/stat'); // cutime/cstime are fields 16/17
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** CPU seconds of this process's main thread alone (the JS thread: warps, levels, plumbing). */
export function mainThreadCpuSeconds(): number {
  const fields = statFields(`/proc/self/task/${process.pid}/stat`); // utime/stime are fields 14/15
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Resident memory of the pooled decoder processes, bytes (Linux /proc). */
export function decoderRssBytes(): number {
  let kib = 0;
  for (const pid of pyavDecoderPids()) {
    let status = '';
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // it just exited
    }
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib * 1024;
}

/** `children`: reaped children (ffmpeg, ffprobe) plus the running pooled decoders. */
export const cpuSeconds = (): { self: number; children: number; total: number } => {
  const self = selfCpuSeconds(), children = childCpuSeconds() + pyavDecoderCpuSeconds();
  return { self, children, total: self + children };
};
