/**
 * The model half of the front-end floor: records the onnxruntime calls one clip makes (session and
 * input tensors, through the pipeline's own sessions and options), then replays them alone, so
 * their CPU time is the models' cost per clip with no decoding, warping or plumbing around them.
 */
import * as ort from 'onnxruntime-node';
import { selfCpuSeconds } from './cpu-seconds.ts';

type Feeds = ort.InferenceSession.FeedsType;
interface Call { session: ort.InferenceSession; feeds: Feeds }

const proto = (ort.InferenceSession as unknown as { prototype: unknown }).prototype as { run: (this: ort.InferenceSession, feeds: Feeds, ...rest: unknown[]) => Promise<unknown> };
const originalRun = proto.run;
let recording: Call[] | null = null;

proto.run = function (this: ort.InferenceSession, feeds: Feeds, ...rest: unknown[]) {
  recording?.push({ session: this, feeds });
  return originalRun.call(this, feeds, ...rest);
};

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
    for (const c of calls) await originalRun.call(c.session, c.feeds);
  };
  await replay();
  const c0 = selfCpuSeconds();
  for (let i = 0; i < times; i++) await replay();
  return (selfCpuSeconds() - c0) / times;
}
