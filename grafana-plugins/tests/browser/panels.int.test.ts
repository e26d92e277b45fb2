/**
 * @jest-environment node
 */
// The four panels in real Chromium with the real @grafana/ui and theme, both themes, several sizes. The retrain
// flow goes page → Grafana stand-in (proxy route, token added server-side) → the real retrain endpoint → a real
// local webhook server; the review flow goes page → the stand-in playing plugin.json's models/* routes → an
// exporter-shaped review API (review-api-stand-in.ts). Screenshots land in test-artifacts/grafana-plugins/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, launchChromium, startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { parseRetrainConfig, startRetrainService } from '@plumbline/exporter/retrain';
import { buildPage } from './build-page';
import { startExporterApiStandIn, startGrafanaStandIn, type StandIn } from './grafana-stand-in';
import { createReviewApiStandIn, type ReviewApiStandIn } from './review-api-stand-in';

jest.setTimeout(120_000);

const TOKEN = 'browser-suite-token-0123456789';
const shots = join(artifactsDir(), 'grafana-plugins');
let work: string;
let browser: Browser;
let grafana: StandIn;
let webhook: WebhookServer;
let retrain: Awaited<ReturnType<typeof startRetrainService>>;
let exporter: Awaited<ReturnType<typeof startExporterApiStandIn>>;
const reviewApi: ReviewApiStandIn = createReviewApiStandIn({ token: TOKEN });
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'plumbline-panels-'));
  const [, b, w, e] = await Promise.all([
    buildPage(join(work, 'page')),
    launchChromium(),
    startWebhookServer(),
    startExporterApiStandIn(reviewApi),
  ]);
  browser = b;
  webhook = w;
  exporter = e;
  retrain = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      cooldownSeconds: 1800,
      webhook: { kind: 'generic', url: `${webhook.url}/retrain` },
      audit: { file: join(work, 'audit.jsonl') },
    }),
  });
  grafana = await startGrafanaStandIn({
    pageDir: join(work, 'page'),
    retrainUrl: `${retrain.url}/api/retrain`,
    retrainToken: TOKEN,
    exporterUrl: exporter.url,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([grafana?.close(), retrain?.close(), webhook?.close(), exporter?.close()]);
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
});

async function open(query: Record<string, string | number>): Promise<Page> {
  const w = Number(query.w ?? 640);
  const h = Number(query.h ?? 420);
  const page = await browser.newPage({ viewport: { width: w + 16, height: h + 16 } });
  page.on('pageerror', (err) => pageErrors.push(`${JSON.stringify(query)}: ${err.message}`));
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  await page.goto(`${grafana.url}/?${qs}`);
  await page.waitForFunction(() => window.__plumbline?.ready === true);
  return page;
}

/**
 * One drawn cell of the matrix, found by its row and column labels (their y and x are the cell's centre): its centre
 * on the page, the colour of its fill (read back from the canvas, 20% in from the corner: clear of the diagonal
 * outline and of the centred value) and how many colours its middle holds (1 when no value is drawn in it).
 */
