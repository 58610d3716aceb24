// The tensor and its tape: creation, reading back, backward's bookkeeping, freeing.
import { describe, expect, it } from 'vitest';
import {
  add, affine, CpuBackend, full, getDefaultBackend, indices, isGradEnabled, mul, noGrad, ones, reshape, setDefaultBackend, sum, Tensor, tensor, zeros,
} from '../index.ts';
import { sameBackend } from '../tensor.ts';
import { VisageError } from '../../errors/visage-error.ts';
import { thrown } from '../../testing.ts';

const refusal = (f: () => unknown, code: string): VisageError => thrown(f, { code });

describe('creating tensors', () => {
  it('tensor copies values into the given shape; shape defaults to a vector', async () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.requiresGrad).toBe(false);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor([1], [1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(refusal(() => tensor([1, 2, 3], [2, 2]), 'SHAPE_MISMATCH').message).toBe('tensor: 3 values for shape [2,2] (4)');
  });

  it('full, zeros and ones', async () => {
    expect(Array.from(await full([2, 2], 7).data())).toEqual([7, 7, 7, 7]);
    expect(Array.from(await zeros([3]).data())).toEqual([0, 0, 0]);
    expect(Array.from(await ones([2]).data())).toEqual([1, 1]);
    expect(zeros([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(full([1], 2).requiresGrad).toBe(false);
  });

  it('a buffer smaller than the shape is refused', () => {
    const be = getDefaultBackend();
    expect(refusal(() => new Tensor(be, be.alloc(3), [2, 2]), 'SHAPE_MISMATCH').message).toBe('tensor: buffer of 3 for shape [2,2]');
  });

  it('the default backend is the cpu until another is set', () => {
    const before = getDefaultBackend();
    expect(before).toBeInstanceOf(CpuBackend);
    const other = new CpuBackend();
    setDefaultBackend(other);
    try {
      expect(getDefaultBackend()).toBe(other);
      expect(tensor([1]).backend).toBe(other);
    } finally {
      setDefaultBackend(before);
    }
    expect(tensor([1], [1], { backend: other }).backend).toBe(other);
  });

  it('indices keep their values', () => {
    const ids = indices([3, 1, 2]);
    expect(ids.size).toBe(3);
    expect(Array.from(ids.values)).toEqual([3, 1, 2]);
  });

  it('sameBackend refuses tensors on two backends', () => {
    const a = tensor([1]), b = tensor([1], [1], { backend: new CpuBackend() });
    expect(sameBackend('add', a, a)).toBe(a.backend);
    expect(refusal(() => sameBackend('add', a, b), 'INVALID_COMPUTE_ARGUMENT').message).toBe('add: tensors live on different backends');
  });

  it('describes itself', () => {
    expect(String(tensor([1, 2, 3, 4], [2, 2]))).toBe('Tensor[2x2]');
    expect(String(tensor([1], [1], { requiresGrad: true }))).toBe('Tensor[1] (grad)');
  });
});

describe('reading back', () => {
  it('item reads a one-element tensor and refuses more', async () => {
    expect(await tensor([4]).item()).toBe(4);
    await expect(tensor([1, 2]).item()).rejects.toMatchObject({ code: 'SHAPE_MISMATCH', message: 'item: tensor has 2 elements, expected 1' });
  });

  it('a disposed tensor, or a view of one, cannot be read', async () => {
    const t = tensor([1, 2]);
    const v = reshape(t, [2, 1]);
    t.dispose();
    t.dispose();
    await expect(t.data()).rejects.toMatchObject({ code: 'INVALID_COMPUTE_ARGUMENT', message: 'data: Tensor[2] was disposed (freeGraph frees a graph\'s intermediates)' });
    await expect(v.data()).rejects.toMatchObject({ code: 'INVALID_COMPUTE_ARGUMENT' });
  });

  it('disposing a view frees nothing', async () => {
    const t = tensor([1, 2]);
    reshape(t, [2, 1]).dispose();
    expect(Array.from(await t.data())).toEqual([1, 2]);
  });

  it('detach copies the values without history', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const d = affine(x, 2, 0).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.node).toBeNull();
    expect(d.shape).toEqual([2]);
    expect(Array.from(await d.data())).toEqual([2, 4]);
  });
});

describe('backward', () => {
  it('needs a one-element loss that depends on a gradient', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    expect(refusal(() => affine(x, 1, 0).backward(), 'SHAPE_MISMATCH').message).toBe('backward: needs a one-element loss, got shape [2]');
    const e = refusal(() => sum(tensor([1, 2])).backward(), 'NO_GRADIENT');
    expect(e.message).toBe('backward: nothing to differentiate');
    expect(e.hint).toBe('call backward() on a scalar that depends on a tensor with requiresGrad, outside noGrad()');
  });

  it('accumulates leaf gradients across calls until they are reset', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(Array.from(await x.grad!.data())).toEqual([2, 4]);
    sum(mul(x, x)).backward();
    expect(Array.from(await x.grad!.data())).toEqual([4, 8]);
  });

  it('a loss that is a leaf gets gradient 1', async () => {
    const x = tensor([3], [1], { requiresGrad: true });
    x.backward();
    expect(Array.from(await x.grad!.data())).toEqual([1]);
  });

  it('an intermediate used twice gets both contributions', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = affine(x, 3, 0);
    sum(add(mul(y, y), y)).backward();
    // d/dx (9x² + 3x) = 18x + 3
    expect(Array.from(await x.grad!.data())).toEqual([21, 39]);
  });

  it('a constant input gets no gradient', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const c = tensor([5, 6]);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(Array.from(await x.grad!.data())).toEqual([5, 6]);
  });

  it('gradients pass through views', async () => {
    const x = tensor([1, 2, 3, 4], [4], { requiresGrad: true });
    sum(mul(reshape(x, [2, 2]), tensor([1, 2, 3, 4], [2, 2]))).backward();
    expect(Array.from(await x.grad!.data())).toEqual([1, 2, 3, 4]);
  });

  it('handles graphs deeper than the call stack', async () => {
    const x = tensor([1], [1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = affine(y, 1, 0);
    y.backward();
    expect(Array.from(await x.grad!.data())).toEqual([1]);
  });

  it('freeGraph frees the intermediates but keeps leaves, their gradients and the loss', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const h = affine(x, 2, 0);
    const loss = reshape(sum(mul(h, h)), [1]);
    loss.backward({ freeGraph: true });
    await expect(h.data()).rejects.toMatchObject({ code: 'INVALID_COMPUTE_ARGUMENT' });
    expect(Array.from(await loss.data())).toEqual([20]);
    expect(Array.from(await x.data())).toEqual([1, 2]);
    expect(Array.from(await x.grad!.data())).toEqual([8, 16]);
  });

  it('without freeGraph intermediates stay readable', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const h = affine(x, 2, 0);
    sum(h).backward();
    expect(Array.from(await h.data())).toEqual([2, 4]);
  });
});

describe('grad mode', () => {
  it('noGrad records no node and returns the value', () => {
    const x = tensor([1], [1], { requiresGrad: true });
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return affine(x, 2, 0);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(affine(x, 2, 0).node?.op).toBe('affine');
    expect(reshape(x, [1, 1]).node?.op).toBe('reshape');
    expect(noGrad(() => reshape(x, [1, 1])).node).toBeNull();
  });

  it('nested noGrad restores the outer mode', () => {
    noGrad(() => {
      noGrad(() => undefined);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });
});
