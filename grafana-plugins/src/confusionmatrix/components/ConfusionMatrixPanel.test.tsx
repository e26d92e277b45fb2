import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { createDataFrame, FieldType } from '@grafana/data';
import { ConfusionMatrixPanel } from './ConfusionMatrixPanel';
import { DEFAULT_OPTIONS, type ConfusionMatrixOptions } from '../types';
import { panelProps } from '../../test-utils/panel-props';
import { IRIS, instantFrames, manyClasses, tableFrame } from '../../data/test-frames';
import { recordCanvases, type RecordedCanvases } from '../../test-utils/recording-canvas';

const renderPanel = (
  over: Partial<ConfusionMatrixOptions>,
  extra: Partial<Parameters<typeof panelProps<ConfusionMatrixOptions>>[0]> = {}
) =>
  render(
    <ConfusionMatrixPanel
      {...panelProps({ options: { ...DEFAULT_OPTIONS, ...over }, series: instantFrames(IRIS), ...extra })}
    />
  );

let canvases: RecordedCanvases;
beforeEach(() => {
  canvases = recordCanvases();
});
afterEach(() => canvases.restore());

const cellsCanvas = (container: HTMLElement) =>
  container.querySelector('canvas[data-testid="cm-cells"]') as HTMLCanvasElement;

/**
 * What was drawn for one cell, found by its row and column labels (their y and x are the cell's centre), and where
 * its centre is in panel (= SVG) coordinates, for pointer events.
 */
function cell(container: HTMLElement, actual: string, predicted: string) {
  const label = (testId: string, name: string) =>
    Array.from(container.querySelectorAll(`[data-testid="${testId}"]`)).find(
      (e) => e.querySelector('title')?.textContent === name
    );
  const row = label('cm-row-label', actual);
  const col = label('cm-col-label', predicted);
  expect(row && col).toBeTruthy();
  const [x, y] = [Number(col!.getAttribute('x')), Number(row!.getAttribute('y'))];
  const canvas = cellsCanvas(container);
  const [cx, cy] = [x - parseFloat(canvas.style.left), y - parseFloat(canvas.style.top)];
  const ops = canvases.opsOf(canvas);
  const covers = (o: { x: number; y: number; w: number; h: number }) =>
    cx >= o.x && cx <= o.x + o.w && cy >= o.y && cy <= o.y + o.h;
  const text = ops.find((o) => o.op === 'fillText' && Math.abs(o.x - cx) < 1e-6 && Math.abs(o.y - cy) < 1e-6);
  return {
    fill: ops.find((o) => o.op === 'fillRect' && covers(o))?.style,
    value: text?.text,
    bold: text?.font.startsWith('700 '),
    outlined: ops.some((o) => o.op === 'strokeRect' && covers(o)),
    x,
    y,
  };
}

/** Opaque rectangles are cells; the translucent ones are the recall and precision bars of the margins. */
const drawnRects = (container: HTMLElement) => {
  const fills = canvases.opsOf(cellsCanvas(container)).filter((o) => o.op === 'fillRect');
  return { cells: fills.filter((o) => o.alpha === 1).length, bars: fills.filter((o) => o.alpha < 1).length };
};

// Rendering @grafana/ui on a loaded 2-core CI machine can be slow; nothing here measures time.
jest.setTimeout(20_000);

