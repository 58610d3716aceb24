/**
 * Learning-rate schedules as pure factor functions of the step (or epoch), plus a small driver
 * that applies the factor to an optimizer's groups.
 */
import { errors } from '../errors/index.ts';

/** gamma^(number of milestones <= epoch): torch MultiStepLR (DFER-CLIP: [30, 40], 0.1). */
export function multiStepFactor(epoch: number, milestones: readonly number[], gamma: number): number {
  let passed = 0;
  for (const m of milestones) if (epoch >= m) passed++;
  return Math.pow(gamma, passed);
}

/**
 * Linear warmup from 0 over `warmup` steps, then cosine decay to `minRatio` at `total` steps
 * (held there after). Step 0 of warmup gives 1/warmup, so the first update is not wasted.
 */
export function cosineWarmupFactor(step: number, warmup: number, total: number, minRatio = 0): number {
  if (total <= 0 || warmup < 0 || warmup > total) throw errors.invalidComputeArgument('cosineWarmup', `warmup ${warmup}, total ${total}`);
  if (step < warmup) return (step + 1) / warmup;
  if (total === warmup) return 1;
  const t = Math.min(1, (step - warmup) / (total - warmup));
  return minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * t));
}

export interface LrScalable {
  scaleLr(factor: number): void;
}

/** Applies `factor(t)` to an optimizer; call `step()` once per epoch or step (your unit). */
export class LrSchedule {
  private t = 0;
  constructor(private readonly optimizer: LrScalable, private readonly factor: (t: number) => number) {
    optimizer.scaleLr(factor(0));
  }

  /** Advances to the next epoch/step and sets the lr for it. */
  step(): void {
    this.t++;
    this.optimizer.scaleLr(this.factor(this.t));
  }

  get current(): number {
    return this.t;
  }

  static multiStep(optimizer: LrScalable, milestones: readonly number[], gamma = 0.1): LrSchedule {
    return new LrSchedule(optimizer, (e) => multiStepFactor(e, milestones, gamma));
  }

  static cosineWarmup(optimizer: LrScalable, warmup: number, total: number, minRatio = 0): LrSchedule {
    return new LrSchedule(optimizer, (s) => cosineWarmupFactor(s, warmup, total, minRatio));
  }
}