async function drawnCell(page: Page, actual: string, predicted: string) {
  return page.evaluate(
    ([a, p]) => {
      const labels = (id: string) => Array.from(document.querySelectorAll<SVGTextElement>(`[data-testid="${id}"]`));
      const named = (all: SVGTextElement[], name: string) =>
        all.findIndex((e) => e.querySelector('title')?.textContent === name);
      const [rows, cols] = [labels('cm-row-label'), labels('cm-col-label')];
      const [i, j] = [named(rows, a), named(cols, p)];
      if (i < 0 || j < 0 || rows.length < 2) {
        throw new Error(`no cell ${a} × ${p}`);
      }
      const at = (e: SVGTextElement, attr: 'x' | 'y') => Number(e.getAttribute(attr));
      const [w, h] = [at(cols[1], 'x') - at(cols[0], 'x'), at(rows[1], 'y') - at(rows[0], 'y')];
      const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-testid="cm-cells"]')!;
      // Centre of the cell in the canvas's own coordinates (the canvas starts at the grid's top-left corner).
      const [cx, cy] = [
        at(cols[j], 'x') - parseFloat(canvas.style.left),
        at(rows[i], 'y') - parseFloat(canvas.style.top),
      ];
      const box = canvas.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const ctx = canvas.getContext('2d')!;
      const colours = (x: number, y: number, pw: number, ph: number) => {
        const d = ctx.getImageData(
          Math.floor(x * scale),
          Math.floor(y * scale),
          Math.max(1, Math.floor(pw * scale)),
          Math.max(1, Math.floor(ph * scale))
        ).data;
        const seen = new Set<string>();
        for (let n = 0; n < d.length; n += 4) {
          seen.add(`rgba(${d[n]}, ${d[n + 1]}, ${d[n + 2]}, ${d[n + 3]})`);
        }
        return [...seen];
      };
      return {
        x: box.left + cx,
        y: box.top + cy,
        fill: colours(cx - w * 0.3, cy - h * 0.3, 1, 1)[0],
        middleColours: colours(cx - w / 4, cy - h / 5, w / 2, h * 0.4).length,
      };
    },
    [actual, predicted]
  );
}

async function hoverText(page: Page, at: { x: number; y: number }): Promise<string> {
  await page.mouse.move(at.x, at.y);
  return page.getByRole('tooltip').innerText();
}

const shot = (page: Page, name: string) => page.locator('#root').screenshot({ path: join(shots, `${name}.png`) });

