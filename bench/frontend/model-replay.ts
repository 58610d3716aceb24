/**
 * The model half of the front-end floor: records the onnxruntime calls one clip makes (session and
 * input tensors, through the pipeline's own sessions and options), then replays them alone, so
 * their CPU time is the models' cost per clip with no decoding, warping or plumbing around them.
 */
import * as ort from 'onnxruntime-node';
import { WorkerSession } from '../../core/models/worker-sessions.ts';
import { selfCpuSeconds } from './cpu-seconds.ts';

type Feeds = ort.InferenceSession.FeedsType;
interface Call { session: ort.InferenceSession; feeds: Feeds }

type Run = (this: ort.InferenceSession, feeds: Feeds, ...rest: unknown[]) => Promise<unknown>;
let recording: Call[] | null = null;

/** Records the calls of sessions on this thread and of sessions in the store's worker threads. */
function recordCallsOf(proto: { run: Run }): Run {
  const original = proto.run;
  proto.run = function (this: ort.InferenceSession, feeds: Feeds, ...rest: unknown[]) {
    recording?.push({ session: this, feeds });
    return original.call(this, feeds, ...rest);
  };
  return original;
}
const originalRun = new Map<unknown, Run>([
  [ort.InferenceSession, recordCallsOf((ort.InferenceSession as unknown as { prototype: { run: Run } }).prototype)],
  [WorkerSession, recordCallsOf(WorkerSession.prototype as unknown as { run: Run })],
]);
const runOriginal = (c: Call) => (c.session instanceof WorkerSession ? originalRun.get(WorkerSession)! : originalRun.get(ort.InferenceSession)!).call(c.session, c.feeds);

/** Runs `work` and returns the onnxruntime calls made meanwhile (run it with nothing else in flight). */
export async function recordModelCalls(work: () => Promise<unknown>): Promise<Call[]> {
  recording = [];
  try {
    await work();
    return recording;
  } finally {
    recording = null;
  }
}

/** CPU seconds per replay of `calls` (the mean over `times` sequential replays, after one untimed). */
export async function replayCpuSeconds(calls: Call[], times: number): Promise<number> {
  const replay = async () => {
    for (const c of calls) await runOriginal(c);
  };
  await replay();
  const c0 = selfCpuSeconds();
  for (let i = 0; i < times; i++) await replay();
  return (selfCpuSeconds() - c0) / times;
}
