import { afterEach, describe, expect, it } from 'vitest';
import type { FaceFrame } from '@visage/core';
import { describeClip, descriptionToJSON } from '../src/describe-clip.ts';
import { EndpointClient } from '../src/endpoint-client.ts';
import { LIP_CORNER } from '../src/mesh-indices.ts';
import { completion, startFakeLlmServer, type FakeLlmServer } from './helpers/fake-llm-server.ts';
import { syntheticFrames } from './helpers/synthetic-frames.ts';
import { iod, movePoints, templateMesh } from './helpers/template-mesh.ts';

const base = templateMesh();
const d = 0.06 * iod(base);
const smileFaces: FaceFrame[] = Array.from({ length: 6 }, (_, t) => ({
  box: [0, 0, 1, 1], score: 1,
  mesh: movePoints(base, [[LIP_CORNER.right, -(t / 5) * d, -(t / 5) * d], [LIP_CORNER.left, (t / 5) * d, -(t / 5) * d]]),
}));

let server: FakeLlmServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

describe('describeClip', () => {
  it('uses the built-in action-unit describer when no endpoint is configured', async () => {
    const out = await describeClip({ frames: syntheticFrames(6), faces: smileFaces });
    expect(out.source).toBe('action-units');
    expect(out.sentences).toEqual(['The lip corners pull up and outward from frame 1 to frame 6.']);
    expect(out.text).toBe(out.sentences.join(' '));
    expect(out.actionUnits?.intensity.AU12[5]).toBeGreaterThan(0.5);
    const row = JSON.parse(JSON.stringify(descriptionToJSON(out)));
    expect(row).toMatchObject({ source: 'action-units', text: out.text, actionUnits: { neutralFrame: 0, frameCount: 6 } });
    expect(row.actionUnits.intensity.AU12).toHaveLength(6);
  });

  it('adds AU intensities to endpoint descriptions, and tolerates clips without a face there', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('The mouth corners move up.') }));
    const endpoint = new EndpointClient({ url: server.url });
    const withFaces = await describeClip({ frames: syntheticFrames(6), faces: smileFaces }, { endpoint });
    expect(withFaces).toMatchObject({ source: 'endpoint', text: 'The mouth corners move up.' });
    expect(withFaces.actionUnits?.intensity.AU12[5]).toBeGreaterThan(0.5);
    const noFace = await describeClip({ frames: syntheticFrames(6), faces: smileFaces.map(() => ({ box: null, score: 0, mesh: null })) }, { endpoint });
    expect(noFace.actionUnits).toBeNull();
  });

  it('fails clearly without meshes or frames', async () => {
    await expect(describeClip({ frames: syntheticFrames(2) })).rejects.toMatchObject({ code: 'MLLM_CONFIG_INVALID' });
    await expect(describeClip({ frames: [] })).rejects.toMatchObject({ code: 'MLLM_NO_FRAMES' });
    await expect(describeClip({ frames: syntheticFrames(2), faces: smileFaces })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(describeClip({ frames: syntheticFrames(6), faces: smileFaces.map(() => ({ box: null, score: 0, mesh: null })) }))
      .rejects.toMatchObject({ code: 'AU_NO_FACE' });
  });
});
