/**
 * Every user-facing error of Visage, as a factory (Rollup's logs.ts pattern).
 * Codes are SCREAMING_SNAKE and stable: tests and users match on them.
 * Keep factories grouped by area; add new ones to the area they belong to. Errors that belong
 * to one plugin live in that plugin (`plugins/<p>/src/errors.ts`), built with `errors.badInput`
 * and `errors.runFailure`.
 */
import { VisageError } from './visage-error.ts';

const bad = (code: string, message: string, hint?: string, extra: Partial<VisageError> = {}) =>
  new VisageError({ code, message, hint, exitCode: 2, ...extra });
const fail = (code: string, message: string, hint?: string, extra: Partial<VisageError> = {}) =>
  new VisageError({ code, message, hint, exitCode: 1, ...extra });

// ---- predictions files -------------------------------------------------------------------
export const predictionsInvalid = (file: string, line: number, detail: string) =>
  bad('PREDICTIONS_INVALID', `${file}${line ? `:${line}` : ''}: ${detail}`, 'one JSON object per line: {"id", "label", "predicted", "knownness"?, "known"?} (see README, visage eval)', { file });

// ---- presets and configuration ----------------------------------------------------------
export const presetNotFound = (name: string, known: string[]) =>
  bad('PRESET_NOT_FOUND', `no preset named "${name}"`, `--preset takes a preset name (${known.length ? `known: ${known.join(', ')}` : 'no plugin contributes one'}), a pipeline.json file, or a folder holding one`);
export const presetFileUnreadable = (file: string, detail: string) =>
  bad('PRESET_UNREADABLE', `cannot read preset ${file}: ${detail}`, 'check the path; presets are JSON files', { file });
export const presetCycle = (chain: string[]) =>
  bad('PRESET_EXTENDS_CYCLE', `presets extend each other in a cycle: ${chain.join(' -> ')}`, 'remove one of the extends entries');
export const presetInvalid = (pointer: string, message: string, hint: string, file?: string) =>
  bad('PRESET_INVALID', message, hint, { pointer, file });
export const providerNotFound = (pointer: string, use: string, kind: string, available: string[], why?: string) =>
  bad('PROVIDER_NOT_FOUND', `no ${kind} provider "${use}"${why ? ` (${why})` : ''}`, available.length ? `available ${kind} providers: ${available.join(', ')}` : `no installed plugin contributes a ${kind} provider`, { pointer });
export const levelAmbiguous = (slot: string, candidates: string[]) =>
  bad('LEVEL_AMBIGUOUS', `level "${slot}" is served by several providers: ${candidates.join(', ')}`, `pick one: --set stages.levels.${slot}.use=${candidates[0]}`, { pointer: `/stages/levels/${slot}/use` });
export const levelNeedsDisabled = (slot: string, need: string) =>
  bad('LEVEL_NEEDS_DISABLED', `level "${slot}" needs level "${need}", which is not enabled in this preset`, `enable it: --set stages.levels.${need}.enabled=true, or disable ${slot}`, { pointer: `/stages/levels/${slot}` });
export const levelCycle = (chain: string[]) =>
  bad('LEVEL_CYCLE', `levels need each other in a cycle: ${chain.join(' -> ')}`, 'a level cannot (indirectly) need itself; check the `needs` of these level contributions');
export const setOverrideInvalid = (expr: string, detail: string) =>
  bad('SET_OVERRIDE_INVALID', `--set ${expr}: ${detail}`, 'write --set path.to.key=value, e.g. --set stages.levels.expression.weight=0.5');

// ---- plugins -----------------------------------------------------------------------------
export const pluginActivationFailed = (plugin: string, detail: string, cause?: unknown) =>
  fail('PLUGIN_ACTIVATION_FAILED', `activate() failed: ${detail}`, 'fix the plugin at the place named; `visage plugins validate DIR --load` checks that its entry imports', { plugin, cause } as Partial<VisageError>);
export const pluginEntryInvalid = (plugin: string, main: string) =>
  fail('PLUGIN_ENTRY_INVALID', `${main} does not export an activate(ctx) function`, 'export function activate(ctx) { ... } from the module named by "main"', { plugin });
export const pluginTapForeign = (plugin: string, stage: string, id: string) =>
  bad('PLUGIN_TAP_UNDECLARED', `tried to provide ${stage} "${id}", which its manifest does not contribute`, `declare it under contributes in package.json, or fix the id`, { plugin, stage });
