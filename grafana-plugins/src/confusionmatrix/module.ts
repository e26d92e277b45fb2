import { FieldColorModeId, FieldConfigProperty, PanelPlugin, ReducerID, standardEditorsRegistry } from '@grafana/data';
import { ConfusionMatrixPanel } from './components/ConfusionMatrixPanel';
import { DEFAULT_OPTIONS, type ConfusionMatrixOptions } from './types';

export const plugin = new PanelPlugin<ConfusionMatrixOptions>(ConfusionMatrixPanel)
  .useFieldConfig({
    standardOptions: {
      [FieldConfigProperty.Color]: {
        settings: { byValueSupport: true, bySeriesSupport: false, preferThresholdsMode: false },
        defaultValue: { mode: FieldColorModeId.ContinuousBlPu },
      },
      [FieldConfigProperty.Decimals]: {},
      [FieldConfigProperty.Links]: {},
    },
    disableStandardOptions: [
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.Unit,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.DisplayName,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.Thresholds,
      FieldConfigProperty.FieldMinMax,
    ],
  })
  .setPanelOptions((builder) =>
    builder
      .addFieldNamePicker({
        path: 'actualField',
        name: 'Actual (ground truth)',
        description: 'Series label or table column holding the true class.',
        category: ['Data'],
        defaultValue: DEFAULT_OPTIONS.actualField,
        settings: { noFieldsMessage: 'Series labels are matched by name (default "actual").' },
      })
      .addFieldNamePicker({
        path: 'predictedField',
        name: 'Predicted',
        description: 'Series label or table column holding the predicted class.',
        category: ['Data'],
        defaultValue: DEFAULT_OPTIONS.predictedField,
      })
      .addFieldNamePicker({
        path: 'countField',
        name: 'Count (tables)',
        description: 'Column with the number of rows per pair. Empty: the first numeric column, or 1 per row.',
        category: ['Data'],
        defaultValue: DEFAULT_OPTIONS.countField,
      })
      .addCustomEditor({
        id: 'reducer',
        path: 'reducer',
        name: 'Reduce range series with',
        description: 'How a range query becomes one count per cell (Total for increase() per step, Last for gauges).',
        category: ['Data'],
        editor: standardEditorsRegistry.get('stats-picker').editor,
        defaultValue: DEFAULT_OPTIONS.reducer,
        settings: {
          filterOptions: (ext: { id: string }) =>
            [ReducerID.sum, ReducerID.lastNotNull, ReducerID.last, ReducerID.max, ReducerID.mean].includes(
              ext.id as ReducerID
            ),
        },
      })
      .addRadio({
        path: 'normalization',
        name: 'Normalise',
        description: 'By column: each predicted class sums to 100% (diagonal = precision). By row: diagonal = recall.',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.normalization,
        settings: {
          options: [
            { value: 'column', label: 'By column (precision)' },
            { value: 'row', label: 'By row (recall)' },
            { value: 'all', label: 'Overall' },
            { value: 'none', label: 'Counts' },
          ],
        },
      })
      .addRadio({
        path: 'order',
        name: 'Class order',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.order,
        settings: {
          options: [
            { value: 'alphabetical', label: 'Alphabetical' },
            { value: 'support', label: 'By support' },
            { value: 'custom', label: 'Custom' },
          ],
        },
      })
      .addTextInput({
        path: 'customOrder',
        name: 'Custom order',
        description: 'Class names separated by commas; classes not listed follow alphabetically.',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.customOrder,
        showIf: (o) => o.order === 'custom',
      })
      .addNumberInput({
        path: 'topN',
        name: 'Top N classes',
        description: 'Keep the N classes with the most rows and fold the rest into "other" (0 = all).',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.topN,
        settings: { min: 0, integer: true },
      })
      .addBooleanSwitch({
        path: 'showMargins',
        name: 'Precision / recall margins and totals',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.showMargins,
      })
      .addTextInput({
        path: 'estimatedRefId',
        name: 'Estimated matrix query',
        description:
          'refId of the query returning plumbline_estimated_confusion_matrix_rows: shown alone, marked estimated, when no labels exist, and beside the realized matrix when they do (empty: none).',
        category: ['Data'],
        defaultValue: DEFAULT_OPTIONS.estimatedRefId,
      })
      .addBooleanSwitch({
        path: 'showValues',
        name: 'Values in cells (when they fit)',
        category: ['Matrix'],
        defaultValue: DEFAULT_OPTIONS.showValues,
      })
  );
