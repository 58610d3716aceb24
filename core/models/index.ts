export { OnnxGraphBuilder, attr, ONNX_OPSET, ONNX_IR_VERSION, type OnnxElementType, type OnnxDim, type AttrValue, type InitializerData, type SerializeOptions } from './onnx-builder.ts';
export { readTfjsGraphModel, float16ToFloat32, type TfjsGraphModel, type TfNode, type TfWeight } from './tfjs-graph.ts';
export { convertTfjsToOnnx, CONVERTER_VERSION, type ConvertOptions, type ConvertedModel } from './tfjs-to-onnx.ts';
export { ModelCache, defaultModelCacheDir, writeFileAtomic, type CachedModel } from './model-cache.ts';
export { FACE_MODEL_NAMES, faceModelOnnx, faceModelJsonPath, humanModelsDir, type FaceModelName, type FaceModelOnnx } from './face-model-sources.ts';
export { OnnxSessionStore, runSession, modelRunStats, type OrtDevice, type SessionStoreOptions } from './session-store.ts';
export { chooseOrtProvider, describeDeviceRequest, providerSessionOptions, type DeviceRequest, type OrtProvider, type ProviderChoice } from './ort-provider.ts';
export { warpToFloat, warpToFrame, rectToAffine, applyAffine, invertAffine, type Affine } from './image-warp.ts';
export { FACE_API_EXPRESSION_LABELS, FACE_API_EXPRESSION_SIZE, buildFaceExpressionNet, faceApiModelsDir, faceExpressionNetOnnx, type FaceExpressionNetOnnx } from './face-expression-net.ts';
