export { CONTRIBUTION_POINTS, PROVIDER_POINTS, contributionPoint, type ContributionPoint, type ProviderPoint } from './contribution-points.ts';
export { buildManifestSchema } from './manifest-schema.ts';
export { validateManifest, pluginIdOf, type ValidationResult } from './validate-manifest.ts';
export { readManifest, type ReadManifestResult } from './read-manifest.ts';
export { formatProblem, type ManifestProblem } from './manifest-problem.ts';
export type * from './plugin-manifest.ts';
