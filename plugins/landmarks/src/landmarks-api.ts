/**
 * What the landmarks plugin shares with plugins that declare it in `pluginDependencies`
 * (package export `@visage/landmarks`): the shape of `deps.landmarks.data`, and the face
 * front-end that other plugins' tests use to build real inputs.
 */
export type { LandmarksData, LandmarkFrame } from './index.ts';
export { alignedCrop, alignmentMap, type AlignOptions } from './aligned-crop.ts';
export { FaceModels, type FaceModelsOptions } from './face-models.ts';
export { trackFaces, type TrackedFace, type TrackOptions } from './track-faces.ts';