describe('confusion matrix in Chromium', () => {
  const fills: Record<string, string> = {};
  afterAll(() => expect(fills.dark).not.toBe(fills.light));

  it.each(['dark', 'light'])('draws the iris matrix with the right values (%s theme)', async (theme) => {
    const page = await open({ panel: 'confusionmatrix', theme, classes: 3, norm: 'column' });
    // Values are drawn in the cells (canvas) and read by a user from the tooltip: column-normalised shares.
    const correct = await drawnCell(page, 'versicolor', 'versicolor');
    const miss = await drawnCell(page, 'virginica', 'versicolor');
    const empty = await drawnCell(page, 'setosa', 'virginica');
    await expect(hoverText(page, correct)).resolves.toContain('Share of predicted versicolor: 97.9%');
    await expect(hoverText(page, miss)).resolves.toContain('Share of predicted versicolor: 2.1%');
    expect(correct.middleColours).toBeGreaterThan(1); // value text drawn in the cell
    expect(miss.middleColours).toBeGreaterThan(1);
    expect(empty.middleColours).toBe(1); // no rows: no value
    await expect(page.getByTestId('cm-header').innerText()).resolves.toContain('Accuracy 97.3% · n = 150');
    await expect(page.getByTestId('cm-precision').allTextContents()).resolves.toEqual(['100.0%', '97.9%', '94.2%']);
    // Theme heat colours: the diagonal's fill differs from an empty cell's, and between themes.
    const setosa = await drawnCell(page, 'setosa', 'setosa');
    expect(setosa.fill).not.toBe(empty.fill);
    fills[theme] = setosa.fill;
    const box = await drawnCell(page, 'versicolor', 'virginica');
    await expect(hoverText(page, box)).resolves.toMatch(/Actual: versicolor\s+Predicted: virginica\s+Count: 3/);
    await shot(page, `confusionmatrix-iris-${theme}-640x420`);
    await page.mouse.click(box.x, box.y);
    await expect(page.getByRole('menuitem', { name: /Open rows in Explore/ }).getAttribute('href')).resolves.toBe(
      '/explore?actual=versicolor&predicted=virginica'
    );
    await page.close();
  });

  it.each(['dark', 'light'])(
    'shows the estimated matrix marked estimated without labels, and beside the realized one with them (%s theme)',
    async (theme) => {
      const only = await open({ panel: 'confusionmatrix', theme, estimated: 'only', w: 640, h: 440 });
      await expect(only.getByTestId('confusion-estimated-caption').innerText()).resolves.toMatch(
        /^Estimated — no labels yet/
      );
      await expect(only.locator('canvas[data-testid="cm-cells"]').count()).resolves.toBe(1);
      await expect(only.getByTestId('confusion-realized-caption').count()).resolves.toBe(0);
      await shot(only, `confusionmatrix-estimated-only-${theme}-640x440`);
      await only.close();
      const both = await open({ panel: 'confusionmatrix', theme, estimated: 'both', w: 1000, h: 440 });
      await expect(both.getByTestId('confusion-realized-caption').innerText()).resolves.toBe('Realized (labels)');
      await expect(both.getByTestId('confusion-estimated-caption').innerText()).resolves.toBe('Estimated (no labels)');
      await expect(both.locator('canvas[data-testid="cm-cells"]').count()).resolves.toBe(2);
      // The two matrices sit side by side: the estimated grid starts right of the realized one.
      const [a, b] = await both
        .locator('canvas[data-testid="cm-cells"]')
        .evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().left));
      expect(b).toBeGreaterThan(a + 400);
      await shot(both, `confusionmatrix-estimated-both-${theme}-1000x440`);
      await both.close();
    }
  );

  it('stays legible at 2 classes in a small panel and folds 50 classes into top 10 + other', async () => {
    const small = await open({ panel: 'confusionmatrix', theme: 'dark', classes: 2, norm: 'row', w: 260, h: 220 });
    await expect(hoverText(small, await drawnCell(small, 'fraud', 'fraud'))).resolves.toContain(
      'Share of actual fraud: 91.0%'
    );
    await shot(small, 'confusionmatrix-2class-row-dark-260x220');
    await small.close();
    const top = await open({ panel: 'confusionmatrix', theme: 'light', classes: 50, topN: 10, w: 640, h: 420 });
    await expect(top.getByTestId('cm-row-label').count()).resolves.toBe(11);
    await expect(top.getByTestId('cm-col-label').count()).resolves.toBe(11);
    await expect(hoverText(top, await drawnCell(top, 'other', 'other'))).resolves.toMatch(
      /Actual: other\s+Predicted: other/
    );
    await expect(top.getByTestId('cm-header').innerText()).resolves.toContain('"other" holds 40 classes');
    await shot(top, 'confusionmatrix-50class-top10-light-640x420');
    await top.close();
  });

  it('renders 50 classes (2,500 cells) with rotated, truncated labels; first render timed', async () => {
    // cold: the page's very first React render; warm: after another panel rendered (as on a dashboard).
    // 5 page loads of each, alternating; what renderMs and frameMs time: see tests/browser/page/main.tsx.
    const runs: Array<{ mode: 'cold' | 'warm'; theme: string; renderMs: number; frameMs: number }> = [];
    for (let i = 0; i < 10; i++) {
      const theme = i % 4 < 2 ? 'dark' : 'light'; // cold dark, warm dark, cold light, warm light, ...
      const mode = i % 2 === 0 ? 'cold' : 'warm';
      const page = await open({
        panel: 'confusionmatrix',
        theme,
        classes: 50,
        w: 1000,
        h: 800,
        warm: mode === 'warm' ? 1 : 0,
      });
      const { renderMs, frameMs } = await page.evaluate(() => window.__plumbline);
      runs.push({ mode, theme, renderMs: renderMs!, frameMs: frameMs! });
      if (i === 0 || i === 2) {
        // 50 × 50 cells drawn: the last diagonal cell is coloured, unlike an empty one; values in the tooltip.
        await expect(page.getByTestId('cm-row-label').count()).resolves.toBe(50);
        await expect(page.getByTestId('cm-col-label').count()).resolves.toBe(50);
        const last = await drawnCell(page, 'category_long_name_49', 'category_long_name_49');
        const empty = await drawnCell(page, 'category_long_name_00', 'category_long_name_01');
        expect(last.fill).not.toBe(empty.fill);
        const c07 = await drawnCell(page, 'category_long_name_07', 'category_long_name_07');
        await expect(hoverText(page, c07)).resolves.toMatch(/Share of predicted category_long_name_07: \d+\.\d%/);
        await page.mouse.move(0, 0);
        const transform = await page.getByTestId('cm-col-label').first().getAttribute('transform');
        expect(transform).toMatch(/rotate\(-(45|90)/);
        const fullName = await page.getByTestId('cm-col-label').first().locator('title').textContent();
        expect(fullName).toBe('category_long_name_00');
        await shot(page, `confusionmatrix-50class-${theme}-1000x800`);
      }
      await page.close();
    }
    const stats = (mode: 'cold' | 'warm', key: 'renderMs' | 'frameMs') => {
      const xs = runs.filter((r) => r.mode === mode).map((r) => r[key]);
      const sorted = [...xs].sort((a, b) => a - b);
      return { median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1], runs: xs.length };
    };
    const report = {
      timed: {
        renderMs: 'root.render() of the panel inside flushSync: React render + commit + layout effects (cells drawn)',
        frameMs: "the same, until after the first frame's style, layout and paint on the main thread",
      },
      cold: { renderMs: stats('cold', 'renderMs'), frameMs: stats('cold', 'frameMs') },
      warm: { renderMs: stats('warm', 'renderMs'), frameMs: stats('warm', 'frameMs') },
      runs,
    };
    writeFileSync(join(shots, 'confusionmatrix-50class-render-timing.json'), JSON.stringify(report, null, 2));
    // Reported, not asserted (timing belongs in benchmarks): see the JSON file and the README.
    const line = (m: 'cold' | 'warm') =>
      `${m} render ${report[m].renderMs.median.toFixed(1)}/${report[m].renderMs.max.toFixed(1)} ms, ` +
      `to first frame ${report[m].frameMs.median.toFixed(1)}/${report[m].frameMs.max.toFixed(1)} ms`;
    console.log(`50-class first render (median/max of 5): ${line('cold')}; ${line('warm')}`);
  });
});