export const providerNotTapped = (plugin: string, stage: string, id: string) =>
  fail('PROVIDER_NOT_TAPPED', `${stage} provider "${id}" is declared but activate() never provided it`, 'call ctx.stages.<stage>.provide(id, fn) in activate()', { plugin, stage });
export const stageReturnedNothing = (plugin: string, stage: string, id: string) =>
  fail('STAGE_NO_RESULT', `${stage} provider "${id}" returned nothing`, 'a provider must resolve to a result (or throw a VisageError)', { plugin, stage });
export const noIngesterAccepted = (path: string, tried: string[]) =>
  fail('INGEST_UNSUPPORTED', `no ingest provider accepted ${path} (tried ${tried.join(', ')})`, 'is it a video, image, or frame folder?');

// ---- input media -------------------------------------------------------------------------
export const inputNotFound = (path: string) =>
  fail('INPUT_NOT_FOUND', `no such file or folder: ${path}`, 'check the path; globs must be quoted so the shell does not expand them');
export const mediaDecodeFailed = (path: string, detail: string) =>
  fail('MEDIA_DECODE_FAILED', `could not decode ${path}: ${detail}`, 'is it a video, an image, or a folder of frames? try `ffprobe` on it');
export const mediaEmpty = (path: string) =>
  fail('MEDIA_EMPTY', `${path} has no decodable frames`, 'the file may be truncated or not a video');
export const mediaTooLarge = (path: string, width: number, height: number, limit: number) =>
  fail('MEDIA_TOO_LARGE', `${path} is ${width}x${height}, over the ${limit}-pixel side limit`, 'downscale the video, or raise ingest.maxSide in the preset');
export const ffmpegMissing = () =>
  fail('FFMPEG_MISSING', 'no ffmpeg found on PATH', 'install it (`apt-get install ffmpeg`) or set VISAGE_FFMPEG to a binary');
export const ffmpegNotExecutable = (variable: string, path: string) =>
  fail('FFMPEG_MISSING', `${variable}=${path} is not an executable file`, `point ${variable} at an ffmpeg binary, or unset it to use ffmpeg from PATH`);
export const mediaNoVideoStream = (path: string) =>
  fail('MEDIA_NO_VIDEO_STREAM', `${path} has no video stream`, 'an audio-only or data file cannot be a clip; pass a video, an image or a folder of frames');
export const ffmpegFailed = (path: string, detail: string) =>
  fail('FFMPEG_FAILED', `ffmpeg failed on ${path}: ${detail}`, 'run the same file through `ffmpeg -i` to see the full log; set VISAGE_FFMPEG to try another build');
export const inputNoClips = (arg: string) =>
  bad('INPUT_NO_CLIPS', `${arg} matched no video, image or frame folder`, 'check the glob and the file extensions (videos: mp4, avi, mkv, mov, webm; images: jpg, png, webp)');
export const ingestOptionInvalid = (detail: string) =>
  bad('INGEST_OPTION_INVALID', `invalid ingest option: ${detail}`, 'frames and maxSide are positive integers; mode is test or train; pad is last or zero');

// ---- datasets ----------------------------------------------------------------------------
export const datasetFileMissing = (dataset: string, what: string, tried: string[]) =>
  bad('DATASET_FILE_MISSING', `${dataset}: ${what} not found (looked for ${tried.join(', ')})`, 'point the dataset root at the folder that holds the official split files');
export const datasetBadLine = (file: string, line: number, detail: string) =>
  bad('DATASET_BAD_LINE', `${file}:${line}: ${detail}`, 'the split file does not match the documented layout; see core/data readers', { file });
export const datasetUnknownLabel = (file: string, line: number, label: string, known: string[]) =>
  bad('DATASET_UNKNOWN_LABEL', `${file}:${line}: unknown label "${label}" (known: ${known.join(', ')})`, 'fix the split file, or pass the class list that matches it', { file });
export const datasetBadFold = (dataset: string, fold: unknown, folds: number) =>
  bad('DATASET_BAD_FOLD', `${dataset}: fold ${String(fold)} does not exist (folds are 1..${folds})`, `pick a fold from 1 to ${folds}`);
export const datasetSourceMissing = (dataset: string, id: string, path: string) =>
  bad('DATASET_SOURCE_MISSING', `${dataset}: clip ${id} is listed but ${path} does not exist`, 'check the frames/clips folder option, or pass checkSources: false to list anyway');

