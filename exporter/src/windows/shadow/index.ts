/** Shadow traffic paired with the primary's: agreement and the shadow's quality over the window (issue #14). */
export { createShadowPairs, isShadowEvent } from './shadow-pairs';
export type {
  ShadowAgreement,
  ShadowCheckpointHead,
  ShadowPairs,
  ShadowPairsOptions,
  ShadowVersionFigures,
  ShadowWindow,
} from './shadow-pairs';
