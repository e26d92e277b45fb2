import { PanelPlugin } from '@grafana/data';
import { ReviewPanel } from './components/ReviewPanel';
import { DEFAULT_REVIEW_OPTIONS, type ReviewOptions } from './types';

// No URL or token option on purpose: requests go only to the app plugin's `models/*` proxy route (src/plugin.json).
export const plugin = new PanelPlugin<ReviewOptions>(ReviewPanel).setNoPadding().setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'model',
      name: 'Model',
      description: 'Model name as the exporter knows it; dashboard variables allowed.',
      defaultValue: DEFAULT_REVIEW_OPTIONS.model,
    })
    .addNumberInput({
      path: 'pageSize',
      name: 'Rows per page',
      description: 'Rows asked for at a time (the API takes 1–1000); j past the last row loads the next page.',
      defaultValue: DEFAULT_REVIEW_OPTIONS.pageSize,
      settings: { min: 1, max: 1000, integer: true },
    })
    .addTextInput({
      path: 'classFilter',
      name: 'Predicted class',
      description: 'Only rows predicted as this class; empty for all. Dashboard variables allowed.',
      defaultValue: DEFAULT_REVIEW_OPTIONS.classFilter,
    })
    .addNumberInput({
      path: 'maxConfidence',
      name: 'Max confidence',
      description: 'Only rows at or below this confidence (0–1); 0 shows every row below its limit.',
      defaultValue: DEFAULT_REVIEW_OPTIONS.maxConfidence,
      settings: { min: 0, max: 1, step: 0.05 },
    })
);