// ---- metrics -----------------------------------------------------------------------------
export const metricInputInvalid = (metric: string, detail: string) =>
  bad('METRIC_INPUT_INVALID', `${metric}: ${detail}`, 'scores must be finite numbers and label arrays must have equal lengths');

// ---- models ------------------------------------------------------------------------------
export const modelNotFound = (what: string, where: string) =>
  fail('MODEL_NOT_FOUND', `${what} not found at ${where}`, 'pass --models DIR or set the model path in the preset');
export const modelSignatureMismatch = (model: string, found: string, expected: string) =>
  bad('MODEL_SIGNATURE_MISMATCH', `${model}: found ${found}, expected ${expected}`, 'export the model with the input/output names and shapes Visage expects (see README, Models)');
export const modelConversionFailed = (model: string, detail: string) =>
  fail('MODEL_CONVERSION_FAILED', `cannot convert ${model} to ONNX: ${detail}`, 'only TFJS graph models with the op set of the @vladmandic/human face models are supported');
export const modelOpUnsupported = (model: string, op: string, node: string) =>
  fail('MODEL_OP_UNSUPPORTED', `${model}: TF op ${op} (node ${node}) has no ONNX mapping in the converter`, 'add a mapping in core/models/tfjs-to-onnx.ts, or use a model with supported ops');
export const modelCacheUnwritable = (dir: string, detail: string) =>
  fail('MODEL_CACHE_UNWRITABLE', `cannot write the model cache in ${dir}: ${detail}`, 'set VISAGE_CACHE_DIR to a writable folder');
export const modelRunFailed = (model: string, detail: string) =>
  fail('MODEL_RUN_FAILED', `${model} failed in onnxruntime: ${detail}`);

// ---- faces (landmarks, expression) -------------------------------------------------------
export const noFaceInClip = (clip: string, frames: number) =>
  fail('NO_FACE_IN_CLIP', `no face found in any of the ${frames} frames of ${clip}`, 'is a face visible and at least ~40 px wide? lower landmarks.minConfidence, or crop the video around the face');
export const badFrame = (detail: string) =>
  bad('BAD_FRAME', `invalid frame: ${detail}`, 'frames must be RGB24: width*height*3 bytes');
export const faceInputMismatch = (what: string, detail: string) =>
  bad('FACE_INPUT_MISMATCH', `${what}: ${detail}`);

// ---- compute -----------------------------------------------------------------------------
export const shapeMismatch = (op: string, detail: string) =>
  fail('SHAPE_MISMATCH', `${op}: ${detail}`);
export const backendUnavailable = (backend: string, detail: string) =>
  fail('BACKEND_UNAVAILABLE', `compute backend ${backend} is not available: ${detail}`, 'use --device cpu, or install a Vulkan driver (see README, WebGPU)');
export const backendMismatch = (expected: string, found: string) =>
  fail('BACKEND_MISMATCH', `a ${found} buffer was passed to the ${expected} backend`, 'create every tensor of one computation on the same backend');
export const unknownDevice = (device: string) =>
  bad('UNKNOWN_DEVICE', `unknown compute device "${device}"`, 'use --device auto, cpu or webgpu');
export const invalidComputeArgument = (op: string, detail: string) =>
  bad('INVALID_COMPUTE_ARGUMENT', `${op}: ${detail}`);
export const noGradient = (op: string) =>
  fail('NO_GRADIENT', `${op}: nothing to differentiate`, 'call backward() on a scalar that depends on a tensor with requiresGrad, outside noGrad()');
export const parameterExists = (name: string) =>
  bad('PARAMETER_EXISTS', `a parameter named "${name}" is already registered`, 'give each module a unique prefix');
export const checkpointInvalid = (path: string, detail: string) =>
  fail('CHECKPOINT_INVALID', `${path} is not a valid Visage checkpoint: ${detail}`, 'was it written by saveCheckpoint? re-train or re-download it');
export const checkpointMismatch = (path: string, detail: string) =>
  bad('CHECKPOINT_MISMATCH', `${path} does not fit the model: ${detail}`, 'load a checkpoint trained with the same config (see its .json sidecar)');

// ---- images and renders ------------------------------------------------------------------
export const imageBufferMismatch = (what: string, width: number, height: number, length: number) =>
  fail('IMAGE_BUFFER_MISMATCH', `${what}: a ${width}x${height} RGB image needs ${width * height * 3} bytes, got ${length}`, 'pass width, height and a packed RGB24 buffer (no alpha, no row padding)');