describe('ConfusionMatrixPanel', () => {
  it('shows column-normalised shares (precision), margins and accuracy for the iris hold-out', () => {
    const { container } = renderPanel({ normalization: 'column' });
    expect(screen.getByTestId('cm-header')).toHaveTextContent(
      'Accuracy 97.3% · n = 150 · 3 classes · share of each predicted class (precision)'
    );
    expect(cell(container, 'versicolor', 'versicolor')).toMatchObject({ value: '97.9%', bold: true, outlined: true });
    expect(cell(container, 'virginica', 'versicolor')).toMatchObject({ value: '2.1%', bold: false, outlined: false });
    expect(screen.getAllByTestId('cm-precision').map((e) => e.textContent)).toEqual(['100.0%', '97.9%', '94.2%']);
    expect(screen.getAllByTestId('cm-recall').map((e) => e.textContent)).toEqual(['100.0%', '94.0%', '98.0%']);
    expect(screen.getAllByTestId('cm-col-total').map((e) => e.textContent)).toEqual(['50', '48', '52']);
    expect(screen.getByTestId('cm-accuracy')).toHaveTextContent('97.3%');
  });

  it('colours cells on a heat scale even when the dashboard saved no colour mode (regression: all cells grey)', () => {
    const { container } = renderPanel({ normalization: 'none' });
    const high = cell(container, 'setosa', 'setosa').fill;
    const low = cell(container, 'virginica', 'versicolor').fill;
    const empty = cell(container, 'setosa', 'virginica').fill;
    expect(high).toBeDefined();
    expect(new Set([high, low, empty]).size).toBe(3);
  });

  it('shows counts and a tooltip with the full class names on hover', () => {
    const { container } = renderPanel({ normalization: 'none' });
    const target = cell(container, 'versicolor', 'virginica');
    expect(target.value).toBe('3');
    fireEvent.mouseMove(screen.getByTestId('confusion-matrix'), { clientX: target.x, clientY: target.y });
    const tip = screen.getByRole('tooltip');
    expect(tip).toHaveTextContent('Actual: versicolor');
    expect(tip).toHaveTextContent('Predicted: virginica');
    expect(tip).toHaveTextContent('Count: 3');
    expect(tip).toHaveTextContent('Share of actual versicolor: 6.0%');
  });

  it('reads a table with picked columns', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'truth', type: FieldType.string, values: ['cat', 'dog', 'dog'] },
        { name: 'guess', type: FieldType.string, values: ['cat', 'cat', 'dog'] },
        { name: 'n', type: FieldType.number, values: [8, 2, 6] },
      ],
    });
    const { container } = renderPanel(
      { actualField: 'truth', predictedField: 'guess', countField: 'n', normalization: 'row' },
      { series: [frame] }
    );
    expect(cell(container, 'dog', 'cat').value).toBe('25.0%');
    expect(screen.getByTestId('cm-header')).toHaveTextContent('Accuracy 87.5% · n = 16');
  });

  it('folds classes beyond top N into "other" and keeps all 50 classes legible otherwise', () => {
    const series = [tableFrame(manyClasses(50))];
    const { container, unmount } = renderPanel({ topN: 10 }, { series });
    expect(
      screen
        .getAllByTestId('cm-row-label')
        .map((e) => e.lastChild?.textContent)
        .slice(-1)
    ).toEqual(['other']);
    expect(drawnRects(container)).toEqual({ cells: 121, bars: 22 });
    unmount();
    const full = renderPanel({ topN: 0 }, { series, width: 900, height: 700 });
    expect(drawnRects(full.container)).toEqual({ cells: 2500, bars: 100 });
    const label = screen.getAllByTestId('cm-col-label')[0];
    expect(within(label).getByText('class_00', { selector: 'title' })).toBeInTheDocument();
  });

  it('leaves out the margins, values and bars alike, when they are switched off', () => {
    const { container } = renderPanel({ showMargins: false });
    expect(screen.queryAllByTestId('cm-recall')).toHaveLength(0);
    expect(screen.queryAllByTestId('cm-precision')).toHaveLength(0);
    expect(drawnRects(container)).toEqual({ cells: 9, bars: 0 });
  });

  it('explains empty and malformed data instead of drawing', () => {
    const { unmount } = renderPanel({}, { series: [] });
    expect(screen.getByRole('status')).toHaveTextContent('No data: the query returned no rows.');
    unmount();
    const cpu = createDataFrame({
      fields: [{ name: 'Value', type: FieldType.number, values: [1], labels: { instance: 'a' } }],
    });
    renderPanel({}, { series: [cpu] });
    expect(screen.getByRole('alert')).toHaveTextContent('Expected series labelled "actual" and "predicted"');
  });

  it('opens the configured data links for a cell with actual and predicted filled in', () => {
    const { container } = renderPanel(
      {},
      {
        fieldConfig: {
          defaults: {
            links: [
              {
                title: 'Rows in Elasticsearch',
                url: '/explore?actual=${actual}&predicted=${predicted}',
                targetBlank: false,
              },
            ],
          },
          overrides: [],
        },
      }
    );
    const target = cell(container, 'virginica', 'versicolor');
    fireEvent.click(screen.getByTestId('confusion-matrix'), { clientX: target.x, clientY: target.y });
    const link = screen.getByRole('menuitem', { name: /Rows in Elasticsearch/ });
    expect(link).toHaveAttribute('href', '/explore?actual=virginica&predicted=versicolor');
  });
});

describe('the estimated matrix (issue #11)', () => {
  const estimatedFrames = () => instantFrames(IRIS).map((f) => ({ ...f, refId: 'estimated' }));

  it('draws the estimate alone, marked estimated, when no labelled rows exist', () => {
    const { container } = renderPanel({}, { series: estimatedFrames() });
    expect(screen.getByTestId('confusion-estimated-caption').textContent).toMatch(/^Estimated — no labels yet/);
    expect(container.querySelectorAll('canvas[data-testid="cm-cells"]')).toHaveLength(1);
  });

  it('draws realized and estimated side by side when both exist', () => {
    const { container } = renderPanel({}, { series: [...instantFrames(IRIS), ...estimatedFrames()] });
    expect(screen.getByTestId('confusion-realized-caption').textContent).toBe('Realized (labels)');
    expect(screen.getByTestId('confusion-estimated-caption').textContent).toBe('Estimated (no labels)');
    expect(container.querySelectorAll('canvas[data-testid="cm-cells"]')).toHaveLength(2);
  });

  it('keeps the single realized matrix without an estimate (no caption)', () => {
    const { container } = renderPanel({});
    expect(screen.queryByTestId('confusion-estimated-caption')).toBeNull();
    expect(container.querySelectorAll('canvas[data-testid="cm-cells"]')).toHaveLength(1);
  });
});
