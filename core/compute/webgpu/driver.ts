/**
 * Finds the Vulkan driver the Dawn device should use and the environment that selects it.
 *
 * The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, and the dynamic
 * linker reads LD_LIBRARY_PATH only when a process starts. So the driver cannot be switched
 * inside a running process: the backend applies this environment to the child process that
 * owns the device (see device-host.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which Vulkan driver to use: a software one installed under `<repo>/.vk/`, the system's, or an ICD json path. */
export type DriverChoice = 'auto' | 'system' | 'swiftshader' | 'lavapipe' | (string & {});

export interface VulkanDriver {
  /** 'swiftshader', 'lavapipe', 'system', or 'custom' for an explicit ICD json. */
  name: string;
  /** Environment variables to add for the process that creates the Dawn instance. */
  env: Record<string, string>;
}

/** The repository root (this file is core/compute/webgpu/driver.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Software drivers in order of preference: lavapipe 25 is about 2.5x faster than SwiftShader. */
const SOFTWARE_DRIVERS = ['lavapipe', 'swiftshader'] as const;

/** Where Vulkan loaders (and NVIDIA's container toolkit) register installed drivers. */
export const SYSTEM_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];

/** ICD manifests of CPU (software) Vulkan drivers: never preferred over a GPU's. */
const SOFTWARE_ICD = /lvp|lavapipe|swiftshader|llvmpipe/i;

/**
 * The ICD manifest of a GPU that is actually present, if any. A registered manifest alone proves
 * nothing (Mesa registers its intel and radeon drivers on every machine), so a GPU needs its device
 * node too: /dev/nvidia0 for NVIDIA's driver, /dev/dri/renderD* for Mesa's.
 */
export function hardwareIcd(dirs: readonly string[] = SYSTEM_ICD_DIRS, dev = '/dev'): string | null {
  const nvidia = existsSync(path.join(dev, 'nvidia0'));
  const dri = existsSync(path.join(dev, 'dri')) && readdirSync(path.join(dev, 'dri')).some((f) => f.startsWith('renderD'));
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const gpu = readdirSync(dir).filter((f) => f.endsWith('.json') && !SOFTWARE_ICD.test(f) && (/nvidia/i.test(f) ? nvidia : dri)).sort();
    if (gpu.length) return path.join(dir, gpu[0]);
  }
  return null;
}

/**
 * Resolves a driver choice. 'auto' takes, in order: VISAGE_VK_DRIVER if set, an already set
 * VK_ICD_FILENAMES (the caller chose), a GPU driver registered on the system, a software driver
 * installed by scripts/vulkan/install-swiftshader.sh, else whatever the system's loader finds.
 * Returns null when an explicitly named driver is not installed.
 */
export function findVulkanDriver(choice: DriverChoice = 'auto', root: string = repoRoot, icdDirs: readonly string[] = SYSTEM_ICD_DIRS, dev = '/dev'): VulkanDriver | null {
  if (choice === 'auto') {
    const forced = process.env.VISAGE_VK_DRIVER;
    if (forced && forced !== 'auto') return findVulkanDriver(forced, root, icdDirs, dev);
    if (process.env.VK_ICD_FILENAMES) return { name: 'inherited', env: {} };
    // A real GPU beats any software driver in .vk/ (installed for CI) by orders of magnitude.
    const gpu = hardwareIcd(icdDirs, dev);
    if (gpu) return { name: 'system', env: { VK_ICD_FILENAMES: gpu, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } };
    for (const name of SOFTWARE_DRIVERS) {
      const found = installedDriver(name, root);
      if (found) return found;
    }
    return { name: 'system', env: {} };
  }
  if (choice === 'system') return { name: 'system', env: {} };
  if (choice === 'swiftshader' || choice === 'lavapipe') return installedDriver(choice, root);
  // An explicit ICD json: its folder may hold the loader and the driver's libraries.
  if (!existsSync(choice)) return null;
  return { name: 'custom', env: withLibraryDir(path.resolve(choice), path.dirname(path.resolve(choice))) };
}

function installedDriver(name: string, root: string): VulkanDriver | null {
  const dir = path.join(root, '.vk', name);
  const icd = path.join(dir, 'icd.json');
  if (!existsSync(icd) || !existsSync(path.join(dir, '.complete'))) return null;
  return { name, env: withLibraryDir(icd, dir) };
}

function withLibraryDir(icd: string, dir: string): Record<string, string> {
  const inherited = process.env.LD_LIBRARY_PATH;
  return {
    VK_ICD_FILENAMES: icd,
    LD_LIBRARY_PATH: inherited ? `${dir}:${inherited}` : dir,
    // The Vulkan loader prints an error line for every instance when this is unset.
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
  };
}
