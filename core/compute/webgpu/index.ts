/** The webgpu compute backend (WGSL on Dawn); loaded on demand by ../create-backend.ts. */
export { createWebGpuBackend, WebGpuBackend, WebGpuBuffer, type WebGpuBackendOptions } from './webgpu-backend.ts';
export { findVulkanDriver, type DriverChoice, type VulkanDriver } from './driver.ts';
export type { AdapterSummary } from './protocol.ts';
