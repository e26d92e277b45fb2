import React, { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import {
  FieldColorModeId,
  FieldType,
  getScaleCalculator,
  type Field,
  type FieldConfigSource,
  type GrafanaTheme2,
  type InterpolateFunction,
} from '@grafana/data';
import { ContextMenu, MenuItem, useStyles2, useTheme2 } from '@grafana/ui';
import { formatCount, formatShare, type ConfusionMatrixView } from '../../data/confusion-matrix';
import { drawCells } from './draw-cells';
import { computeMatrixLayout, HEADER_H, truncateLabel, type MatrixLayout } from '../../data/matrix-layout';

interface Props {
  view: ConfusionMatrixView;
  warnings: string[];
  width: number;
  height: number;
  fieldConfig: FieldConfigSource;
  showMargins: boolean;
  showValues: boolean;
  replaceVariables: InterpolateFunction;
}

type Hover = { kind: 'cell'; i: number; j: number } | { kind: 'recall' | 'precision'; i: number } | null;

const NORMALIZATION_TEXT = {
  none: 'counts',
  column: 'share of each predicted class (precision)',
  row: 'share of each actual class (recall)',
  all: 'share of all rows',
} as const;

/** Draws the cells on a canvas (draw-cells.ts) under one SVG with the labels, margins and hover outline. */
export function MatrixGrid({
  view,
  warnings,
  width,
  height,
  fieldConfig,
  showMargins,
  showValues,
  replaceVariables,
}: Props) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const svgRef = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<Hover>(null);
  const [mouse, setMouse] = useState({ x: 0, y: 0 });
  const [menu, setMenu] = useState<{ x: number; y: number; i: number; j: number } | null>(null);

  const percent = view.normalization !== 'none';
  // Cell colours come from the field's colour scheme through the same scale calculator Grafana's display processor
  // uses for colour (no value mappings or unit here: both are disabled in module.ts, and text is formatted below).
  // getDisplayProcessor itself would also build Grafana's whole value-format registry (all units, translated) on the
  // first call, which was most of a cold first render.
  const colorOf = useMemo(() => {
    const field: Field = {
      name: 'value',
      type: FieldType.number,
      values: [],
      config: {
        ...fieldConfig.defaults,
        // Outside a saved dashboard the plugin's default may be absent: fall back to the same heat scheme.
        color: fieldConfig.defaults.color ?? { mode: FieldColorModeId.ContinuousBlPu },
        min: 0,
        max: view.maxValue > 0 ? view.maxValue : 1,
      },
    };
    return getScaleCalculator(field, theme);
  }, [fieldConfig.defaults, view.maxValue, theme]);

  const layout = useMemo(
    () =>
      computeMatrixLayout({
        width,
        height,
        classes: view.classes,
        showMargins,
        valueChars: percent ? 6 : String(Math.round(view.maxValue)).length + 1,
      }),
    [width, height, view.classes, showMargins, percent, view.maxValue]
  );
  const links = fieldConfig.defaults.links ?? [];

  // The scale calculator gives the theme's colour for a value; sampling it once at 64 steps instead of once per
  // cell keeps drawing 2,500 cells cheap. Text is formatted directly (unit is fixed by normalisation).
  const decimals = fieldConfig.defaults.decimals ?? (percent ? 1 : 0);
  const scale = useMemo(() => {
    const steps = 64;
    const max = view.maxValue > 0 ? view.maxValue : 1;
    const colors = Array.from(
      { length: steps + 1 },
      (_, s) => colorOf((s / steps) * max).color ?? theme.colors.background.secondary
    );
    const contrast = new Map<string, string>();
    return {
      color: (v: number) => colors[Math.max(0, Math.min(steps, Math.round((v / max) * steps)))],
      contrast: (c: string) => {
        let t = contrast.get(c);
        if (t === undefined) {
          t = theme.colors.getContrastText(c);
          contrast.set(c, t);
        }
        return t;
      },
      text: (v: number) => (percent ? `${(v * 100).toFixed(decimals)}%` : v.toFixed(decimals)),
    };
  }, [colorOf, view.maxValue, theme, percent, decimals]);

  const k = view.classes.length;
  // The canvas covers the grid and, with margins, their bars.
  const canvasW = k * layout.cellW + layout.marginW;
  const canvasH = k * layout.cellH + layout.marginH;
  const cellsRef = useRef<HTMLCanvasElement>(null);
  const cellsShowValues = showValues && layout.showValues;
  useLayoutEffect(() => {
    const canvas = cellsRef.current;
    if (!canvas) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.ceil(canvasW * dpr);
    canvas.height = Math.ceil(canvasH * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return; // jsdom
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawCells(ctx, view, layout, scale, {
      empty: theme.colors.background.secondary,
      diagonalStroke: theme.colors.text.primary,
      fontFamily: theme.typography.fontFamily,
      showValues: cellsShowValues,
      marginColor: showMargins ? (share) => shareColor(theme, share) : undefined,
    });
  }, [view, layout, scale, theme, cellsShowValues, showMargins, canvasW, canvasH]);

  const locate = useCallback(
    (clientX: number, clientY: number): { hover: Hover; x: number; y: number } => {
      const rect = svgRef.current!.getBoundingClientRect();
      const x = clientX - rect.left;
      const y = clientY - rect.top;
      const k = view.classes.length;
      const j = Math.floor((x - layout.gridX) / layout.cellW);
      const i = Math.floor((y - layout.gridY) / layout.cellH);
      const gridRight = layout.gridX + k * layout.cellW;
      const gridBottom = layout.gridY + k * layout.cellH;
      if (i >= 0 && i < k && j >= 0 && j < k) {
        return { hover: { kind: 'cell', i, j }, x, y };
      }
      if (showMargins && i >= 0 && i < k && x >= gridRight && x < gridRight + layout.marginW) {
        return { hover: { kind: 'recall', i }, x, y };
      }
      if (showMargins && j >= 0 && j < k && y >= gridBottom && y < gridBottom + layout.marginH) {
        return { hover: { kind: 'precision', i: j }, x, y };
      }
      return { hover: null, x, y };
    },
    [layout, view.classes.length, showMargins]
  );

  const onMouseMove = (e: React.MouseEvent) => {
    const at = locate(e.clientX, e.clientY);
    setHover(at.hover);
    setMouse({ x: at.x, y: at.y });
  };

  const onClick = (e: React.MouseEvent) => {
    const at = locate(e.clientX, e.clientY);
    if (at.hover?.kind === 'cell' && links.length > 0) {
      setMenu({ x: e.clientX, y: e.clientY, i: at.hover.i, j: at.hover.j });
    }
  };

  const header = `Accuracy ${formatShare(view.accuracy)} · n = ${formatCount(view.total)} · ${k} classes · ${NORMALIZATION_TEXT[view.normalization]}`;

  return (
    <>
      <div className={styles.header} style={{ height: HEADER_H }} data-testid="cm-header">
        <span>{header}</span>
        {warnings.length > 0 && (
          <span className={styles.warning} title={warnings.join('\n')}>
            {warnings[0]}
          </span>
        )}
      </div>
      {layout.tooSmall ? (
        <div className={styles.tooSmall}>Too many classes for this size: enlarge the panel or set “Top N classes”.</div>
      ) : (
        <>
          <canvas
            ref={cellsRef}
            className={styles.cells}
            style={{ left: layout.gridX, top: layout.gridY, width: canvasW, height: canvasH }}
            aria-hidden="true"
            data-testid="cm-cells"
          />
          <svg
            ref={svgRef}
            width={width}
            height={height}
            className={styles.svg}
            style={links.length > 0 && hover?.kind === 'cell' ? { cursor: 'pointer' } : undefined}
            onMouseMove={onMouseMove}
            onMouseLeave={() => setHover(null)}
            onClick={onClick}
            role="img"
            aria-label={`Confusion matrix, ${header}`}
            data-testid="confusion-matrix"
          >
            <Axes view={view} layout={layout} theme={theme} />
            {showMargins && <Margins view={view} layout={layout} theme={theme} />}
            {hover?.kind === 'cell' && (
              <rect
                x={layout.gridX + hover.j * layout.cellW}
                y={layout.gridY + hover.i * layout.cellH}
                width={layout.cellW}
                height={layout.cellH}
                fill="none"
                stroke={theme.colors.text.primary}
                strokeWidth={2}
                pointerEvents="none"
              />
            )}
          </svg>
        </>
      )}
      {hover && !menu && (
        <div
          className={styles.tooltip}
          style={tooltipPosition(mouse, width, height)}
          role="tooltip"
          data-testid="cm-tooltip"
        >
          <TooltipBody view={view} hover={hover} />
        </div>
      )}
      {menu && (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          onClose={() => setMenu(null)}
          renderMenuItems={() =>
            links.map((link, n) => {
              const scoped = {
                actual: { text: view.classes[menu.i], value: view.classes[menu.i] },
                predicted: { text: view.classes[menu.j], value: view.classes[menu.j] },
                count: { text: String(view.counts[menu.i][menu.j]), value: view.counts[menu.i][menu.j] },
              };
              return (
                <MenuItem
                  key={n}
                  label={replaceVariables(link.title, scoped)}
                  url={replaceVariables(link.url, scoped, encodeURIComponent)}
                  target={link.targetBlank ? '_blank' : undefined}
                  icon="external-link-alt"
                />
              );
            })
          }
        />
      )}
    </>
  );
}

function tooltipPosition(mouse: { x: number; y: number }, width: number, height: number): React.CSSProperties {
  const left = mouse.x + 240 > width ? Math.max(0, mouse.x - 250) : mouse.x + 14;
  const top = mouse.y + 110 > height ? Math.max(0, mouse.y - 110) : mouse.y + 14;
  return { left, top };
}

function TooltipBody({ view, hover }: { view: ConfusionMatrixView; hover: NonNullable<Hover> }) {
  if (hover.kind === 'cell') {
    const { i, j } = hover;
    const count = view.counts[i][j];
    return (
      <>
        <div>
          <b>Actual:</b> {view.classes[i]}
        </div>
        <div>
          <b>Predicted:</b> {view.classes[j]}
        </div>
        <div>
          <b>Count:</b> {formatCount(count)}
        </div>
        <div>
          Share of actual {view.classes[i]}: {formatShare(view.rowTotals[i] ? count / view.rowTotals[i] : null)}
        </div>
        <div>
          Share of predicted {view.classes[j]}: {formatShare(view.colTotals[j] ? count / view.colTotals[j] : null)}
        </div>
        <div>Share of all: {formatShare(view.total ? count / view.total : null)}</div>
      </>
    );
  }
  const i = hover.i;
  // A margin: recall of an actual class (its row), or precision of a predicted class (its column).
  const margin =
    hover.kind === 'recall'
      ? { side: 'actual', score: 'Recall', value: view.recall[i], rows: 'Rows', total: view.rowTotals[i] }
      : {
          side: 'predicted',
          score: 'Precision',
          value: view.precision[i],
          rows: 'Predictions',
          total: view.colTotals[i],
        };
  return (
    <>
      <div>
        <b>{view.classes[i]}</b> ({margin.side})
      </div>
      <div>
        {margin.score}: {formatShare(margin.value)}
      </div>
      <div>
        {margin.rows}: {formatCount(margin.total)}
      </div>
    </>
  );
}

interface DrawProps {
  view: ConfusionMatrixView;
  layout: MatrixLayout;
  theme: GrafanaTheme2;
}

const Axes = memo(function Axes({ view, layout, theme }: DrawProps) {
  const { gridX, gridY, cellW, cellH, fontSize, colLabelAngle, colLabelChars, rowLabelChars, marginH } = layout;
  const k = view.classes.length;
  const color = theme.colors.text.secondary;
  const labelsTop = gridY + k * cellH + marginH + 4;
  return (
    <g fontSize={fontSize} fill={color}>
      <text
        x={10}
        y={gridY + (k * cellH) / 2}
        textAnchor="middle"
        transform={`rotate(-90 10 ${gridY + (k * cellH) / 2})`}
        fontWeight={600}
      >
        Actual
      </text>
      <text x={gridX + (k * cellW) / 2} y={labelsTop + layout.colLabelH + 8} textAnchor="middle" fontWeight={600}>
        Predicted
      </text>
      <g textAnchor="end" dominantBaseline="central">
        {view.classes.map((c, i) => (
          <text key={i} x={gridX - 6} y={gridY + i * cellH + cellH / 2} data-testid="cm-row-label">
            <title>{c}</title>
            {truncateLabel(c, rowLabelChars)}
          </text>
        ))}
      </g>
      <g textAnchor={colLabelAngle === 0 ? 'middle' : 'end'} dominantBaseline="central">
        {view.classes.map((c, j) => {
          const x = gridX + j * cellW + cellW / 2;
          const y = labelsTop + fontSize * 0.8;
          return (
            <text
              key={j}
              x={x}
              y={y}
              transform={colLabelAngle === 0 ? undefined : `rotate(${colLabelAngle} ${x} ${y})`}
              data-testid="cm-col-label"
            >
              <title>{c}</title>
              {truncateLabel(c, colLabelChars)}
            </text>
          );
        })}
      </g>
    </g>
  );
});

/**
 * Recall and row totals right of the grid, precision and column totals under it, accuracy and n in the corner (the
 * bars under recall and precision are drawn with the cells, see shareColor). Attributes shared by a column or row of texts sit on its group, so each text sets only its position and value.
 */
const Margins = memo(function Margins({ view, layout, theme }: DrawProps) {
  const { gridX, gridY, cellW, cellH, fontSize, marginColW, marginRowH } = layout;
  const k = view.classes.length;
  const right = gridX + k * cellW;
  const bottom = gridY + k * cellH;
  const primary = theme.colors.text.primary;
  const secondary = theme.colors.text.secondary;
  const small = Math.max(8, fontSize - 1);
  const recallX = right + 3 + (marginColW - 4) / 2;
  const rowTotalX = right + marginColW + marginColW / 2;
  const precisionY = bottom + 3 + (marginRowH - 4) / 2;
  const colTotalY = bottom + marginRowH + marginRowH / 2;
  const rowText = cellH >= small;
  const colText = cellW >= small * 2.2;
  const precisionDigits = cellW >= small * 3.2 ? 1 : 0;
  const rowY = (i: number) => gridY + i * cellH + cellH / 2;
  const colX = (j: number) => gridX + j * cellW + cellW / 2;
  return (
    <g fontSize={small} textAnchor="middle" dominantBaseline="central">
      {rowText && (
        <>
          <MarginValues
            fill={primary}
            testId="cm-recall"
            texts={view.recall.map((r) => formatShare(r))}
            at={(i) => [recallX, rowY(i)]}
          />
          <MarginValues
            fill={secondary}
            testId="cm-row-total"
            texts={view.rowTotals.map((n) => formatCount(n))}
            at={(i) => [rowTotalX, rowY(i)]}
          />
        </>
      )}
      {colText && (
        <>
          <MarginValues
            fill={primary}
            testId="cm-precision"
            texts={view.precision.map((p) => formatShare(p, precisionDigits))}
            at={(j) => [colX(j), precisionY]}
          />
          <MarginValues
            fill={secondary}
            testId="cm-col-total"
            texts={view.colTotals.map((n) => formatCount(n))}
            at={(j) => [colX(j), colTotalY]}
          />
        </>
      )}
      {/* Headings of the margins and the overall accuracy in the corner. */}
      <g fill={secondary}>
        <text x={recallX} y={gridY - 6} dominantBaseline="auto">
          Recall
        </text>
        <text x={rowTotalX} y={gridY - 6} dominantBaseline="auto">
          Total
        </text>
        <text x={gridX - 6} y={precisionY} textAnchor="end">
          Precision
        </text>
        <text x={gridX - 6} y={colTotalY} textAnchor="end">
          Total
        </text>
        <text x={recallX} y={precisionY} fontWeight={700} fill={primary} data-testid="cm-accuracy">
          {formatShare(view.accuracy)}
        </text>
        <text x={rowTotalX} y={colTotalY} data-testid="cm-total">
          {formatCount(view.total)}
        </text>
      </g>
    </g>
  );
});

/** One row or column of margin values sharing a fill; `at(n)` places the n-th. */
function MarginValues(props: { fill: string; testId: string; texts: string[]; at: (n: number) => [number, number] }) {
  return (
    <g fill={props.fill}>
      {props.texts.map((text, n) => {
        const [x, y] = props.at(n);
        return (
          <text key={n} x={x} y={y} data-testid={props.testId}>
            {text}
          </text>
        );
      })}
    </g>
  );
}

/** Recall / precision bar colour: green from 90%, yellow from 70%, red below; grey when undefined (no rows). */
function shareColor(theme: GrafanaTheme2, share: number | null): string {
  return share === null
    ? theme.colors.background.secondary
    : theme.visualization.getColorByName(share >= 0.9 ? 'green' : share >= 0.7 ? 'yellow' : 'red');
}

const getStyles = (theme: GrafanaTheme2) => ({
  header: css({
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    pointerEvents: 'auto',
    zIndex: 1,
  }),
  warning: css({ color: theme.colors.warning.text, overflow: 'hidden', textOverflow: 'ellipsis' }),
  // The cells' canvas lies under the SVG (labels, margins, hover outline, pointer events).
  cells: css({ position: 'absolute', pointerEvents: 'none' }),
  svg: css({ position: 'relative', display: 'block', fontFamily: theme.typography.fontFamily, userSelect: 'none' }),
  tooSmall: css({ paddingTop: HEADER_H + 8, color: theme.colors.text.secondary, textAlign: 'center' }),
  tooltip: css({
    position: 'absolute',
    zIndex: theme.zIndex.tooltip,
    pointerEvents: 'none',
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    boxShadow: theme.shadows.z2,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.75, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    maxWidth: 240,
    wordBreak: 'break-word',
  }),
});