export const renderWriteFailed = (path: string, detail: string) =>
  fail('RENDER_WRITE_FAILED', `could not write render ${path}: ${detail}`, 'check that the --save-renders folder is writable and the disk is not full');

// ---- feature cache ------------------------------------------------------------------------
export const featureCacheInvalid = (file: string, detail: string) =>
  fail('FEATURE_CACHE_INVALID', `feature cache entry ${file}: ${detail}`, 'delete the file (or the whole <cache-dir>/features folder); it is rebuilt on the next run');

// ---- JSON files (presets, manifests) -------------------------------------------------------
export const jsonFileUnreadable = (what: string, file: string, detail: string) =>
  bad('JSON_FILE_UNREADABLE', `cannot read ${what} ${file}: ${detail}`, 'check the path', { file });
export const jsonInvalid = (what: string, file: string, line: number, column: number, detail: string, hint: string) =>
  bad('JSON_INVALID', `${what} ${file}:${line}:${column}: ${detail}`, hint, { file });

// ---- reliability: the batch (time limits, stage outputs, output paths, signals) ------------
export const stageTimeout = (plugin: string, stage: string, id: string, ms: number) =>
  fail('STAGE_TIMEOUT', `${stage} provider "${id}" did not finish within ${ms / 1000} s`, 'the plugin is stuck or very slow: raise --stage-timeout SECONDS (0 means no limit), or fix the plugin', { plugin, stage });
export const activationTimeout = (plugin: string, ms: number) =>
  fail('PLUGIN_ACTIVATION_TIMEOUT', `activate() did not finish within ${ms / 1000} s`, 'raise --activation-timeout SECONDS (0 means no limit), or fix the plugin\'s activate()', { plugin, stage: 'activate' });
export const stageOutputInvalid = (plugin: string, stage: string, id: string, field: string, detail: string) =>
  fail('STAGE_OUTPUT_INVALID', `${stage} provider "${id}" returned an invalid ${field || 'result'}: ${detail}`, 'scores are finite numbers keyed by the run\'s class names (see README, "The stages"); this is a fault of the plugin', { plugin, stage });
export const clipAborted = (reason: string) =>
  fail('ABORTED', `stopped while running: ${reason}`, 'rerun the batch; finished rows are kept');
export const clipSkipped = (reason: string) =>
  fail('SKIPPED', `not run: ${reason}`, 'rerun the batch for the clips with this code');
export const rowNotSerialisable = (detail: string) =>
  fail('ROW_NOT_SERIALISABLE', `the clip's result cannot be written as a row: ${detail}`, 'a level\'s summary must be plain JSON data (no cycles, BigInt or functions); this is a fault of the plugin');
export const pluginCalledExit = (code: unknown) =>
  fail('PLUGIN_CALLED_EXIT', `plugin code called process.exit(${code === undefined ? '' : String(code)}) during the batch`, 'a plugin must throw an error instead of ending the process; the call was refused');
export const outputPathInvalid = (flag: string, file: string, detail: string, hint: string) =>
  bad('OUTPUT_PATH_INVALID', `${flag} ${file}: ${detail}`, hint, { file });
export const outputIsInput = (flag: string, file: string) =>
  bad('OUTPUT_IS_INPUT', `${flag} ${file} is also one of the inputs, and would be overwritten`, `write the output somewhere else, e.g. ${flag} rows.jsonl`, { file });
export const outputClosed = (detail: string) =>
  fail('OUTPUT_CLOSED', `the output was closed by its reader (${detail})`, 'the reader of the rows went away (e.g. `| head`); use --out FILE to keep every row');
export const optionNeeds = (flag: string, needs: string, why: string) =>
  bad('CLI_OPTION_INVALID', `${flag} needs ${needs}`, why);
export const internalError = (detail: string, cause?: unknown) =>
  fail('INTERNAL_ERROR', `unexpected error: ${detail}`, 'this is a bug in Visage: please report it with the command line; --log-level debug prints the stack', { cause } as Partial<VisageError>);
