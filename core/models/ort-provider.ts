/**
 * Which onnxruntime execution provider `--device auto|cpu|webgpu` means for model sessions (face
 * models, CLIP, parsers), decided once per process.
 *
 * onnxruntime-node 1.30 bundles a WebGPU EP: Dawn inside onnxruntime, on Vulkan. The Vulkan loader
 * reads VK_ICD_FILENAMES when Dawn creates its instance (the first webgpu session), so the driver
 * that core/compute/webgpu/driver.ts picks is applied to this process's environment just before
 * that. (LD_LIBRARY_PATH cannot be changed that late; the loader, libvulkan.so.1, must come from
 * the system: Debian's libvulkan1, which ffmpeg already pulls in.)
 *
 * - `cpu`: the CPU EP.
 * - `webgpu`: the WebGPU EP, or ORT_WEBGPU_UNAVAILABLE when no adapter starts. Never a silent fallback.
 * - `auto`: the WebGPU EP on a GPU (a GPU Vulkan driver whose device node exists, or a driver the
 *   user named with VISAGE_VK_DRIVER / VK_ICD_FILENAMES) when a probe session starts on it; else cpu.
 *   A software driver installed in `.vk/` (SwiftShader, lavapipe: 100-500x slower than the CPU EP)
 *   is never picked by `auto`; `--device webgpu` uses it.
 */
import * as ort from 'onnxruntime-node';
import { findVulkanDriver, type VulkanDriver } from '../compute/webgpu/driver.ts';
import { ortWebGpuUnavailable } from '../errors/messages.ts';
import { OnnxGraphBuilder } from './onnx-builder.ts';

/** What `--device` asks for. */
export type DeviceRequest = 'auto' | 'cpu' | 'webgpu';
/** The onnxruntime execution provider sessions get. */
export type OrtProvider = 'cpu' | 'webgpu';

export interface ProviderChoice {
  provider: OrtProvider;
  /** Why, for logs and `pipeline explain`: the Vulkan driver used, or why auto stayed on cpu. */
  detail: string;
  /** A WebGPU adapter was tried (so a cpu choice means it failed: worth showing in the run summary). */
  probed: boolean;
}

const choices = new Map<DeviceRequest, Promise<ProviderChoice>>();

/** The provider for `device`, probed on first call and cached for the process. */
export function chooseOrtProvider(device: DeviceRequest): Promise<ProviderChoice> {
  let choice = choices.get(device);
  if (!choice) {
    choice = choose(device);
    choices.set(device, choice);
  }
  return choice;
}

/** onnxruntime session options that run on `provider` (nodes the WebGPU EP lacks run on the CPU EP). */
export function providerSessionOptions(provider: OrtProvider): ort.InferenceSession.SessionOptions {
  if (provider === 'cpu') return { executionProviders: ['cpu'] };
  // onnxruntime warns on every such session that shape ops were placed on the CPU EP, which it
  // does on purpose; errors are still printed.
  return { executionProviders: ['webgpu', 'cpu'], logSeverityLevel: 3 };
}

/**
 * What `--device auto` does without starting anything, or null when it would probe a GPU.
 * Cheap (file checks only): `pipeline explain` prints it, and auto on a machine without GPU never
 * loads Dawn.
 */
export function autoStaysOnCpu(driver: VulkanDriver | null = findVulkanDriver('auto')): string | null {
  const named = process.env.VISAGE_VK_DRIVER;
  if (named && named !== 'auto' && driver) return null; // the user chose this driver, software or not
  if (!driver) return 'the Vulkan driver named by VISAGE_VK_DRIVER is not installed';
  if (driver.name === 'lavapipe' || driver.name === 'swiftshader') return `no GPU Vulkan driver found (the software driver in .vk/${driver.name} is used only with --device webgpu)`;
  if (driver.name === 'system' && !driver.env.VK_ICD_FILENAMES) return 'no GPU Vulkan driver found';
  return null;
}

/** A one-line description of what `device` means here, without probing (for `pipeline explain`). */
export function describeDeviceRequest(device: DeviceRequest): string {
  if (device === 'cpu') return 'cpu (onnxruntime CPU execution provider)';
  const driver = findVulkanDriver('auto');
  if (device === 'auto') {
    const why = autoStaysOnCpu(driver);
    if (why) return `auto -> cpu: ${why}`;
  }
  return `${device} -> webgpu if an adapter starts on the ${driver?.name ?? 'missing'} Vulkan driver (checked when models load)`;
}

async function choose(device: DeviceRequest): Promise<ProviderChoice> {
  if (device === 'cpu') return { provider: 'cpu', detail: '--device cpu', probed: false };
  const driver = findVulkanDriver('auto');
  if (device === 'auto') {
    const why = autoStaysOnCpu(driver);
    if (why) return { provider: 'cpu', detail: `--device auto: ${why}`, probed: false };
  }
  if (!webGpuBundled()) {
    const why = `this onnxruntime-node build has no WebGPU EP (bundled: ${bundledBackends().join(', ')})`;
    if (device === 'auto') return { provider: 'cpu', detail: `--device auto: ${why}`, probed: false };
    throw ortWebGpuUnavailable(driver?.name ?? 'auto', why);
  }
  if (!driver) {
    if (device === 'auto') return { provider: 'cpu', detail: '--device auto: no Vulkan driver', probed: false };
    throw ortWebGpuUnavailable(String(process.env.VISAGE_VK_DRIVER), 'that Vulkan driver is not installed');
  }
  applyDriverEnv(driver);
  try {
    await probeWebGpu();
    return { provider: 'webgpu', detail: `Vulkan driver ${driver.name}${process.env.VK_ICD_FILENAMES ? ` (${process.env.VK_ICD_FILENAMES})` : ''}`, probed: true };
  } catch (e) {
    const message = (e as Error).message.replace(/^.*?was false\.\s*/s, '').split('\n')[0];
    if (device === 'auto') return { provider: 'cpu', detail: `--device auto: the WebGPU EP did not start (${message})`, probed: true };
    throw ortWebGpuUnavailable(driver.name === 'inherited' ? `of VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : driver.name, message);
  }
}

/** Backends compiled into the installed onnxruntime-node (1.30 on linux-x64: cpu and webgpu). */
function bundledBackends(): string[] {
  return ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name);
}

function webGpuBundled(): boolean {
  return bundledBackends().includes('webgpu');
}

/** Points the Vulkan loader at the driver, unless the caller already chose one. */
function applyDriverEnv(driver: VulkanDriver): void {
  for (const [key, value] of Object.entries(driver.env)) {
    if (key !== 'LD_LIBRARY_PATH' && process.env[key] === undefined) process.env[key] = value;
  }
}

/** Creates and runs a one-MatMul session on the WebGPU EP alone: throws when no adapter starts. */
async function probeWebGpu(): Promise<void> {
  const g = new OnnxGraphBuilder('webgpu-probe');
  g.addInput('x', 'float32', [1, 2]);
  g.addInitializer('w', new Float32Array([1, 2, 3, 4]), [2, 2]);
  g.addNode('MatMul', ['x', 'w'], ['y']);
  g.addOutput('y', 'float32', [1, 2]);
  const session = await ort.InferenceSession.create(g.serialize(), { executionProviders: ['webgpu'] });
  try {
    const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 1]), [1, 2]) });
    const out = y.data as Float32Array;
    if (out[0] !== 4 || out[1] !== 6) throw new Error(`the probe MatMul returned [${Array.from(out)}] instead of [4, 6]`);
  } finally {
    await session.release();
  }
}
