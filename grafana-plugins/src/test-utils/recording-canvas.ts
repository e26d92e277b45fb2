/**
 * jsdom has no 2D canvas context: this one records what a component draws (rectangles and text, with the fill,
 * stroke, font and alpha in effect at the time) so tests can check the drawing itself. `clearRect` forgets earlier ops,
 * as a redraw would.
 */
export interface DrawOp {
  op: 'fillRect' | 'strokeRect' | 'fillText';
  x: number;
  y: number;
  /** Rectangles only. */
  w: number;
  h: number;
  /** fillText only. */
  text: string;
  /** fillStyle for fills and text, strokeStyle for strokes. */
  style: string;
  font: string;
  /** globalAlpha at the time. */
  alpha: number;
}

export interface RecordedCanvases {
  opsOf(canvas: HTMLCanvasElement): DrawOp[];
  restore(): void;
}

function recordingContext(ops: DrawOp[]) {
  const state = { fillStyle: '#000', strokeStyle: '#000', lineWidth: 1, globalAlpha: 1, font: '10px sans-serif' };
  const push = (op: DrawOp['op'], x: number, y: number, w: number, h: number, text = '') =>
    ops.push({
      op,
      x,
      y,
      w,
      h,
      text,
      style: op === 'strokeRect' ? state.strokeStyle : state.fillStyle,
      font: state.font,
      alpha: state.globalAlpha,
    });
  return Object.assign(state, {
    textAlign: 'start',
    textBaseline: 'alphabetic',
    setTransform: () => undefined,
    clearRect: () => ops.splice(0),
    fillRect: (x: number, y: number, w: number, h: number) => push('fillRect', x, y, w, h),
    strokeRect: (x: number, y: number, w: number, h: number) => push('strokeRect', x, y, w, h),
    fillText: (text: string, x: number, y: number) => push('fillText', x, y, 0, 0, text),
  });
}

/** Gives every canvas a recording 2D context until `restore()`. */
export function recordCanvases(): RecordedCanvases {
  const drawn = new WeakMap<HTMLCanvasElement, { ops: DrawOp[]; ctx: ReturnType<typeof recordingContext> }>();
  const spy = jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (
    this: HTMLCanvasElement,
    kind: string
  ) {
    if (kind !== '2d') {
      return null;
    }
    let entry = drawn.get(this);
    if (!entry) {
      const ops: DrawOp[] = [];
      entry = { ops, ctx: recordingContext(ops) };
      drawn.set(this, entry);
    }
    return entry.ctx as unknown as CanvasRenderingContext2D;
  } as HTMLCanvasElement['getContext']);
  return {
    opsOf: (canvas) => drawn.get(canvas)?.ops ?? [],
    restore: () => spy.mockRestore(),
  };
}