describe('drift panel in Chromium', () => {
  it.each([
    ['dark', 'petal_length', 640, 320],
    ['light', 'petal_length', 640, 320],
    ['light', 'region', 320, 240],
  ] as const)(
    '%s theme, %s at %sx%s: statistic, p-value, threshold, verdict and bars',
    async (theme, feature, w, h) => {
      const page = await open({ panel: 'drift', theme, feature, w, h });
      await page.getByTestId('drift-chart').waitFor();
      const stat = await page.getByTestId('drift-stat').innerText();
      if (feature === 'petal_length') {
        expect(stat).toBe('ks = 0.4125 · p = 3.20e-12 · threshold 0.0500');
        await expect(page.getByText('Drift', { exact: true }).isVisible()).resolves.toBe(true);
        await expect(page.getByTestId('drift-bin').count()).resolves.toBe(10);
      } else {
        expect(stat).toBe('chisquare = 1.2000 · p = 0.5500 · threshold 0.0500');
        await expect(page.getByText('No drift', { exact: true }).isVisible()).resolves.toBe(true);
        await expect(page.getByTestId('drift-bin').count()).resolves.toBe(3);
      }
      await shot(page, `drift-${feature}-${theme}-${w}x${h}`);
      await page.close();
    }
  );
});

describe('retrain panel in Chromium', () => {
  it('an Editor confirms with a reason; the request goes through the proxy to the pipeline once', async () => {
    grafana.user.login = 'alice';
    grafana.user.role = 'Editor';
    const page = await open({ panel: 'retrain', theme: 'dark', role: 'Editor', login: 'alice', w: 420, h: 240 });
    await page.getByText('Never triggered from Plumbline.').waitFor();
    await shot(page, 'retrain-editor-dark-before');
    await page.getByRole('button', { name: 'Retrain iris' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('PSI 0.91 on petal_length since the Monday release');
    await page.screenshot({ path: join(shots, 'retrain-editor-dark-confirm.png') });
    await dialog.getByRole('button', { name: 'Trigger retraining' }).click();
    await page.getByTestId('retrain-result').getByText('Retraining pipeline triggered.').waitFor();
    await expect(page.getByTestId('retrain-cooldown').innerText()).resolves.toMatch(
      /Cooldown: (30m 00s|29m 5\ds) remaining/
    );
    await expect(page.getByTestId('retrain-last').innerText()).resolves.toContain(
      'by alice — pipeline started (HTTP 204)'
    );
    await expect(page.getByRole('button', { name: 'Retrain iris' }).isDisabled()).resolves.toBe(true);
    await shot(page, 'retrain-editor-dark-after');

    expect(webhook.calls).toHaveLength(1);
    expect(JSON.parse(webhook.calls[0].body)).toMatchObject({
      model: 'iris',
      reason: 'PSI 0.91 on petal_length since the Monday release',
      requestedBy: 'alice',
    });
    // No credential ever reached the browser: the page only called Grafana's proxy paths.
    expect(grafana.proxied).toEqual(expect.arrayContaining(['GET retrain/status?model=iris', 'POST retrain']));
    const audit = readFileSync(join(work, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toEqual([expect.objectContaining({ model: 'iris', requestedBy: 'alice', outcome: 'triggered' })]);
    await page.close();
  });

  it('a Viewer sees the last trigger but the button is disabled (light theme)', async () => {
    grafana.user.login = 'victor';
    grafana.user.role = 'Viewer';
    const page = await open({ panel: 'retrain', theme: 'light', role: 'Viewer', login: 'victor', w: 420, h: 240 });
    await page
      .getByTestId('retrain-last')
      .getByText(/by alice/)
      .waitFor();
    await expect(page.getByRole('button', { name: 'Retrain iris' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('retrain-viewer-note').isVisible()).resolves.toBe(true);
    await shot(page, 'retrain-viewer-light');
    expect(webhook.calls).toHaveLength(1);
    await page.close();
  });

  it('raised no uncaught errors in the retrain pages', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('review panel in Chromium', () => {
  const selectedBackground: Record<string, string> = {};
  afterAll(() => expect(selectedBackground.dark).not.toBe(selectedBackground.light));

  const rows = (page: Page) => page.getByTestId('review-row');
  const selectedId = (page: Page) =>
    page.locator('[data-testid="review-row"][aria-selected="true"]').getAttribute('data-request-id');
  const ids = (page: Page) =>
    page.$$eval('[data-testid="review-row"]', (trs) => trs.map((tr) => tr.getAttribute('data-request-id')));

  async function openReview(query: Record<string, string | number>): Promise<Page> {
    const page = await open({ panel: 'review', w: 900, h: 420, ...query });
    return page;
  }

  it.each(['dark', 'light'])(
    'an Editor reviews from the keyboard: j/k, Enter confirms, 1-9 + Enter corrects, r rejects, u undoes (%s)',
    async (theme) => {
      reviewApi.reset();
      grafana.user.login = 'alice';
      grafana.user.role = 'Editor';
      const page = await openReview({ theme, role: 'Editor', login: 'alice', model: 'iris' });
      await rows(page).first().waitFor();
      await expect(rows(page).count()).resolves.toBe(7);
      // Classes from the probabilities' keys, numbered in a stable (natural) order.
      await expect(page.getByTestId('review-classes').innerText()).resolves.toMatch(
        /1\s+setosa\s+2\s+versicolor\s+3\s+virginica/
      );
      await expect(page.getByTestId('review-table').innerText()).resolves.toMatch(/petal_length[\s\S]*Predicted/);
      await page.getByTestId('review-panel').focus();
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      await expect(selectedId(page)).resolves.toBe('req-iris-1');
      selectedBackground[theme] = await page
        .locator('[data-testid="review-row"][aria-selected="true"]')
        .evaluate((tr) => getComputedStyle(tr).backgroundColor);

      // Enter on a row with no class picked confirms its prediction; the row leaves, the next one is selected.
      await page.keyboard.press('Enter');
      await page
        .getByTestId('review-notice')
        .getByText(/Confirmed req-iris-1#0 as virginica/)
        .waitFor();
      await expect(ids(page)).resolves.not.toContain('req-iris-1');
      await expect(selectedId(page)).resolves.toBe('req-iris-2');

      // 3 picks virginica (req-iris-2 predicted versicolor): Enter corrects to it.
      await page.keyboard.press('3');
      await expect(page.getByTestId('review-picked').innerText()).resolves.toContain('virginica');
      await shot(page, `review-picked-${theme}-900x420`);
      await page.keyboard.press('Enter');
      await page
        .getByTestId('review-notice')
        .getByText(/Corrected req-iris-2#0 as virginica/)
        .waitFor();

      // r rejects the row now selected; u takes the rejection back (a retract) and the row returns in its place.
      await expect(selectedId(page)).resolves.toBe('req-iris-3');
      await page.keyboard.press('r');
      await page
        .getByTestId('review-notice')
        .getByText(/Rejected req-iris-3#0/)
        .waitFor();
      await expect(rows(page).count()).resolves.toBe(4);
      await page.keyboard.press('u');
      await page
        .getByTestId('review-notice')
        .getByText(/is back/)
        .waitFor();
      await expect(ids(page)).resolves.toEqual(['req-iris-0', 'req-iris-3', 'req-iris-4', 'req-iris-5', 'req-iris-6']);
      await expect(selectedId(page)).resolves.toBe('req-iris-3');
      await shot(page, `review-editor-${theme}-900x420`);

      // What reached the exporter: through the proxy route, with the reviewer from Grafana's user header.
      expect(reviewApi.reviews).toEqual([
        { model: 'iris', request_id: 'req-iris-1', row: 0, action: 'confirm', reviewer: 'alice' },
        { model: 'iris', request_id: 'req-iris-2', row: 0, action: 'correct', label: 'virginica', reviewer: 'alice' },
        { model: 'iris', request_id: 'req-iris-3', row: 0, action: 'reject', reviewer: 'alice' },
        { model: 'iris', request_id: 'req-iris-3', row: 0, action: 'retract', reviewer: 'alice' },
      ]);
      // The queue itself agrees after a reload: the two standing reviews are gone, the retracted row is back.
      await page.reload();
      await rows(page).first().waitFor();
      await expect(ids(page)).resolves.toEqual(['req-iris-0', 'req-iris-3', 'req-iris-4', 'req-iris-5', 'req-iris-6']);
      await page.close();
    }
  );

  it('shows an empty queue as such', async () => {
    const page = await openReview({ theme: 'light', model: 'empty', w: 480, h: 240 });
    await page
      .getByTestId('review-empty')
      .getByText(/Nothing to review/)
      .waitFor();
    await expect(rows(page).count()).resolves.toBe(0);
    await shot(page, 'review-empty-light-480x240');
    await page.close();
  });

  it('pages a 10,000-row queue by cursor, from the keyboard and with the buttons', async () => {
    reviewApi.reset();
    grafana.user.role = 'Editor';
    grafana.proxied.length = 0;
    const small = await openReview({ theme: 'dark', model: 'big', pageSize: 50 });
    await rows(small).first().waitFor();
    await expect(rows(small).count()).resolves.toBe(50);
    await small.getByTestId('review-panel').focus();
    for (let i = 0; i < 49; i++) {
      await small.keyboard.press('j');
    }
    await expect(selectedId(small)).resolves.toBe('req-big-49');
    await small.keyboard.press('j'); // past the last row: the next page
    await small
      .getByTestId('review-page')
      .getByText(/^Page 2 · 50 waiting/)
      .waitFor();
    await expect(selectedId(small)).resolves.toBe('req-big-50');
    await small.keyboard.press('k'); // above the first row: back to the page before, its last row selected
    await small
      .getByTestId('review-page')
      .getByText(/^Page 1 /)
      .waitFor();
    await expect(selectedId(small)).resolves.toBe('req-big-49');
    await small.close();

    const big = await openReview({ theme: 'light', model: 'big', pageSize: 1000, h: 600 });
    await rows(big).first().waitFor();
    await expect(rows(big).count()).resolves.toBe(1000);
    const older = big.getByRole('button', { name: 'Older' });
    for (let p = 2; p <= 10; p++) {
      await older.click();
      await big
        .getByTestId('review-page')
        .getByText(new RegExp(`^Page ${p} · 1000 waiting`))
        .waitFor();
      await expect(rows(big).first().getAttribute('data-request-id')).resolves.toBe(`req-big-${(p - 1) * 1000}`);
    }
    await expect(rows(big).last().getAttribute('data-request-id')).resolves.toBe('req-big-9999');
    await expect(older.isDisabled()).resolves.toBe(true); // next: null on the last page
    await shot(big, 'review-10000-last-page-light');
    await big.getByRole('button', { name: 'Newer' }).click();
    await big
      .getByTestId('review-page')
      .getByText(/^Page 9 /)
      .waitFor();
    await expect(rows(big).first().getAttribute('data-request-id')).resolves.toBe('req-big-8000');
    // Every page was asked for with the cursor the page before it returned, through the proxy route.
    const gets = grafana.proxied.filter((p) => p.startsWith('GET models/big/review?limit=1000'));
    expect(gets[0]).toBe('GET models/big/review?limit=1000');
    expect(gets.slice(1, 10).every((p) => /&before=[\w-]+$/.test(p))).toBe(true);
    expect(new Set(gets.slice(1, 10)).size).toBe(9);
    await big.close();
  });

  it('shows the API error in the panel', async () => {
    const page = await openReview({ theme: 'dark', model: 'unsupported', w: 640, h: 300 });
    const alert = page.getByTestId('review-error');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toContain(
      'a Kafka topic cannot be read by request id or newest first (EXPORTER_ERR_REVIEW_UNSUPPORTED)'
    );
    await shot(page, 'review-error-dark-640x300');
    await page.close();
    const unknown = await openReview({ theme: 'light', model: 'nosuchmodel', w: 640, h: 300 });
    await expect(unknown.getByTestId('review-error').innerText()).resolves.toContain(
      'model nosuchmodel is not configured (EXPORTER_ERR_NOT_FOUND)'
    );
    await unknown.close();
  });

  it('a Viewer reads the queue but cannot act: no action keys, and the route refuses a POST', async () => {
    reviewApi.reset();
    grafana.user.login = 'victor';
    grafana.user.role = 'Viewer';
    grafana.proxied.length = 0;
    const page = await openReview({ theme: 'light', role: 'Viewer', login: 'victor', model: 'iris' });
    await rows(page).first().waitFor();
    await expect(page.getByTestId('review-viewer-note').innerText()).resolves.toContain(
      'Read only: reviewing is limited to Editors and Admins'
    );
    await page.getByTestId('review-panel').focus();
    await page.keyboard.press('j');
    await expect(selectedId(page)).resolves.toBe('req-iris-1'); // moving is allowed
    for (const key of ['3', 'Enter', 'r', 'u']) {
      await page.keyboard.press(key);
    }
    await expect(rows(page).count()).resolves.toBe(7);
    await shot(page, 'review-viewer-light-900x420');
    // Grafana enforces it too: a Viewer's POST through the route is refused before it reaches the exporter.
    const status = await page.evaluate(async () => {
      const res = await fetch('/api/plugin-proxy/plumbline-mlobservability-app/models/iris/review', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: 'req-iris-0', row: 0, action: 'confirm' }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(grafana.proxied.filter((p) => p.startsWith('GET '))).toEqual(['GET models/iris/review?limit=50']);
    expect(reviewApi.reviews).toEqual([]);
    await page.close();
  });

  it('raised no uncaught errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
