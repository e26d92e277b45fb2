/**
 * Alertmanager from the harness accepts an alert over its v2 API and delivers it to a webhook receiver (a local
 * HTTP server on port 0), with the labels and annotations intact.
 */
import { createServer } from 'node:http';
import { request } from 'undici';
import { listenLoopback, startAlertmanager } from '@plumbline/harness';

interface WebhookPayload {
  status: string;
  receiver: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

describe('Alertmanager', () => {
  let webhook: Awaited<ReturnType<typeof listenLoopback>>;
  const deliveries: WebhookPayload[] = [];
  let onDelivery: (() => void) | undefined;

  beforeAll(async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
        res.writeHead(200).end();
        onDelivery?.();
      });
    });
    webhook = await listenLoopback(server);
  });

  afterAll(async () => {
    await webhook.close();
  });

  it('accepts an alert and delivers it to a webhook', async () => {
    const alertmanager = await startAlertmanager({
      config: [
        'route:',
        '  receiver: on-call',
        '  group_by: [alertname]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: on-call',
        '    webhook_configs:',
        `      - url: ${webhook.url}/hook`,
        '        send_resolved: false',
        '',
      ].join('\n'),
    });
    try {
      const delivered = new Promise<void>((resolve) => {
        onDelivery = resolve;
      });
      const res = await request(`${alertmanager.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: {
              alertname: 'PlumblineFeatureDrift',
              model: 'iris',
              feature: 'petal_length',
              severity: 'warning',
            },
            annotations: { summary: 'petal_length drifted' },
          },
        ]),
      });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      await delivered;

      expect(deliveries).toHaveLength(1);
      const [payload] = deliveries;
      expect(payload?.receiver).toBe('on-call');
      expect(payload?.status).toBe('firing');
      expect(payload?.alerts).toHaveLength(1);
      expect(payload?.alerts[0]?.labels).toEqual({
        alertname: 'PlumblineFeatureDrift',
        model: 'iris',
        feature: 'petal_length',
        severity: 'warning',
      });
      expect(payload?.alerts[0]?.annotations).toEqual({ summary: 'petal_length drifted' });
    } finally {
      await alertmanager.stop();
    }
  });

  it("rejects an invalid config with amtool's message before starting anything", async () => {
    await expect(
      startAlertmanager({ config: 'route:\n  receiver: nobody\nreceivers: []\n' }),
    ).rejects.toThrow(/alertmanager config rejected by amtool/);
  });
});