// ---- levels: class scores (weights, fusion) -------------------------------------------------
export const levelWeightWithoutScores = (slot: string, use: string, weight: number) =>
  bad('LEVEL_WEIGHT_WITHOUT_SCORES', `level "${slot}" (${use}) has weight ${weight} but returns no class scores, so its weight would do nothing`, `set --set stages.levels.${slot}.weight=0, or put the weight on a level that scores (\`visage pipeline explain\` shows which do)`, { pointer: `/stages/levels/${slot}/weight` });
export const fusionZeroWeight = (levels: string[]) =>
  fail('FUSION_ZERO_WEIGHT', `the weights of the scoring levels (${levels.join(', ') || 'none'}) sum to 0, so no level decides this clip`, 'give at least one scoring level a positive weight, e.g. --set stages.levels.expression.weight=1');
export const fusionNoScores = (levels: string[]) =>
  fail('FUSION_NO_SCORES', `no weighted level produced usable class scores for this clip (${levels.join(', ') || 'none weighted'}: missing, all zero or NaN)`, 'check those levels\' outputs in the row (`levels`); a clip without a usable face gives no scores');
// ---- reliability: files, config and child processes ------------------------------------
export const configKeyForbidden = (key: string, at: string, source: string) =>
  bad('CONFIG_KEY_FORBIDDEN', `${source}: the key "${key}" (at ${at}) is not allowed`, '"__proto__", "constructor" and "prototype" could rewrite every object of the process; rename or remove that key');
export const presetExtendsTooDeep = (detail: string, maxDepth: number, maxLayers: number) =>
  bad('PRESET_EXTENDS_TOO_DEEP', `presets extend each other too deeply: ${detail}`, `flatten the chain; at most ${maxDepth} levels of extends and ${maxLayers} layers in all are followed`);
export const predictionsUnreadable = (file: string, detail: string) =>
  bad('PREDICTIONS_UNREADABLE', `cannot read predictions file ${file}: ${detail}`, 'pass JSON Lines files written by `visage predict` (or any tool) with --predictions', { file });
export const mediaFramesTooLarge = (path: string, frames: number, size: string, bytes: number, limit: number) =>
  fail('MEDIA_FRAMES_TOO_LARGE', `${path}: ${frames} decoded frames of ${size} px need up to ${(bytes / 2 ** 30).toFixed(1)} GiB, over the ${(limit / 2 ** 30).toFixed(1)} GiB a clip may take`, 'lower frames, or bound the frame size with the ingest option maxSide (e.g. --set stages.ingest.options.maxSide=512)', { file: path });
export const cliOptionInvalid = (name: string, value: unknown, expected: string) =>
  bad('CLI_OPTION_INVALID', `${name} ${JSON.stringify(String(value))} is not ${expected}`, `pass ${name} as ${expected}`);
// ---- compare: clip ids, ground truth, level cache, compare, ablate, reports ---------------
export const clipIdCollision = (id: string, first: string, second: string) =>
  bad('CLIP_ID_COLLISION', `two inputs get the clip id "${id}": ${first} and ${second}`, 'clip ids are paths relative to the inputs\' common folder without the extension; rename one file (e.g. x.mp4 beside x.avi)');
export const labelsFileInvalid = (file: string, line: number, detail: string) =>
  bad('LABELS_INVALID', `${file}${line ? `:${line}` : ''}: ${detail}`, 'a labels file is a CSV with a header naming a "path" or "id" column and a "label" column', { file });
export const groundTruthConflict = (flags: string[]) =>
  bad('GROUND_TRUTH_CONFLICT', `choose one source of ground truth, not ${flags.join(' and ')}`, 'use --labels FILE, --labels-from-folders, or --dataset NAME --root DIR');
export const datasetNeedsRoot = (dataset: string) =>
  bad('DATASET_NEEDS_ROOT', `--dataset ${dataset} needs --root DIR`, 'point --root at the folder that holds the dataset\'s split files and clips');
export const noInputs = (command: string) =>
  bad('NO_INPUTS', `${command}: no inputs`, 'pass files, folders or globs, or --dataset NAME --root DIR');
export const evalSeveralFiles = (files: string[]) =>
  bad('EVAL_SEVERAL_FILES', `${files.length} files given (${files.join(', ')}) without --folds`, 'folds of one system: visage eval --folds a.jsonl b.jsonl ... (mean ± std); two systems on the same clips: visage compare');
export const evalNoFiles = () =>
  bad('EVAL_NO_FILES', 'no predictions file given', 'visage eval rows.jsonl, or visage eval --folds a.jsonl b.jsonl');
