import type { ConfusionMatrixView } from '../../data/confusion-matrix';
import type { MatrixLayout } from '../../data/matrix-layout';

/** The part of a 2D context the cells need: a real CanvasRenderingContext2D, or a recorder in tests. */
export type CellsContext = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'globalAlpha'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
  | 'clearRect'
  | 'fillRect'
  | 'strokeRect'
  | 'fillText'
>;

/** Colours and text of the cells: the sampled theme heat scale and the value format of the normalisation. */
export interface CellsScale {
  color(value: number): string;
  /** Readable text colour on a cell of colour `fill`. */
  contrast(fill: string): string;
  text(value: number): string;
}

export interface CellsStyle {
  /** Fill of a cell with no rows. */
  empty: string;
  /** Outline of the diagonal (correct predictions). */
  diagonalStroke: string;
  fontFamily: string;
  showValues: boolean;
  /** Colour of a recall / precision bar in the margins; absent: no margins. */
  marginColor?: (share: number | null) => string;
}

/**
 * Draws the k × k cells in one pass, in grid coordinates (0, 0 = top-left of the first cell): fill from the heat
 * scale (empty cells in `style.empty`), the diagonal outlined and its value bold, values centred when
 * `style.showValues`; then the recall bars right of the grid and the precision bars under it. One canvas instead of
 * 2,600 SVG elements keeps a 50-class first render (parse, style, layout, paint) short; class names, margin values
 * and the hover outline stay in the SVG drawn over it.
 */
export function drawCells(
  ctx: CellsContext,
  view: ConfusionMatrixView,
  layout: MatrixLayout,
  scale: CellsScale,
  style: CellsStyle
): void {
  const { cellW, cellH, fontSize } = layout;
  const k = view.classes.length;
  const w = Math.max(0, cellW - 1);
  const h = Math.max(0, cellH - 1);
  ctx.clearRect(0, 0, k * cellW + layout.marginW, k * cellH + layout.marginH);
  if (style.marginColor) {
    drawMarginBars(ctx, view, layout, style.marginColor);
  }
  const diagonal = (i: number) => view.classes[i] !== view.otherLabel;
  const fills: string[][] = [];
  let current = '';
  for (let i = 0; i < k; i++) {
    const row: string[] = [];
    for (let j = 0; j < k; j++) {
      const v = view.values[i][j];
      const fill = view.counts[i][j] > 0 && v !== null ? scale.color(v) : style.empty;
      if (fill !== current) {
        ctx.fillStyle = current = fill;
      }
      ctx.fillRect(j * cellW + 0.5, i * cellH + 0.5, w, h);
      row.push(fill);
    }
    fills.push(row);
  }
  ctx.strokeStyle = style.diagonalStroke;
  ctx.lineWidth = Math.min(2, cellW / 8);
  for (let i = 0; i < k; i++) {
    if (diagonal(i)) {
      ctx.strokeRect(i * cellW + 0.5, i * cellH + 0.5, w, h);
    }
  }
  if (!style.showValues) {
    return;
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = view.values[i][j];
      if (view.counts[i][j] === 0 || v === null) {
        continue;
      }
      ctx.font = `${i === j && diagonal(i) ? 700 : 400} ${fontSize}px ${style.fontFamily}`;
      ctx.fillStyle = scale.contrast(fills[i][j]);
      ctx.fillText(scale.text(v), j * cellW + cellW / 2, i * cellH + cellH / 2);
    }
  }
}

/** Recall bars (one per actual class) right of the grid, precision bars (one per predicted class) under it. */
function drawMarginBars(
  ctx: CellsContext,
  view: ConfusionMatrixView,
  layout: MatrixLayout,
  color: (share: number | null) => string
): void {
  const { cellW, cellH, marginColW, marginRowH } = layout;
  const k = view.classes.length;
  ctx.globalAlpha = 0.35;
  for (let i = 0; i < k; i++) {
    ctx.fillStyle = color(view.recall[i]);
    ctx.fillRect(k * cellW + 3, i * cellH + 0.5, marginColW - 4, Math.max(0, cellH - 1));
  }
  for (let j = 0; j < k; j++) {
    ctx.fillStyle = color(view.precision[j]);
    ctx.fillRect(j * cellW + 0.5, k * cellH + 3, Math.max(0, cellW - 1), marginRowH - 4);
  }
  ctx.globalAlpha = 1;
}
