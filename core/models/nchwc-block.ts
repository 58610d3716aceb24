/**
 * The channel block of onnxruntime's NCHWc convs on this CPU, for `convertTfjsToOnnx`'s
 * `channelBlock`: onnxruntime's x64 build blocks channels by 16 where the CPU has AVX-512 and by 8
 * with AVX2 only; other CPUs have no NCHWc layout. Only the 16 case widens anything (blazeface's 24
 * channels are a whole number of 8-blocks), so anything else answers 0.
 */
import { readFileSync } from 'node:fs';

export function nchwcChannelBlock(cpuinfo = readCpuinfo()): number {
  if (process.arch !== 'x64') return 0;
  const flags = cpuinfo.match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
  return flags.includes('avx512f') ? 16 : 0;
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: no widening, the graph is right for every CPU
  }
}