export const runRowsWithoutTruth = (file: string) =>
  bad('RUN_ROWS_WITHOUT_TRUTH', `${file}: run rows without ground truth ("groundTruth")`, 'run again with --labels FILE, --labels-from-folders or --dataset NAME --root DIR, so rows carry the truth');
export const compareNeedsVariants = (count: number) =>
  bad('COMPARE_NEEDS_VARIANTS', `compare needs two or more variants, got ${count}`, 'give several --preset NAME|FILE, or one --preset plus --variant NAME --set path=value ...');
export const variantNameTaken = (name: string) =>
  bad('VARIANT_NAME_TAKEN', `two variants are named "${name}"`, 'give each --variant a distinct name');
export const variantClassesDiffer = (a: string, b: string) =>
  bad('VARIANT_CLASSES_DIFFER', `variants "${a}" and "${b}" predict different class lists`, 'compare variants over the same classes (set "classes" in the base preset)');
export const ablateNeedsTruth = (unlabelled: number, total: number) =>
  bad('ABLATE_NEEDS_TRUTH', `ablate measures each level's contribution to UAR, so every clip needs ground truth; ${unlabelled} of ${total} have none`, 'add --labels FILE (covering every clip), --labels-from-folders or --dataset NAME --root DIR');
export const ablateNoWeightedLevels = (preset: string) =>
  bad('ABLATE_NO_WEIGHTED_LEVELS', `preset "${preset}" has fewer than two levels that return class scores with a weight above 0`, 'ablation removes scoring levels one at a time; enable or weight more of them');
export const noClipsScored = (command: string) =>
  fail('NO_CLIPS_SCORED', `${command}: every clip failed, nothing to compare`, 'run `visage pipeline run` on the same inputs to see each clip\'s error');
export const reportWriteFailed = (file: string, detail: string) =>
  fail('REPORT_WRITE_FAILED', `cannot write report ${file}: ${detail}`, 'check that the folder exists and is writable', { file });
// ---- scale-out: queue (BullMQ on Redis) ---------------------------------------------------
export const queueUrlInvalid = (shown: string, detail: string) =>
  bad('QUEUE_URL_INVALID', `--queue ${shown}: ${detail}`, 'give a Redis URL like redis://HOST:6379/0 (redis://USER:PASSWORD@HOST:PORT/DB with a password; rediss:// for TLS)');
export const queueUnreachable = (shown: string, detail: string) =>
  fail('QUEUE_UNREACHABLE', `cannot reach the queue at ${shown}: ${detail}`, 'start Redis (redis-server) or check host, port, password and firewall');
export const queueRootMapInvalid = (value: string) =>
  bad('QUEUE_ROOT_MAP_INVALID', `--root-map ${value}: expected FROM=TO, two absolute folders`, 'e.g. --root-map /mnt/media=/data/media: a path under FROM on the submitter is read under TO by the worker');
export const queueWorkerMismatch = (differences: string[]) =>
  fail('QUEUE_WORKER_MISMATCH', `the worker refused the job: ${differences.join('; ')}`, 'run every worker with the same plugins (versions) and --models as the submitting machine; a mismatched worker never returns results');
export const queueOptionUnsupported = (option: string) =>
  bad('QUEUE_OPTION_UNSUPPORTED', `${option} cannot be combined with --queue: workers run the clips`, `run without --queue to use ${option}`);
export const queueJobFailed = (reason: string) =>
  fail('QUEUE_JOB_FAILED', reason || 'the job failed without a reason', 'see the worker logs (visage worker prints every job it runs on stderr)');

export { bad as badInput, fail as runFailure };

// ---- first hour: renders ------------------------------------------------------------------
export const rendersUnknownLevel = (unknown: readonly string[], slots: readonly string[]) =>
  bad('RENDERS_UNKNOWN_LEVEL', unknown.length ? `--renders names level(s) ${unknown.join(', ')}, which this preset does not have` : '--renders names no level',
    `choose among this preset's level slots: ${slots.join(', ')} (see visage pipeline explain)`);
// ---- prompts: prompt roles (issue 17) -----------------------------------------------------
export const promptRolesMissing = (fusion: string, missing: readonly string[], builder: string | undefined, gives: readonly string[], builders: readonly string[]) =>
  bad('PROMPT_ROLES_MISSING', `fusion ${fusion} reads ${missing.join(' and ')} prompts, which ${builder ? `the prompt builder ${builder} does not give (it gives ${gives.join(', ') || 'no roles'})` : 'no prompt builder gives: the preset selects none'}`,
    builders.length ? `select a prompt builder that gives them, e.g. --set stages.prompts.use=${builders[0]} (builders that do: ${builders.join(', ')})` : 'no installed prompt builder gives them; see `visage plugins list`', { pointer: '/stages/prompts/use' });

