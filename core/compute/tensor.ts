/**
 * Tensors and reverse-mode autodiff.
 *
 * A Tensor is a dense, row-major f32 array in backend-owned storage plus a shape. Ops return new
 * tensors synchronously (their kernels are enqueued, see ./backend.ts); `await t.data()` reads
 * the values back. When grad mode is on and an input requires a gradient, the op records a
 * GradNode (the tape is the graph of nodes reachable from the output). `loss.backward()` walks
 * it in reverse topological order; each node's backward enqueues kernels that *accumulate* into
 * its inputs' gradient buffers, so a tensor used twice gets both contributions, and leaf
 * gradients accumulate across backward() calls until zeroGrad (gradient accumulation).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { errors } from '../errors/index.ts';
import { shapeSize, type Backend, type DeviceBuffer } from './backend.ts';
import { CpuBackend } from './cpu/cpu-backend.ts';
import { RowGrad, scatterRows, type RowSet } from './row-grad.ts';

/** Gives a node's backward the gradient buffer of an input, or null when it needs none. */
export interface GradAccess {
  of(t: Tensor): DeviceBuffer | null;
  /**
   * Adds dy (same size as t) to t's gradient, handing the buffer over instead of copying when
   * t has no gradient yet: the common case for add, reshape and residual connections.
   */
  pass(t: Tensor, dy: DeviceBuffer): void;
  /** Adds a row-sparse gradient to t's (./row-grad.ts), kept sparse while t's gradient is. */
  passRows(t: Tensor, dy: RowGrad): void;
}

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Accumulates d(loss)/d(input) into grads.of(input), given dy = d(loss)/d(output). */
  backward(dy: DeviceBuffer, grads: GradAccess): void;
  /**
   * The same for a row-sparse dy, working on its non-zero rows only; returns false (having done
   * nothing) when it cannot, and gets dy made dense instead. Absent: always dense.
   */
  backwardRows?(dy: RowGrad, grads: GradAccess): boolean;
}

const released = new FinalizationRegistry<{ backend: Backend; buffer: DeviceBuffer }>(({ backend, buffer }) => backend.dispose(buffer));

let gradEnabled = true;
let defaultBackend: Backend | undefined;

// A default scoped to one async call tree (withDefaultBackend), so two hosts with different
// --device settings can train in one process without overwriting each other's default.
const scopedBackend = new AsyncLocalStorage<Backend>();

/** The backend new tensors use when none is given: the scoped one, else the process default (cpu until setDefaultBackend). */
export function getDefaultBackend(): Backend {
  return scopedBackend.getStore() ?? (defaultBackend ??= new CpuBackend());
}

/** Runs `fn` with `backend` as the default for the tensors it (and everything it awaits) creates. */
export function withDefaultBackend<T>(backend: Backend, fn: () => T): T {
  return scopedBackend.run(backend, fn);
}

export function setDefaultBackend(backend: Backend): void {
  defaultBackend = backend;
}

