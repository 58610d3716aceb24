/**
 * Drives bench/compute/torch_step.py: one long-lived Python process that runs a PyTorch training
 * step per request, so bench.ts can alternate its own steps with PyTorch's.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface TorchInfo {
  torch: string;
  threads: number;
  /** BLAS shared libraries mapped into the Python process (e.g. OpenBLAS's pthread build). */
  blas_libs: string[];
  /** openblas_get_num_threads(), when the mapped BLAS is OpenBLAS. */
  blas_threads: number | null;
}

export interface TorchStepTime {
  ms: number;
  cpu_ms: number;
}

const PYTHON = '/usr/bin/python3';

/** Why PyTorch cannot run here, or null when it can. */
export function torchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return null;
  } catch {
    return `torch is not importable by ${PYTHON} (scripts/install.sh --bench installs python3-torch and libopenblas0-pthread)`;
  }
}

export class TorchStep {
  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: Interface,
    readonly info: TorchInfo) {}

  static async start(threads: number): Promise<TorchStep> {
    const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
    const child = spawn(PYTHON, [script, String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const first = await nextLine(lines, () => stderr);
    return new TorchStep(child, lines, JSON.parse(first) as TorchInfo);
  }

  /** Runs one step in the Python process; its own timing (excludes the pipe round trip). */
  async step(): Promise<TorchStepTime> {
    this.child.stdin.write('step\n');
    return JSON.parse(await nextLine(this.lines, () => '')) as TorchStepTime;
  }

  get pid(): number {
    return this.child.pid!;
  }

  close(): void {
    this.child.stdin.end();
    this.lines.close();
  }
}

function nextLine(lines: Interface, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      lines.off('close', onClose);
      resolve(line);
    };
    const onClose = () => {
      lines.off('line', onLine);
      reject(new Error(`torch_step.py ended: ${stderr().trim().split('\n').slice(-3).join(' | ')}`));
    };
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}