// ---- stages: one table, one invoke -------------------------------------------------------
export const providerProvidedTwice = (plugin: string, stage: string, id: string) =>
  fail('PROVIDER_PROVIDED_TWICE', `provided ${stage} "${id}" twice`, 'call ctx.stages.<stage>.provide(id, fn) once per id in activate()', { plugin, stage });

// ---- ortgpu: onnxruntime's WebGPU execution provider (--device) ---------------------------
export const ortWebGpuUnavailable = (driver: string, detail: string) =>
  bad('ORT_WEBGPU_UNAVAILABLE', `--device webgpu: onnxruntime's WebGPU execution provider found no adapter with the Vulkan driver ${driver}: ${detail}`,
    'use --device cpu (or auto, which falls back to cpu); for a software adapter install one with scripts/vulkan/install-swiftshader.sh; '
    + 'a GPU needs its Vulkan driver (e.g. NVIDIA\'s ICD in /etc/vulkan/icd.d or /usr/share/vulkan/icd.d) and the Vulkan loader (apt-get install libvulkan1); '
    + 'VISAGE_VK_DRIVER=swiftshader|lavapipe|system|<icd.json> or VK_ICD_FILENAMES picks the driver');

// ---- speed: long videos (windows, scene cuts, faces) ----------------------------------------
export const windowLengthInvalid = (name: string, value: unknown) =>
  bad('WINDOW_LENGTH_INVALID', `${name} ${JSON.stringify(String(value))} is not a length of video`, `pass ${name} in seconds (e.g. 2s, 0.5s) or in frames (e.g. 48f), greater than 0`);
export const windowOptionUnsupported = (flag: string, why: string) =>
  bad('WINDOW_OPTION_UNSUPPORTED', `${flag} cannot be combined with --window`, why);
export const windowNeedsVideo = (path: string) =>
  fail('WINDOW_NEEDS_VIDEO', `${path} is not a video file; --window streams video files only`, 'run frame folders and images without --window (one row per clip)', { file: path });
export const windowNeedsFps = (path: string, flag: string) =>
  fail('WINDOW_NEEDS_FPS', `${path} has no frame rate, so ${flag} in seconds cannot be turned into frames`, `give ${flag} in frames instead (e.g. 48f)`, { file: path });
export const noWindowScored = (path: string, windows: number) =>
  fail('NO_WINDOW_SCORED', `none of the ${windows} window(s) of ${path} was scored, so there is no clip-level summary`, 'see the error of each window row (a window without a face fails with NO_FACE_IN_CLIP)', { file: path });

// ---- speed: the pooled PyAV decoder ------------------------------------------------------------
export const decoderUnknown = (value: string, choices: readonly string[]) =>
  bad('DECODER_UNKNOWN', `VISAGE_DECODER=${value} is not a decoder`, `use one of: ${choices.join(', ')} (default auto)`);
export const decoderUnavailable = (python: string, detail: string) =>
  bad('DECODER_UNAVAILABLE', `VISAGE_DECODER=pyav, but ${python} cannot run the PyAV decoder: ${detail}`, 'install it (`apt-get install python3-av`), point VISAGE_PYTHON at a Python with PyAV, or unset VISAGE_DECODER to fall back to the ffmpeg command');

// ---- frontend2: onnxruntime sessions in worker threads ----------------------------------------
export const ortWorkersInvalid = (value: string) =>
  bad('ORT_WORKERS_INVALID', `VISAGE_ORT_WORKERS=${value} is not a number of worker threads`, 'set it to 0 (model calls on the main thread) or a whole number of worker threads (default 2 on 2 cores or more)');

// ---- speed: V8 heap growth (core/cli/heap-growth.ts) ----

export const heapGrowingInvalid = (value: string) =>
  bad('HEAP_GROWING_INVALID', `VISAGE_HEAP_GROWING_PERCENT=${value} is not a percentage from 0 to 1000`, "leave it unset (300: the JS heap may grow to 4x its live size before a full garbage collection), or 0 for V8's own limits");
