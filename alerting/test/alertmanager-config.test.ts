/** alertmanager.yml: amtool accepts it, and each kind of alert reaches the receivers it should. */
import path from 'node:path';
import { runTool } from './tools';

const CONFIG = path.join(__dirname, '..', 'alertmanager', 'alertmanager.yml');

test('amtool check-config accepts alertmanager.yml', async () => {
  const r = await runTool('amtool', ['check-config', CONFIG]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('SUCCESS');
});

test.each([
  [
    'a drift warning of iris: retrain bridge, then the iris team chat',
    'category=drift severity=warning model=iris',
    'retrain-bridge,iris-team-chat',
  ],
  [
    'a critical drift alert of iris: retrain bridge, then the iris pager',
    'category=drift severity=critical model=iris',
    'retrain-bridge,iris-team-pager',
  ],
  [
    'a critical quality alert of iris pages the iris team only',
    'category=quality severity=critical model=iris',
    'iris-team-pager',
  ],
  [
    'a latency warning of an unowned model goes to platform chat',
    'category=latency severity=warning model=fraud',
    'ml-platform-chat',
  ],
  [
    'a critical alert of an unowned model pages the platform',
    'category=predictions severity=critical model=fraud',
    'ml-platform-pager',
  ],
  [
    'a drift alert of an unowned model still reaches the bridge',
    'category=drift severity=warning model=fraud',
    'retrain-bridge,ml-platform-chat',
  ],
  [
    'a failing data-quality check of iris pages the iris team, never the retrain bridge',
    'alertname=PlumblineDataQualityCheckFailed category=pipeline severity=critical model=iris feature=petal_length check=missing_share',
    'iris-team-pager',
  ],
  [
    'a model-less critical pipeline alert pages the platform',
    'category=pipeline severity=critical',
    'ml-platform-pager',
  ],
  [
    'a model-less pipeline warning goes to platform chat',
    'category=pipeline severity=warning',
    'ml-platform-chat',
  ],
  [
    'event-loop lag of a sidecar (a pipeline warning by job and instance) goes to platform chat',
    'alertname=PlumblineEventLoopLagHigh category=pipeline severity=warning job=plumbline-sidecar instance=sidecar:9464',
    'ml-platform-chat',
  ],
])('%s', async (_, labels, receivers) => {
  const r = await runTool('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${CONFIG}`,
    ...labels.split(' '),
  ]);
  expect(r.stdout.trim()).toBe(receivers);
});
