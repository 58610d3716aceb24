export { VisageError, isVisageError, wrapPluginError, type VisageErrorProps } from './visage-error.ts';
export * as errors from './messages.ts';
export { redactSecrets, registerSecret, isSecretKey } from './redact-secrets.ts';
