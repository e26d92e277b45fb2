import React, { useMemo } from 'react';
import type { DataFrame, GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { buildConfusionMatrix, extractCells, parseClassList } from '../../data/confusion-matrix';
import { matrixLayout, splitEstimatedFrames } from '../../data/estimated-frames';
import { PanelMessage } from '../../components/PanelMessage';
import type { ConfusionMatrixOptions } from '../types';
import { MatrixGrid } from './MatrixGrid';
import { css } from '@emotion/css';

/** Height of the caption above each matrix when the estimate is shown. */
const CAPTION_HEIGHT = 22;

function useMatrix(frames: DataFrame[], options: ConfusionMatrixOptions) {
  const extracted = useMemo(
    () =>
      extractCells(frames, {
        actualField: options.actualField || 'actual',
        predictedField: options.predictedField || 'predicted',
        countField: options.countField ?? '',
        reducer: options.reducer || 'sum',
      }),
    [frames, options.actualField, options.predictedField, options.countField, options.reducer]
  );
  const view = useMemo(
    () =>
      extracted.kind === 'ok'
        ? buildConfusionMatrix(extracted.cells, {
            normalization: options.normalization ?? 'column',
            order: options.order ?? 'alphabetical',
            customOrder: parseClassList(options.customOrder),
            topN: Math.max(0, Math.floor(options.topN ?? 0)),
          })
        : null,
    [extracted, options.normalization, options.order, options.customOrder, options.topN]
  );
  return { extracted, view };
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', gap: 0 }),
  caption: css({
    height: CAPTION_HEIGHT,
    lineHeight: `${CAPTION_HEIGHT}px`,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  estimated: css({ color: theme.colors.warning.text, fontWeight: theme.typography.fontWeightMedium }),
});

/**
 * Confusion matrix panel: frames → cells → matrix view-model (src/data) → drawn by MatrixGrid. Frames of the
 * estimated query (option estimatedRefId, issue #11) make a second matrix: drawn alone and marked estimated when no
 * labelled rows exist, beside the realized one when they do.
 */
export function ConfusionMatrixPanel({
  data,
  options,
  fieldConfig,
  width,
  height,
  replaceVariables,
}: PanelProps<ConfusionMatrixOptions>) {
  const styles = useStyles2(getStyles);
  const wrap = useStyles2(() => ({ wrap: css({ position: 'relative', width, height }) }));
  const split = useMemo(
    () => splitEstimatedFrames(data.series, options.estimatedRefId ?? 'estimated'),
    [data.series, options.estimatedRefId]
  );
  const realized = useMatrix(split.realized, options);
  const estimated = useMatrix(split.estimated, options);
  const layout = matrixLayout(
    realized.extracted.kind === 'ok' && realized.view !== null,
    estimated.extracted.kind === 'ok' && estimated.view !== null
  );
  if (layout === 'none') {
    const { extracted } = realized;
    return (
      <PanelMessage
        width={width}
        height={height}
        severity={extracted.kind === 'empty' ? 'info' : 'error'}
        message={extracted.kind === 'ok' ? '' : extracted.message}
      />
    );
  }
  const grid = (m: typeof realized, w: number, h: number) =>
    m.view && m.extracted.kind === 'ok' ? (
      <MatrixGrid
        view={m.view}
        warnings={[...m.extracted.warnings, ...m.view.warnings]}
        width={w}
        height={h}
        fieldConfig={fieldConfig}
        showMargins={options.showMargins ?? true}
        showValues={options.showValues ?? true}
        replaceVariables={replaceVariables}
      />
    ) : null;
  if (layout === 'realized') {
    return <div className={wrap.wrap}>{grid(realized, width, height)}</div>;
  }
  // MatrixGrid positions its layers absolutely: each matrix gets a positioned box of its own, below its caption.
  const box = (m: typeof realized, w: number, h: number) => (
    <div style={{ position: 'relative', width: w, height: h - CAPTION_HEIGHT }}>{grid(m, w, h - CAPTION_HEIGHT)}</div>
  );
  const estimatedCaption = (
    <div className={styles.caption} data-testid="confusion-estimated-caption">
      <span className={styles.estimated}>Estimated</span>
      {layout === 'estimated' ? ' — no labels yet: expected rows from calibrated probabilities' : ' (no labels)'}
    </div>
  );
  if (layout === 'estimated') {
    return (
      <div className={wrap.wrap}>
        {estimatedCaption}
        {box(estimated, width, height)}
      </div>
    );
  }
  const half = Math.floor(width / 2);
  return (
    <div className={`${wrap.wrap} ${styles.row}`}>
      <div style={{ width: half }}>
        <div className={styles.caption} data-testid="confusion-realized-caption">
          Realized (labels)
        </div>
        {box(realized, half, height)}
      </div>
      <div style={{ width: width - half }}>
        {estimatedCaption}
        {box(estimated, width - half, height)}
      </div>
    </div>
  );
}
