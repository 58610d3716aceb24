/**
 * DI tokens of the host's services. The inversify container stays inside the core: plugins get a
 * PluginContext, never the container.
 */
import type { ServiceIdentifier } from 'inversify';
import type { Logger } from '../logging/logger.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { SharedResources } from '../plugins/shared-resources.ts';
import type { HostOptions } from './host-options.ts';
import type { HostSettings } from '../plugins/host-settings.ts';
import type { OnnxSessionStore } from '../models/session-store.ts';

type Token<T> = ServiceIdentifier<T>;

export const TOKENS = {
  Options: Symbol.for('visage.HostOptions') as Token<HostOptions>,
  Settings: Symbol.for('visage.HostSettings') as Token<HostSettings>,
  Logger: Symbol.for('visage.Logger') as Token<Logger>,
  Registry: Symbol.for('visage.PluginRegistry') as Token<PluginRegistry>,
  Shared: Symbol.for('visage.SharedResources') as Token<SharedResources>,
  Models: Symbol.for('visage.ModelStore') as Token<OnnxSessionStore>,
} as const;
