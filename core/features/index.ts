/** The feature cache: frozen per-level features of dataset clips, keyed by content and configuration. */
export {
  FeatureCache, defaultFeatureDir, featureKey, sourceFingerprint, fileFingerprint,
  type FeatureTensor, type FeatureEntry, type FeatureKeyParts,
} from './feature-cache.ts';