/** Runs fn with gradient recording off (inference, optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export interface BackwardOptions {
  /**
   * Free the buffers of the graph's intermediate tensors (not leaves, not the loss) right after
   * the backward pass, instead of at garbage collection. Training loops use it so each step
   * reuses the previous step's memory; read any intermediate you need (logits) before.
   */
  freeGraph?: boolean;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf tensor (null until the first backward that reaches it). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when recorded. */
  readonly node: GradNode | null;
  private disposed = false;
  /** For a view (reshape), the tensor that owns the buffer; kept alive as long as the view. */
  private readonly base: Tensor | null;

  constructor(readonly backend: Backend, readonly buffer: DeviceBuffer, shape: readonly number[],
    requiresGrad = false, node: GradNode | null = null, base: Tensor | null = null) {
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    if (buffer.size < this.size) throw errors.shapeMismatch('tensor', `buffer of ${buffer.size} for shape [${shape}]`);
    this.requiresGrad = requiresGrad;
    this.node = node;
    this.base = base;
    if (!base) released.register(this, { backend, buffer }, this);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Values once every enqueued kernel has run. */
  async data(): Promise<Float32Array> {
    if (this.disposed || this.base?.disposed) throw errors.invalidComputeArgument('data', `${this} was disposed (freeGraph frees a graph's intermediates)`);
    const v = await this.backend.read(this.buffer);
    return v instanceof Float32Array ? v.subarray(0, this.size) : Float32Array.from(v.subarray(0, this.size));
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw errors.shapeMismatch('item', `tensor has ${this.size} elements, expected 1`);
    return (await this.data())[0];
  }

  /** Frees the storage now rather than at garbage collection (a view frees nothing). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.base) return;
    released.unregister(this);
    this.backend.dispose(this.buffer);
  }

  /** A tensor sharing nothing with the graph: same values, no gradient history. */
  detach(): Tensor {
    const out = this.backend.alloc(this.size);
    this.backend.unary('copy', this.buffer, out, this.size);
    return new Tensor(this.backend, out, this.shape);
  }

  /**
   * Reverse-mode differentiation from this scalar: accumulates d(this)/d(leaf) into the `grad`
   * of every leaf that requires a gradient. Enqueues kernels; await any leaf's grad.data().
   */
  backward(opts: BackwardOptions = {}): void {
    if (this.size !== 1) throw errors.shapeMismatch('backward', `needs a one-element loss, got shape [${this.shape}]`);
    if (!this.requiresGrad) throw errors.noGradient('backward');
    const order = topologicalOrder(this);
    const grads = new Map<Tensor, DeviceBuffer | RowGrad>();
    // The running node's output gradient once handed to one of its inputs (then not freed).
    let handedOver: DeviceBuffer | null = null;
    let running: DeviceBuffer | null = null;
    const rowSets = new Set<RowSet>();
    const be = this.backend;
    const densify = (t: Tensor, g: RowGrad): DeviceBuffer => {
      const dense = t.backend.alloc(t.size);
      scatterRows(t.backend, g, dense);
      t.backend.dispose(g.values);
      grads.set(t, dense);
      return dense;
    };
    const access: GradAccess = {
      pass: (t, dy) => {
        if (!t.requiresGrad) return;
        if (t.node && !grads.has(t) && handedOver !== dy && dy.size >= t.size) {
          grads.set(t, dy);
          handedOver = dy;
          return;
        }
        const g = access.of(t)!;
        t.backend.affine(dy, g, t.size, 1, 0, true);
      },
      passRows: (t, dy) => {
        if (!t.requiresGrad) return;
        rowSets.add(dy.rows);
        const g = grads.get(t);
        if (t.node && !g) {
          // Handed over as it is, unless another input already holds these values.
          const own = handedOver === dy.values ? copyRows(t.backend, dy) : dy;
          if (own === dy && dy.values === running) handedOver = running;
          grads.set(t, own);
        } else if (g instanceof RowGrad && g.sameLayout(dy)) {
          t.backend.affine(dy.values, g.values, dy.rows.count * dy.width, 1, 0, true);
        } else {
          scatterRows(t.backend, dy, access.of(t)!);
        }
      },
      of: (t) => {
        if (!t.requiresGrad) return null;
        let g = grads.get(t);
        if (g instanceof RowGrad) return densify(t, g);
        if (!g) {
          if (!t.node) {
            // A leaf accumulates straight into its persistent .grad.
            t.grad ??= new Tensor(t.backend, t.backend.alloc(t.size), t.shape);
            g = t.grad.buffer;
          } else {
            g = t.backend.alloc(t.size);
          }
          grads.set(t, g);
        }
        return g;
      },
    };
    const seed = access.of(this)!;
    be.fill(seed, 1, 1);
    // The tape: nodes run from the loss back to the leaves.
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g || !t.node) continue;
      handedOver = null;
      running = g instanceof RowGrad ? g.values : g;
      const doneOnRows = g instanceof RowGrad && !!t.node.backwardRows?.(g, access);
      if (!doneOnRows) t.node.backward(running = g instanceof RowGrad ? densify(t, g) : g, access);
      grads.delete(t);
      // An intermediate's gradient is dead once its node has propagated it (unless handed on).
      if (handedOver !== running) t.backend.dispose(running);
    }
    for (const rows of rowSets) rows.release(be);
    if (opts.freeGraph) {
      const keep = new Set<Tensor>();
      for (let t: Tensor | null = this; t; t = t.base) keep.add(t);
      for (const t of order) if (t.node && !keep.has(t)) t.dispose();
    }
  }

  toString(): string {
    return `Tensor[${this.shape.join('x')}]${this.requiresGrad ? ' (grad)' : ''}`;
  }
}

