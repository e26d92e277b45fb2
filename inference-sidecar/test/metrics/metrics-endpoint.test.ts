import { spawnSync } from 'node:child_process';
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { eventually } from '../helpers/eventually';

describe('GET /metrics', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res, body) => {
      if (req.method === 'GET') {
        res.end('ok'); // the /readyz probe
        return;
      }
      const n = (JSON.parse(body.toString()) as { instances: unknown[] }).instances.length;
      if (req.url === '/v1/models/clf:predict') {
        // 60 distinct classes: more than maxClassesPerModel (50); the rest fold into "other".
        res.end(JSON.stringify({ predictions: Array.from({ length: n }, (_, i) => `class-${i}`) }));
      } else if (req.url === '/v1/models/proba:predict') {
        res.end(JSON.stringify({ predictions: Array.from({ length: n }, () => [0.25, 0.75]) }));
      } else {
        res.end(
          JSON.stringify({ predictions: Array.from({ length: n }, (_, i) => (i === 0 ? null : i + 0.5)) }),
        );
      }
    });
    sidecar = await startTestSidecar(upstream.url, {
      models: { reg: { histogramFeatures: ['x'], task: 'regression' } },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('exposes the catalog metrics with bounded labels, and promtool check metrics reports nothing', async () => {
    const send = async (path: string, rows: number): Promise<void> => {
      const res = await request(`${sidecar.url}${path}`, {
        method: 'POST',
        body: JSON.stringify({ instances: Array.from({ length: rows }, (_, i) => ({ x: i })) }),
      });
      await res.body.dump();
    };
    await send('/v1/models/clf:predict', 60);
    await send('/v1/models/proba:predict', 2);
    await send('/v1/models/reg:predict', 3);
    await sidecar.waitForEvents(65);

    const res = await request(`${sidecar.adminUrl}/metrics`);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.body.text();
    expect(text).toMatch(
      /plumbline_sidecar_requests_total\{model="clf",model_version="",protocol="kserve-v1",status="200"\} 1/,
    );
    expect(text).toMatch(
      /plumbline_sidecar_predictions_total\{model="clf",model_version="",class="other"\} 10/,
    );
    expect(text.match(/plumbline_sidecar_predictions_total\{model="clf"/g)).toHaveLength(51);
    expect(text).toMatch(
      /plumbline_sidecar_prediction_confidence_bucket\{le="0.8",model="proba",model_version=""\} 2/,
    );
    expect(text).toMatch(/plumbline_sidecar_regression_output_sum\{model="reg",model_version=""\} 4/);
    expect(text).toMatch(
      /plumbline_sidecar_invalid_outputs_total\{model="reg",model_version="",kind="null"\} 1/,
    );
    expect(text).toMatch(
      /plumbline_sidecar_feature_value_count\{model="reg",model_version="",feature="x"\} 3/,
    );
    expect(text).not.toMatch(/feature="x",model="clf"|model="clf".*feature=/);
    expect(text).toMatch(
      /plumbline_sidecar_overhead_seconds_count\{model="reg",model_version="",protocol="kserve-v1"\} 1/,
    );

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect({ status: promtool.status, out: promtool.stdout + promtool.stderr }).toEqual({
      status: 0,
      out: '',
    });
  });

  it('/healthz is alive and /readyz is ready when the upstream answers', async () => {
    await eventually(async () => {
      const ready = await request(`${sidecar.adminUrl}/readyz`);
      expect(ready.statusCode).toBe(200);
      expect(await ready.body.json()).toMatchObject({ status: 'ready' });
    });
  });
});
