export { VisageError, isVisageError, wrapPluginError, type VisageErrorProps } from './visage-error.ts';
export * as errors from './messages.ts';