function copyRows(be: Backend, g: RowGrad): RowGrad {
  const n = g.rows.count * g.width;
  const values = be.alloc(n);
  be.affine(g.values, values, n, 1, 0);
  return new RowGrad(g.rows, g.width, values);
}

/** Tensors that need a gradient, in an order where every tensor follows its inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: graphs of deep models overflow the call stack with recursion.
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Creates an op's output. Records `backward` (and `backwardRows`, see GradNode) as its node
 * when grad mode is on and an input requires a gradient; otherwise the output is a constant.
 */
export function makeResult(op: string, inputs: readonly Tensor[], buffer: DeviceBuffer, shape: readonly number[],
  backward: GradNode['backward'], backwardRows?: GradNode['backwardRows']): Tensor {
  const backend = inputs[0].backend;
  const needs = gradEnabled && inputs.some((t) => t.requiresGrad);
  return new Tensor(backend, buffer, shape, needs, needs ? { op, inputs, backward, backwardRows } : null);
}

/**
 * A tensor over the same buffer with another shape of the same size (reshape). A row-sparse
 * gradient passes through as it is (it addresses the flat storage).
 */
export function makeView(x: Tensor, shape: readonly number[], backward: GradNode['backward']): Tensor {
  const needs = gradEnabled && x.requiresGrad;
  const backwardRows = (dy: RowGrad, grads: GradAccess) => (grads.passRows(x, dy), true);
  return new Tensor(x.backend, x.buffer, shape, needs, needs ? { op: 'reshape', inputs: [x], backward, backwardRows } : null, x);
}

/** Throws unless every tensor lives on the same backend; returns it. */
export function sameBackend(op: string, ...ts: Tensor[]): Backend {
  const b = ts[0].backend;
  for (const t of ts) if (t.backend !== b) throw errors.invalidComputeArgument(op, 'tensors live on different backends');
  return b;
}

// ---- creation ------------------------------------------------------------------------------

export interface CreateOptions {
  backend?: Backend;
  requiresGrad?: boolean;
}

/** A tensor from host values (copied). */
export function tensor(values: ArrayLike<number>, shape: readonly number[] = [values.length], opts: CreateOptions = {}): Tensor {
  const n = shapeSize(shape);
  if (values.length !== n) throw errors.shapeMismatch('tensor', `${values.length} values for shape [${shape}] (${n})`);
  const backend = opts.backend ?? getDefaultBackend();
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return new Tensor(backend, backend.upload(data), shape, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  const backend = opts.backend ?? getDefaultBackend();
  const buf = backend.alloc(shapeSize(shape));
  if (value !== 0) backend.fill(buf, value);
  return new Tensor(backend, buf, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Integer indices (for gather/embedding and targets) in backend storage. */
export class IndexTensor {
  constructor(readonly backend: Backend, readonly buffer: DeviceBuffer, readonly values: Int32Array) {}
  get size(): number {
    return this.values.length;
  }
}

export function indices(values: ArrayLike<number>, backend: Backend = getDefaultBackend()): IndexTensor {
  const v = Int32Array.from(values);
  return new IndexTensor(backend, backend.upload(v), v);
}
